using ViTok.Generation;

namespace ViTok.Demos;

/// <summary>What <see cref="GenerationDemo"/> measured (the content of <c>generation.json</c>): the distance under its
/// true name for the DiT's samples, decoded Gaussian latents and decoded real test latents, each on the same number
/// of samples against the same real reference set, and where the grid and the model are.</summary>
public sealed record GenerationDemoReport
{
    /// <summary>fd_resnet18 or fid.</summary>
    public string Metric { get; init; } = "";

    /// <summary>Distance of the DiT's samples.</summary>
    public double FdModel { get; init; }

    /// <summary>Distance of decoded Gaussian latents (N(0, I) in the DiT's scaled space).</summary>
    public double FdNoise { get; init; }

    /// <summary>Distance of decoded real test-set latents (the tokenizer's own floor).</summary>
    public double FdRealLatents { get; init; }

    /// <summary>(fd_model − fd_real_latents) / (fd_noise − fd_real_latents); the target is below 0.25.</summary>
    public double GapRatio { get; init; }

    /// <summary>Samples per distance.</summary>
    public int Samples { get; init; }

    /// <summary>Guidance scale of the distance.</summary>
    public double Cfg { get; init; }

    /// <summary>Guidance scale of the grid.</summary>
    public double GridCfg { get; init; }

    /// <summary>ddpm or flow, and its sampler steps.</summary>
    public string Sampler { get; init; } = "";

    /// <summary>Sampler steps.</summary>
    public int SampleSteps { get; init; }

    /// <summary>DiT size and parameters.</summary>
    public string Dit { get; init; } = "";

    /// <summary>DiT parameters.</summary>
    public long DitParameters { get; init; }

    /// <summary>Optimiser steps done.</summary>
    public int TrainSteps { get; init; }

    /// <summary>Minutes spent training.</summary>
    public double TrainMinutes { get; init; }

    /// <summary>Latent scale the DiT works in.</summary>
    public double LatentScale { get; init; }

    /// <summary>The tokenizer checkpoint.</summary>
    public string Tokenizer { get; init; } = "";

    /// <summary>The 10 × 8 sample grid (rows = classes).</summary>
    public string Grid { get; init; } = "";

    /// <summary>The exported DiT.</summary>
    public string Model { get; init; } = "";

    /// <summary>Distance per class of the DiT's samples (class-balanced samples against that class's real items).</summary>
    public IReadOnlyDictionary<string, double> PerClass { get; init; } = new Dictionary<string, double>();
}
