using ViTok.Metrics;

namespace ViTok.Losses;

/// <summary>A perceptual distance on the frozen ImageNet ResNet18 (<see cref="ResNet18"/>), built the way LPIPS
/// builds its untrained-head baseline but on this network: for each of five stages (stem, layer1..layer4) the
/// feature vectors are unit-normalised over channels, their squared differences summed over channels and averaged
/// over positions, and the stages summed with equal weights. It is not LPIPS (no VGG, no learned linear heads) and
/// is reported as <see cref="Key"/>. Inputs [B, 3, H, W] (or [B, T, 3, H, W], scored per frame) in [-1, 1], H, W ≥ 32;
/// output [B] (or [B·T]). Differentiable with respect to both inputs; the network's weights stay frozen.</summary>
public sealed class ResNet18PerceptualDistance : nn.Module<Tensor, Tensor, Tensor>, IPerceptualDistance
{
    /// <summary>The metric's key in JSON and logs.</summary>
    public const string Key = "perceptual_resnet18";

    /// <inheritdoc />
    public string Name => Key;

    /// <inheritdoc />
    public Tensor Distance(Tensor x, Tensor y) => call(x, y);

    private readonly ResNet18 net;
    private readonly long? _resize;

    /// <summary>Wraps a loaded network; with <paramref name="resize"/> both images are first bilinearly resized to
    /// that square size (needed below 32 pixels; 224 matches the network's training resolution).</summary>
    public ResNet18PerceptualDistance(ResNet18 net, int? resize = null) : base(nameof(ResNet18PerceptualDistance))
    {
        if (resize is < 32) throw new ArgumentOutOfRangeException(nameof(resize), resize, "resize must be at least 32 pixels");
        this.net = net;
        _resize = resize;
        RegisterComponents();
    }

    /// <summary>Loads the packaged ResNet18 (see <see cref="ResNet18.Load"/>) and wraps it.</summary>
    public static ResNet18PerceptualDistance Load(string? modelPath = null, string? preprocessPath = null, int? resize = null) =>
        new(ResNet18.Load(modelPath, preprocessPath), resize);

    /// <summary>Distance per image (frame) between <paramref name="x"/> and <paramref name="y"/>.</summary>
    public override Tensor forward(Tensor x, Tensor y)
    {
        if (x.dim() < 4 || x.shape[^3] != 3 || !x.shape.SequenceEqual(y.shape))
            throw new ArgumentException($"expected two image batches [B, 3, H, W] of one shape, got [{string.Join(", ", x.shape)}] " +
                                        $"and [{string.Join(", ", y.shape)}]");
        long b = x.shape[..^3].Aggregate(1L, (p, s) => p * s);
        var both = torch.cat([x.reshape(b, 3, x.shape[^2], x.shape[^1]), y.reshape(b, 3, y.shape[^2], y.shape[^1])]);  // [2B, 3, H, W]
        if (_resize is long r && (both.shape[2] != r || both.shape[3] != r))
            both = F.interpolate(both, [r, r], mode: InterpolationMode.Bilinear, align_corners: false);
        Tensor? total = null;
        foreach (var map in net.FeatureMaps(both))
        {
            var n = map / (map.pow(Scalars.Of(2)).sum(1, keepdim: true).sqrt().Plus(1e-10));   // unit length over channels
            var halves = n.chunk(2, 0);
            var d = (halves[0] - halves[1]).pow(Scalars.Of(2)).sum(1).mean([1, 2]);       // [B]
            total = total is null ? d : total.Plus(d);
        }
        return total!;
    }
}
