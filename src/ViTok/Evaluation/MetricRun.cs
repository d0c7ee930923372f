using System.Globalization;
using ViTok.Metrics;

namespace ViTok.Evaluation;

/// <summary>The running sums and feature statistics of one evaluation. Batches go in as quantised images
/// [B, 3, H, W] or clips [B, 3, T, H, W] in [-1, 1]; per-frame metrics treat a clip's frames as images. Nothing but
/// sums, Gaussian statistics and (for the Inception Score) class probabilities is kept.</summary>
internal sealed class MetricRun : IDisposable
{
    private readonly IReadOnlyList<string> _metrics;
    private readonly MetricNetworks? _nets;
    private readonly EvalOptions _options;
    private readonly ResNet18FrechetDistance? _fd;          // the feature extractor of fd_resnet18
    private readonly FeatureStatistics? _fdReference, _fdTest, _fidReference, _fidTest, _fvdReference, _fvdTest;
    private readonly InceptionScore? _inceptionScore;
    private double _psnrSum, _ssimSum, _lpipsSum, _perceptualSum;
    private long _pairedFrames;

    public MetricRun(IReadOnlyList<string> metrics, MetricNetworks nets, EvalOptions options)
    {
        _metrics = metrics;
        _nets = nets;
        _options = options;
        if (On(EvalMetrics.FdResNet18)) _fd = new ResNet18FrechetDistance(nets.ResNet, ownsNet: false, options.MetricBatchSize);
        if (On(EvalMetrics.Fid) || On(EvalMetrics.InceptionScore)) _ = nets.Inception;   // load (and check) up front
        if (On(EvalMetrics.InceptionScore)) _inceptionScore = new InceptionScore();
        if (On(EvalMetrics.Fvd)) _ = nets.I3d;
        if (On(EvalMetrics.Lpips)) _ = nets.Lpips;
        if (On(EvalMetrics.PerceptualResNet18)) _ = nets.ResNet;
        (_fdReference, _fdTest, _fidReference, _fidTest, _fvdReference, _fvdTest) = NewStatistics();
    }

    // Sums only, no networks: the merge of shards.
    private MetricRun(IReadOnlyList<string> metrics, EvalOptions options)
    {
        _metrics = metrics;
        _options = options;
        (_fdReference, _fdTest, _fidReference, _fidTest, _fvdReference, _fvdTest) = NewStatistics();
    }

    private (FeatureStatistics?, FeatureStatistics?, FeatureStatistics?, FeatureStatistics?, FeatureStatistics?, FeatureStatistics?) NewStatistics()
    {
        FeatureStatistics? New(string m) => On(m) ? new FeatureStatistics() : null;
        return (New(EvalMetrics.FdResNet18), New(EvalMetrics.FdResNet18), New(EvalMetrics.Fid), New(EvalMetrics.Fid), New(EvalMetrics.Fvd), New(EvalMetrics.Fvd));
    }

    /// <summary>The Fréchet statistics whose sums a shard exports, by "metric/set".</summary>
    private IEnumerable<(string Key, FeatureStatistics Statistics)> Statistics()
    {
        foreach (var (key, stats) in new[]
                 {
                     ($"{EvalMetrics.FdResNet18}/reference", _fdReference), ($"{EvalMetrics.FdResNet18}/test", _fdTest),
                     ($"{EvalMetrics.Fid}/reference", _fidReference), ($"{EvalMetrics.Fid}/test", _fidTest),
                     ($"{EvalMetrics.Fvd}/reference", _fvdReference), ($"{EvalMetrics.Fvd}/test", _fvdTest),
                 })
            if (stats is not null) yield return (key, stats);
    }

    /// <summary>The metrics.</summary>
    public IReadOnlyList<string> Metrics => _metrics;

    /// <summary>Images (frames) behind the per-image sums.</summary>
    public long PairedFrames => _pairedFrames;

    /// <summary>The per-image sums and feature sums, for <see cref="EvalShard"/>.</summary>
    public (Dictionary<string, double> Sums, Dictionary<string, FeatureSums> Features) Export()
    {
        var sums = new Dictionary<string, double>();
        if (On(EvalMetrics.Psnr)) sums[EvalMetrics.Psnr] = _psnrSum;
        if (On(EvalMetrics.Ssim)) sums[EvalMetrics.Ssim] = _ssimSum;
        if (On(EvalMetrics.Lpips)) sums[EvalMetrics.Lpips] = _lpipsSum;
        if (On(EvalMetrics.PerceptualResNet18)) sums[EvalMetrics.PerceptualResNet18] = _perceptualSum;
        var features = Statistics().ToDictionary(s => s.Key, s =>
        {
            var (count, shift, sum, outer) = s.Statistics.Export();
            return new FeatureSums(count, shift, sum, outer);
        });
        return (sums, features);
    }

    /// <summary>One run's sums from the shards' (<see cref="EvalShard.CheckComplete"/> first), in shard order.</summary>
    public static MetricRun Merge(IReadOnlyList<EvalShard> shards, EvalOptions options)
    {
        var run = new MetricRun(shards[0].Metrics, options);
        foreach (var shard in shards.OrderBy(s => s.Shard.Index))
        {
            double Sum(string key) => shard.Sums.TryGetValue(key, out var v) ? v : 0;
            run._psnrSum += Sum(EvalMetrics.Psnr);
            run._ssimSum += Sum(EvalMetrics.Ssim);
            run._lpipsSum += Sum(EvalMetrics.Lpips);
            run._perceptualSum += Sum(EvalMetrics.PerceptualResNet18);
            run._pairedFrames += shard.PairedFrames;
            run.ReferenceItems += shard.Items;
            run.TestItems += shard.Items;
            foreach (var (key, stats) in run.Statistics())
            {
                if (shard.Features.TryGetValue(key, out var f)) stats.Merge(f.Count, f.Shift, f.Sum, f.Outer);
            }
        }
        return run;
    }

    /// <summary>Reference items added (images or clips).</summary>
    public long ReferenceItems { get; private set; }

    /// <summary>Test items added.</summary>
    public long TestItems { get; private set; }

    /// <summary>Adds aligned pairs (reference, reconstruction); returns each item's PSNR (a clip's: the mean of its
    /// frames').</summary>
    public double[] AddPairs(Tensor reference, Tensor test)
    {
        if (!reference.shape.SequenceEqual(test.shape))
            throw new ArgumentException($"reference [{string.Join(", ", reference.shape)}] and reconstruction [{string.Join(", ", test.shape)}] differ in shape");
        double[] perItem;
        using (var scope = torch.NewDisposeScope())
        using (torch.no_grad())
        {
            var nets = _nets ?? throw new InvalidOperationException("a merged run takes no items");
            var a = Frames(reference).to(nets.Device);                                    // [N, 3, H, W]
            var b = Frames(test).to(nets.Device);
            long items = reference.shape[0], perClip = a.shape[0] / items;
            var psnr = Psnr.PerImage(a, b);                                                // [N] float64
            _psnrSum += psnr.sum().item<double>();
            perItem = psnr.view(items, perClip).mean([1]).cpu().data<double>().ToArray();
            if (On(EvalMetrics.Ssim)) _ssimSum += Chunked(a, b, (x, y) => Ssim.PerImage(x, y));
            if (On(EvalMetrics.Lpips)) _lpipsSum += Chunked(a, b, (x, y) => nets.Lpips.call(x, y));
            if (On(EvalMetrics.PerceptualResNet18))
            {
                var perceptual = nets.Perceptual(a.shape[2], a.shape[3]);
                _perceptualSum += Chunked(a, b, (x, y) => perceptual.call(x, y));
            }
            _pairedFrames += a.shape[0];
        }
        AddReference(reference);
        AddTest(test);
        return perItem;
    }

    /// <summary>Adds reference items to the distribution metrics.</summary>
    public void AddReference(Tensor items)
    {
        AddSet(items, _fidReference, null, _fvdReference, _fdReference);
        ReferenceItems += items.shape[0];
    }

    /// <summary>Adds test items (reconstructions or generated samples) to the distribution metrics.</summary>
    public void AddTest(Tensor items)
    {
        AddSet(items, _fidTest, _inceptionScore, _fvdTest, _fdTest);
        TestItems += items.shape[0];
    }

    /// <summary>The metrics in report order; small-sample caveats go to <paramref name="notes"/>. Without
    /// <paramref name="distributions"/> (one shard of an evaluation) only the per-image means are computed.</summary>
    /// <exception cref="ViTokException">A distribution metric has fewer than 2 items in a set.</exception>
    public IReadOnlyList<MetricValue> Compute(bool video, List<string> notes, bool distributions = true)
    {
        var values = new List<MetricValue>();
        string frames = video ? "frames" : "images";
        string perFrame = video ? " (every frame an image)" : "";
        long n = _pairedFrames;
        foreach (var m in _metrics)
        {
            if (!distributions && !EvalMetrics.Paired.Contains(m)) continue;
            switch (m)
            {
                case EvalMetrics.Psnr:
                    values.Add(new(m, _psnrSum / n, $"dB, 8-bit (data range 255), mean over {n} {frames}"));
                    break;
                case EvalMetrics.Ssim:
                    values.Add(new(m, _ssimSum / n, $"Gaussian 11×11 σ 1.5 (scikit-image), mean over {n} {frames}"));
                    break;
                case EvalMetrics.Lpips:
                    values.Add(new(m, _lpipsSum / n, $"LPIPS v0.1 VGG16, mean over {n} {frames}"));
                    break;
                case EvalMetrics.PerceptualResNet18:
                    values.Add(new(m, _perceptualSum / n, $"ResNet18 perceptual distance (not LPIPS), mean over {n} {frames}"));
                    break;
                case EvalMetrics.Fid:
                    Require(_fidReference!, _fidTest!, m);
                    values.Add(new(m, _fidReference!.FrechetDistanceTo(_fidTest!),
                        $"FID, pytorch-fid InceptionV3 pool3 (2048-d), {_fidReference.Count} vs {_fidTest!.Count} {frames}{perFrame}"));
                    SmallSample(notes, m, _fidTest.Count, 2048, "the 2048×2048 covariance is rank-deficient below 2,048 samples and FID is biased upward at small N (the paper uses 50,000)");
                    break;
                case EvalMetrics.InceptionScore:
                    int splits = (int)Math.Min(_options.InceptionScoreSplits, _inceptionScore!.Count);
                    if (splits < 1) throw new ViTokException("the inception score needs at least one item.");
                    var (mean, std) = _inceptionScore.Compute(splits);
                    values.Add(new(m, mean, $"Inception Score of the test {frames} ({_inceptionScore.Count}, {splits} splits; std {Fmt(std)})"));
                    values.Add(new(m + "_std", std, $"standard deviation of the Inception Score over its {splits} splits"));
                    if (splits < _options.InceptionScoreSplits)
                        notes.Add($"inception_score used {splits} splits instead of {_options.InceptionScoreSplits}: there are only {_inceptionScore.Count} {frames}.");
                    break;
                case EvalMetrics.FdResNet18:
                    if (_fdReference!.Count < 2 || _fdTest!.Count < 2)
                        throw new ViTokException($"{m} needs at least 2 {frames} per set, got {_fdReference.Count} and {_fdTest!.Count}.");
                    values.Add(new(m, _fdReference.FrechetDistanceTo(_fdTest),
                        $"Fréchet distance on ImageNet ResNet18 features (512-d, 224²), {_fdReference.Count} vs {_fdTest.Count} {frames}{perFrame}; not FID"));
                    SmallSample(notes, m, _fdTest.Count, ResNet18FrechetDistance.RecommendedMinimumSamples, "the 512×512 covariance is poorly estimated below 1,000 samples");
                    break;
                case EvalMetrics.Fvd:
                    Require(_fvdReference!, _fvdTest!, m);
                    values.Add(new(m, _fvdReference!.FrechetDistanceTo(_fvdTest!),
                        $"FVD, StyleGAN-V I3D features ({_fvdReference.Dimension}-d, clips resized to T×224²), {_fvdReference.Count} vs {_fvdTest!.Count} clips"));
                    SmallSample(notes, m, _fvdTest.Count, _fvdTest.Dimension, $"the {_fvdTest.Dimension}×{_fvdTest.Dimension} covariance is rank-deficient with fewer clips than dimensions");
                    break;
            }
        }
        return values;
    }

    public void Dispose()
    {
        _fd?.Dispose();
        _fdReference?.Dispose();
        _fdTest?.Dispose();
        _fidReference?.Dispose();
        _fidTest?.Dispose();
        _fvdReference?.Dispose();
        _fvdTest?.Dispose();
        _inceptionScore?.Dispose();
    }

    private bool On(string metric) => _metrics.Contains(metric);

    private void AddSet(Tensor items, FeatureStatistics? fid, InceptionScore? isc, FeatureStatistics? fvd, FeatureStatistics? fd)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var nets = _nets ?? throw new InvalidOperationException("a merged run takes no items");
        var frames = Frames(items);                                                      // [N, 3, H, W]
        fd?.Add(_fd!.Features(frames));
        if (fid is not null || isc is not null)
        {
            for (long i = 0; i < frames.shape[0]; i += _options.MetricBatchSize)
            {
                using var inner = torch.NewDisposeScope();
                var chunk = frames.narrow(0, i, Math.Min(_options.MetricBatchSize, frames.shape[0] - i)).to(nets.Device);
                var (features, logits) = nets.Inception.FeaturesAndLogits(chunk);
                fid?.Add(features);
                isc?.Add(logits);
            }
        }
        if (fvd is not null) fvd.Add(nets.I3d.Features(items.to(nets.Device)));
    }

    // Sum over the frames of a per-frame metric, evaluated MetricBatchSize frames at a time.
    private double Chunked(Tensor a, Tensor b, Func<Tensor, Tensor, Tensor> metric)
    {
        double sum = 0;
        for (long i = 0; i < a.shape[0]; i += _options.MetricBatchSize)
        {
            using var scope = torch.NewDisposeScope();
            long len = Math.Min(_options.MetricBatchSize, a.shape[0] - i);
            sum += metric(a.narrow(0, i, len), b.narrow(0, i, len)).to(ScalarType.Float64).sum().item<double>();
        }
        return sum;
    }

    // Images stay [B, 3, H, W]; clips [B, 3, T, H, W] become their frames [B·T, 3, H, W].
    private static Tensor Frames(Tensor x) => x.dim() == 5
        ? x.permute(0, 2, 1, 3, 4).reshape(x.shape[0] * x.shape[2], 3, x.shape[3], x.shape[4])
        : x;

    private static void Require(FeatureStatistics a, FeatureStatistics b, string metric)
    {
        if (a.Count < 2 || b.Count < 2)
            throw new ViTokException($"{metric} needs at least 2 samples per set, got {a.Count} and {b.Count}.");
    }

    private static void SmallSample(List<string> notes, string metric, long count, long recommended, string why)
    {
        if (count < recommended)
            notes.Add($"{metric} on {count} samples: {why}; compare it only with numbers computed on the same number of samples.");
    }

    private static string Fmt(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
}
