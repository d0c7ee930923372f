namespace ViTok.Layers;

/// <summary>Anti-aliased 2× downsampling (BlurPool, StyleGAN/MaskGIT style): a fixed depthwise [1,3,3,1]⊗[1,3,3,1]/64
/// filter with stride 2. [B, C, H, W] → [B, C, H/2, W/2].</summary>
public sealed class BlurDownsample : nn.Module<Tensor, Tensor>
{
    private readonly int _channels;

    /// <summary>Creates the filter for <paramref name="channels"/> channels.</summary>
    public BlurDownsample(int channels) : base(nameof(BlurDownsample))
    {
        _channels = channels;
        var k1 = torch.tensor(new float[] { 1, 3, 3, 1 });
        var k = torch.outer(k1, k1).Over(64f);                                       // [4, 4]
        register_buffer("kernel", k.expand(channels, 1, 4, 4).contiguous(), persistent: false);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        var kernel = get_buffer("kernel")!.to(x.dtype);
        var padded = F.pad(x, [1, 1, 1, 1], PaddingModes.Reflect);               // [B, C, H+2, W+2]
        return F.conv2d(padded, kernel, strides: [2, 2], groups: _channels);      // [B, C, H/2, W/2]
    }
}
