using System.Text.Json.Serialization;
using ViTok.Diffusion;
using ViTok.Training;

namespace ViTok.Generation;

/// <summary>A DiT training run's configuration (snake_case JSON). Defaults follow the paper's generator recipe (§7 and
/// its code's i1k config): DiT-L, DDPM with ε-prediction, batch 256, AdamW (0.9, 0.95) with weight decay 1e-4, peak
/// lr 1e-4·batch/256, 10 % warmup then cosine to 3e-5, EMA 0.9999, label dropout 0.1. Resolution order: these
/// defaults, the <c>--config</c> file, then <c>--set key=value</c>. The optimisation and run keys are those of
/// <see cref="RunConfig"/> (flat in JSON), with the DiT's defaults set here.</summary>
public sealed record DitTrainConfig : RunConfig
{
    /// <summary>The defaults of the paper's generator recipe: batch 256, 500k steps (the paper's sweeps), 10 % warmup,
    /// cosine floor 3e-5, a checkpoint and a sample grid every 1000 steps.</summary>
    public DitTrainConfig()
    {
        BatchSize = 256;
        Steps = 500_000;
        WarmupRatio = 0.1;
        MinLr = 3e-5;
        CheckpointEvery = 1000;
        SampleEvery = 1000;
    }

    /// <summary>DiT size: S, B, L, XL with optional w/d/h modifiers (e.g. Bw128d4h4).</summary>
    public string Variant { get; init; } = "L";

    /// <summary>Diffusion formulation and its sampler.</summary>
    public DiffusionConfig Diffusion { get; init; } = new();

    /// <summary>Folder of latent shards written by <c>vitok encode-dataset</c>.</summary>
    public string? Latents { get; init; }

    /// <summary>Warm the EMA up: decay min(ema_decay, (1 + n)/(10 + n)) at step n, so short runs are not dominated
    /// by the initial weights.</summary>
    [JsonPropertyOrder(1)]
    public bool EmaWarmup { get; init; }

    /// <summary>Probability of replacing a label by the null class (classifier-free guidance).</summary>
    [JsonPropertyOrder(1)]
    public double ClassDropout { get; init; } = 0.1;

    /// <summary>Latent normalisation: the DiT models scale·z. Null = 1/std of the training latents (measured at the
    /// start, SD-style); 1 = none (the paper).</summary>
    [JsonPropertyOrder(1)]
    public double? LatentScale { get; init; }

    /// <summary>Train on posterior samples z = mean + σ·ε drawn every step (the paper code) instead of the means.</summary>
    [JsonPropertyOrder(1)]
    public bool SamplePosterior { get; init; } = true;

    /// <summary>Guidance scale of the sample grids (the paper's image figures: 4.0).</summary>
    [JsonPropertyOrder(1)]
    public double SampleCfg { get; init; } = 4.0;

    /// <summary>Samples per class (columns) in the grids.</summary>
    [JsonPropertyOrder(1)]
    public int SamplesPerClass { get; init; } = 8;

    /// <summary>The learning rate actually used: <see cref="RunConfig.Lr"/> or 1e-4 × batch / 256.</summary>
    [JsonPropertyOrder(2)]
    public override double PeakLr => Lr ?? 1e-4 * BatchSize / 256.0;

    /// <inheritdoc />
    protected override IReadOnlyList<string> KeyOrder { get; } =
    [
        "variant", "diffusion", "latents", "batch_size", "steps", "lr", "warmup_ratio", "min_lr", "beta1", "beta2", "weight_decay",
        "grad_clip", "ema_decay", "ema_warmup", "class_dropout", "latent_scale", "sample_posterior", "seed", "log_every", "checkpoint_every",
        "first_checkpoint_minutes", "sample_every", "keep_last", "max_bad_steps", "dtype", "device", "max_minutes", "sample_cfg",
        "samples_per_class", "peak_lr",
    ];
}
