namespace ViTok.Metrics;

/// <summary>The Fréchet distance between the 512-d pooled ResNet18 features (<see cref="ResNet18"/>, images resized
/// to 224×224) of a reference set and a test set, accumulated batch by batch. Reported as <see cref="Key"/> /
/// <see cref="DisplayName"/>: it is an FID-like statistic on a different network, never FID, and its values are
/// not comparable with FID. Use at least 1,000 (better 2,000) images per set: the 512×512 covariance is poorly
/// estimated below that.</summary>
public sealed class ResNet18FrechetDistance : IDisposable
{
    /// <summary>Key in JSON output and metric logs.</summary>
    public const string Key = "fd_resnet18";

    /// <summary>Name for human-readable output.</summary>
    public const string DisplayName = "fd-resnet18";

    /// <summary>Fewest images per set for which the statistic is considered meaningful.</summary>
    public const int RecommendedMinimumSamples = 1000;

    private readonly ResNet18 _net;
    private readonly bool _ownsNet;
    private readonly FeatureStatistics _reference = new();
    private readonly FeatureStatistics _test = new();

    /// <summary>Uses <paramref name="net"/> (disposed with this object when <paramref name="ownsNet"/>); batches are
    /// run through it <paramref name="batchSize"/> images at a time.</summary>
    public ResNet18FrechetDistance(ResNet18 net, bool ownsNet = false, int batchSize = 32)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        _net = net;
        _ownsNet = ownsNet;
        BatchSize = batchSize;
    }

    /// <summary>Loads the packaged ResNet18 and owns it.</summary>
    public static ResNet18FrechetDistance Load(string? modelPath = null, string? preprocessPath = null, int batchSize = 32) =>
        new(ResNet18.Load(modelPath, preprocessPath), ownsNet: true, batchSize);

    /// <summary>Images per forward pass.</summary>
    public int BatchSize { get; }

    /// <summary>Images (frames) added to the reference set.</summary>
    public long ReferenceCount => _reference.Count;

    /// <summary>Images (frames) added to the test set.</summary>
    public long TestCount => _test.Count;

    /// <summary>Adds images [B, 3, H, W] or videos [B, T, 3, H, W] (each frame an image) in [-1, 1] to the reference set.</summary>
    public void AddReference(Tensor images) => Accumulate(images, _reference);

    /// <summary>Adds images [B, 3, H, W] or videos [B, T, 3, H, W] in [-1, 1] to the test set.</summary>
    public void AddTest(Tensor images) => Accumulate(images, _test);

    /// <summary>Features [N, 512] (float32, CPU) of images [..., 3, H, W] in [-1, 1], e.g. to save as .npy for
    /// <c>vitok fd</c>.</summary>
    public Tensor Features(Tensor images)
    {
        using var scope = torch.NewDisposeScope();
        var chunks = new List<Tensor>();
        ForEachBatch(images, f => chunks.Add(f.to(CPU).MoveToOuterDisposeScope()));
        return torch.cat(chunks).MoveToOuterDisposeScope();
    }

    /// <summary>The Fréchet distance between the two sets (each needs at least 2 images).</summary>
    public double Compute()
    {
        if (_reference.Count < 2 || _test.Count < 2)
            throw new InvalidOperationException($"{DisplayName} needs at least 2 images per set, got {_reference.Count} reference and {_test.Count} test");
        return _reference.FrechetDistanceTo(_test);
    }

    /// <summary>Frees the statistics and, if owned, the network.</summary>
    public void Dispose()
    {
        _reference.Dispose();
        _test.Dispose();
        if (_ownsNet) _net.Dispose();
    }

    private void Accumulate(Tensor images, FeatureStatistics into) => ForEachBatch(images, into.Add);

    // Runs the network on ≤ BatchSize images at a time, each batch inside its own dispose scope and no_grad; the
    // features handed to onFeatures [b, 512] die with that scope unless moved out.
    private void ForEachBatch(Tensor images, Action<Tensor> onFeatures)
    {
        if (images.dim() < 4 || images.shape[^3] != 3)
            throw new ArgumentException($"expected images [B, 3, H, W] or videos [B, T, 3, H, W], got [{string.Join(", ", images.shape)}]");
        var device = _net.parameters().First().device;
        long n = images.shape[..^3].Aggregate(1L, (p, s) => p * s);
        for (long i = 0; i < n; i += BatchSize)
        {
            using var scope = torch.NewDisposeScope();
            using var _ = torch.no_grad();
            var flat = images.reshape(n, 3, images.shape[^2], images.shape[^1]);
            var batch = flat.narrow(0, i, Math.Min(BatchSize, n - i)).to(ScalarType.Float32, device);
            onFeatures(_net.Features(batch));
        }
    }
}
