using ViTok.Metrics;

namespace ViTok.Evaluation;

/// <summary>The one generated-vs-real path of the project, for callers that hold the two sets as pixels (the DiT's
/// <c>eval-gen</c> and the generation demo, which also need per-class subsets): exactly what <c>vitok eval
/// --generated</c> does to two sets of files. Pixels are quantised to 8 bits (<see cref="Quantization"/>, the images a
/// user would save), a clip's frames are taken as images, features come from the evaluation's networks (the 512-d
/// pooled ResNet18 features of <c>fd_resnet18</c>, or the Inception pool3 features of <c>fid</c> when FID weights are
/// given), and the distance is the Fréchet distance of Gaussians whose statistics are accumulated in float64
/// (<see cref="FeatureStatistics"/>), as <see cref="ReconstructionEvaluator.CompareSets"/> computes them.</summary>
public sealed class DistributionFeatures : IDisposable
{
    private readonly ResNet18FrechetDistance? _resnet;
    private readonly FidInceptionV3? _inception;
    private readonly int _batchSize;

    private DistributionFeatures(ResNet18FrechetDistance? resnet, FidInceptionV3? inception, int batchSize)
    {
        _resnet = resnet;
        _inception = inception;
        _batchSize = batchSize;
    }

    /// <summary>The metric key: <c>fd_resnet18</c>, or <c>fid</c> with Inception weights.</summary>
    public string Key => _inception is null ? EvalMetrics.FdResNet18 : EvalMetrics.Fid;

    /// <summary>The networks of <c>fd_resnet18</c> (the bundled ResNet18), or of <c>fid</c> when
    /// <paramref name="fidWeights"/> (pt_inception-2015-12-05 .pth) is given, on <paramref name="device"/>.</summary>
    /// <exception cref="ViTokException">The FID weights cannot be read.</exception>
    public static DistributionFeatures Create(string? fidWeights = null, Device? device = null, int batchSize = 32)
    {
        if (fidWeights is not null)
        {
            var inception = FidInceptionV3.Load(fidWeights);
            if (device is not null) inception.to(device);
            return new DistributionFeatures(null, inception, batchSize);
        }
        var resnet = ResNet18.Load();
        if (device is not null) resnet.to(device);
        return new DistributionFeatures(new ResNet18FrechetDistance(resnet, ownsNet: true, batchSize), null, batchSize);
    }

    /// <summary>Features [N·T, D] (float32, CPU) of images [N, 3, H, W] or clips [N, 3, T, H, W] in [-1, 1], after
    /// 8-bit quantisation; D = 512 (fd_resnet18) or 2048 (fid).</summary>
    public Tensor Features(Tensor pixels)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var frames = pixels.dim() == 5 ? pixels.permute(0, 2, 1, 3, 4).reshape(-1, 3, pixels.shape[3], pixels.shape[4]) : pixels;
        var q = Quantization.To8Bit(frames);
        if (_resnet is not null) return _resnet.Features(q).MoveToOuterDisposeScope();
        var device = _inception!.parameters().First().device;
        var parts = new List<Tensor>();
        for (long i = 0; i < q.shape[0]; i += _batchSize)
        {
            using var inner = torch.NewDisposeScope();
            parts.Add(_inception.Features(q.narrow(0, i, Math.Min(_batchSize, q.shape[0] - i)).to(device)).cpu().MoveToOuterDisposeScope());
        }
        return torch.cat(parts).MoveToOuterDisposeScope();
    }

    /// <summary>The Fréchet distance between feature sets <paramref name="a"/> [N, D] and <paramref name="b"/> [M, D]
    /// (N, M ≥ 2), through float64 running statistics as the evaluator's.</summary>
    /// <exception cref="ViTokException">A set has fewer than 2 rows.</exception>
    public static double Distance(Tensor a, Tensor b)
    {
        if (a.shape[0] < 2 || b.shape[0] < 2)
            throw new ViTokException($"a Fréchet distance needs at least 2 items per set, got {a.shape[0]} and {b.shape[0]}.");
        using var sa = new FeatureStatistics();
        using var sb = new FeatureStatistics();
        sa.Add(a);
        sb.Add(b);
        return sa.FrechetDistanceTo(sb);
    }

    /// <summary>Frees the network.</summary>
    public void Dispose()
    {
        _resnet?.Dispose();
        _inception?.Dispose();
    }
}
