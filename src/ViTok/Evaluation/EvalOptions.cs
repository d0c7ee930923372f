namespace ViTok.Evaluation;

/// <summary>Settings of <see cref="ReconstructionEvaluator"/>. The defaults evaluate 1,000 items with every metric
/// whose weights are available (see <see cref="EvalMetrics"/>).</summary>
public sealed record EvalOptions
{
    /// <summary>Items (images or clips) to evaluate: the first N of the source in its order; fewer when the source
    /// has fewer.</summary>
    public int Count { get; init; } = 1000;

    /// <summary>Items per reconstruction batch.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Images (frames) per forward pass of the metric networks.</summary>
    public int MetricBatchSize { get; init; } = 32;

    /// <summary>Data loader decoding threads.</summary>
    public int Workers { get; init; } = 2;

    /// <summary>Metric names to compute (see <see cref="EvalMetrics.All"/>); null or empty = the default set.</summary>
    public IReadOnlyList<string>? Metrics { get; init; }

    /// <summary>pytorch-fid's <c>pt_inception-2015-12-05-6726825d.pth</c>: enables FID and the Inception Score.</summary>
    public string? FidWeights { get; init; }

    /// <summary>A folder holding <c>vgg16-397923af.pth</c> and LPIPS's <c>vgg.pth</c>: enables LPIPS.</summary>
    public string? LpipsWeights { get; init; }

    /// <summary>StyleGAN-V's <c>i3d_torchscript.pt</c>: enables FVD for videos.</summary>
    public string? I3dWeights { get; init; }

    /// <summary>The ResNet18 ONNX graph (null = the packaged copy beside the application).</summary>
    public string? ResNet18Model { get; init; }

    /// <summary>The ResNet18 preprocessing ONNX graph (null = the packaged copy).</summary>
    public string? ResNet18Preprocess { get; init; }

    /// <summary>Splits of the Inception Score (fewer when there are fewer items).</summary>
    public int InceptionScoreSplits { get; init; } = ViTok.Metrics.InceptionScore.DefaultSplits;

    /// <summary>How many best and how many worst reconstructions (by PSNR) to keep for the report's grid.</summary>
    public int GridItems { get; init; } = 4;

    /// <summary>The part of the evaluation this process does (<c>--shard i/N</c>): a contiguous run of whole batches,
    /// so that the batches, and with them every number, are those of a single run; the result then carries
    /// <see cref="EvalResult.ShardStats"/> for <see cref="ReconstructionEvaluator.Merge"/>.</summary>
    public Data.ShardSpec Shard { get; init; } = Data.ShardSpec.Whole;

    /// <summary>Called after every batch with (items done, items planned).</summary>
    public Action<long, long>? Progress { get; init; }
}
