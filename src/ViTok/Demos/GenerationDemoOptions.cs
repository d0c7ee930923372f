using ViTok.Diffusion;
using ViTok.Generation;

namespace ViTok.Demos;

/// <summary>Settings of <see cref="GenerationDemo"/>: the CPU-sized DiT and its recipe, the number of samples behind each
/// distance, and the guidance scales of the grid and of the distance.</summary>
public sealed record GenerationDemoOptions
{
    /// <summary>DiT size.</summary>
    public string Variant { get; init; } = "Bw128d6h4";

    /// <summary>Diffusion formulation and sampler steps.</summary>
    public DiffusionConfig Diffusion { get; init; } = new() { Kind = "flow", SampleSteps = 25 };

    /// <summary>Batch size.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Peak learning rate.</summary>
    public double Lr { get; init; } = 1e-3;

    /// <summary>EMA decay (with warm-up).</summary>
    public double EmaDecay { get; init; } = 0.999;

    /// <summary>Samples per distance (generated, decoded noise, decoded real latents; and the real reference set).</summary>
    public int FdSamples { get; init; } = 1000;

    /// <summary>Guidance scale of the distance.</summary>
    public double FdCfg { get; init; } = 1.5;

    /// <summary>Guidance scale of the 10 × 8 grid.</summary>
    public double GridCfg { get; init; } = 4.0;

    /// <summary>Seed.</summary>
    public long Seed { get; init; }

    /// <summary>Folder with the Fashion-MNIST IDX files (null = Debian's).</summary>
    public string? DataFolder { get; init; }

    /// <summary>Items per encoder/decoder call.</summary>
    public int CodecBatch { get; init; } = 256;

    /// <summary>How 28×28 images meet the tokenizer's training size S: auto (pad when 28 ≤ S ≤ 36, else resize), pad
    /// (centred, black) or resize.</summary>
    public string Preparation { get; init; } = "auto";

    /// <summary>Use only this many training images (0 = all 60k; small values for tests).</summary>
    public int TrainItems { get; init; }

    /// <summary>pytorch-fid Inception weights: the distances become FID.</summary>
    public string? FidWeights { get; init; }
}
