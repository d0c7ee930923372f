namespace ViTok.Generation;

/// <summary>Settings of <see cref="GenerationEvaluator"/>: how many samples are generated (balanced over the classes)
/// and how many real items they are compared with, the guidance scale (the paper's sweeps: 1.5 and 3.0), sampler steps,
/// seed, and the FID weights that switch the distance from <c>fd_resnet18</c> to <c>fid</c>.</summary>
public sealed record GenerationEvalOptions
{
    /// <summary>Generated samples (class-balanced).</summary>
    public int Samples { get; init; } = 1000;

    /// <summary>Real items in the reference set; 0 = as many as <see cref="Samples"/>.</summary>
    public int RealSamples { get; init; }

    /// <summary>Guidance scale.</summary>
    public double Cfg { get; init; } = 1.5;

    /// <summary>Sampler steps; null = the checkpoint's default.</summary>
    public int? Steps { get; init; }

    /// <summary>Seed of the noise (and of the real subset's order).</summary>
    public long Seed { get; init; }

    /// <summary>Samples per DiT / tokenizer call.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>pytorch-fid Inception weights (<c>pt_inception-2015-12-05-6726825d.pth</c>); null = ResNet18 distance.</summary>
    public string? FidWeights { get; init; }

    /// <summary>Also report the distance per class.</summary>
    public bool PerClass { get; init; } = true;
}
