namespace ViTok.Metrics;

/// <summary>Basic residual block of the CNTK ResNet18: conv3×3 → BN → ReLU → conv3×3 → BN, plus the input or, when
/// the block halves the resolution, a 1×1 stride-2 projection + BN; then ReLU. Strided 3×3 convolutions pad only
/// top/left (ONNX pads [1, 1, 0, 0]), as CNTK exported them. [B, Cin, H, W] → [B, Cout, H/s, W/s].</summary>
internal sealed class ResNet18Block : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Sequential? downsample;   // [conv 1×1 stride 2, BN] when the block changes shape
    private readonly long _stride;

    public ResNet18Block(long inChannels, long outChannels, long stride) : base(nameof(ResNet18Block))
    {
        _stride = stride;
        conv1 = nn.Conv2d(inChannels, outChannels, 3, stride: stride, padding: stride == 1 ? 1 : 0, bias: false);
        bn1 = nn.BatchNorm2d(outChannels, eps: 1e-5);
        conv2 = nn.Conv2d(outChannels, outChannels, 3, padding: 1, bias: false);
        bn2 = nn.BatchNorm2d(outChannels, eps: 1e-5);
        if (stride != 1 || inChannels != outChannels)
            downsample = nn.Sequential(
                nn.Conv2d(inChannels, outChannels, 1, stride: stride, bias: false),
                nn.BatchNorm2d(outChannels, eps: 1e-5));
        RegisterComponents();
    }

    /// <summary>Whether the shortcut is a projection (1×1 conv + BN) rather than the identity.</summary>
    public bool HasProjection => downsample is not null;

    /// <summary>ONNX stride and pads [top, left, bottom, right] of conv1, as exported by CNTK.</summary>
    public (long Stride, long[] Pads) Conv1Geometry => (_stride, _stride == 1 ? [1, 1, 1, 1] : [1, 1, 0, 0]);

    public override Tensor forward(Tensor x)
    {
        var h = _stride == 1 ? x : F.pad(x, [1, 0, 1, 0]);   // strided: left 1, right 0, top 1, bottom 0
        h = F.relu(bn1.call(conv1.call(h)));
        h = bn2.call(conv2.call(h));
        var shortcut = downsample is null ? x : downsample.call(x);
        return F.relu(h.Plus(shortcut));
    }
}
