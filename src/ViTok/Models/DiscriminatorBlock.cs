using ViTok.Layers;

namespace ViTok.Models;

/// <summary>Residual discriminator block (StyleGAN2 D block with BlurPool): conv3×3 → lrelu → blur → conv3×3 → lrelu,
/// skip = blur → conv1×1, out = (skip + main)/√2. [B, Cin, H, W] → [B, Cout, H/2, W/2].</summary>
public sealed class DiscriminatorBlock : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly BlurDownsample blur;
    private readonly Conv2d conv2;
    private readonly BlurDownsample skip_blur;
    private readonly Conv2d skip;

    /// <summary>Creates the block.</summary>
    public DiscriminatorBlock(int inChannels, int outChannels) : base(nameof(DiscriminatorBlock))
    {
        conv1 = nn.Conv2d(inChannels, inChannels, 3, padding: 1);
        blur = new BlurDownsample(inChannels);
        conv2 = nn.Conv2d(inChannels, outChannels, 3, padding: 1);
        skip_blur = new BlurDownsample(inChannels);
        skip = nn.Conv2d(inChannels, outChannels, 1, bias: false);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        var h = conv1.call(x).leaky_relu(Scalars.Of(0.2));
        h = conv2.call(blur.call(h)).leaky_relu(Scalars.Of(0.2));
        var s = skip.call(skip_blur.call(x));
        return (h.Plus(s)).Over(Math.Sqrt(2.0));
    }
}
