using ViTok.Diffusion;
using ViTok.Training;

namespace ViTok.Generation;

/// <summary>A DiT training run's configuration (snake_case JSON). Defaults follow the paper's generator recipe (§7 and
/// its code's i1k config): DiT-L, DDPM with ε-prediction, batch 256, AdamW (0.9, 0.95) with weight decay 1e-4, peak
/// lr 1e-4·batch/256, 10 % warmup then cosine to 3e-5, EMA 0.9999, label dropout 0.1. Resolution order: these
/// defaults, the <c>--config</c> file, then <c>--set key=value</c>.</summary>
public sealed record DitTrainConfig
{
    /// <summary>DiT size: S, B, L, XL with optional w/d/h modifiers (e.g. Bw128d4h4).</summary>
    public string Variant { get; init; } = "L";

    /// <summary>Diffusion formulation and its sampler.</summary>
    public DiffusionConfig Diffusion { get; init; } = new();

    /// <summary>Folder of latent shards written by <c>vitok encode-dataset</c>.</summary>
    public string? Latents { get; init; }

    /// <summary>Batch size.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Total optimiser steps (paper sweeps: 500k).</summary>
    public int Steps { get; init; } = 500_000;

    /// <summary>Peak learning rate; null = 1e-4 × batch / 256.</summary>
    public double? Lr { get; init; }

    /// <summary>Fraction of the steps spent in linear warmup.</summary>
    public double WarmupRatio { get; init; } = 0.1;

    /// <summary>Floor of the cosine schedule.</summary>
    public double MinLr { get; init; } = 3e-5;

    /// <summary>AdamW β1.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>AdamW β2.</summary>
    public double Beta2 { get; init; } = 0.95;

    /// <summary>Weight decay on weight matrices only.</summary>
    public double WeightDecay { get; init; } = 1e-4;

    /// <summary>Gradient clipping at this global L2 norm (0 = off). The paper code sets 1.0 but never applies it;
    /// ViTok-v2 applies it.</summary>
    public double GradClip { get; init; } = 1.0;

    /// <summary>EMA decay of the weights that are sampled and exported.</summary>
    public double EmaDecay { get; init; } = 0.9999;

    /// <summary>Warm the EMA up: decay min(ema_decay, (1 + n)/(10 + n)) at step n, so short runs are not dominated
    /// by the initial weights.</summary>
    public bool EmaWarmup { get; init; }

    /// <summary>Probability of replacing a label by the null class (classifier-free guidance).</summary>
    public double ClassDropout { get; init; } = 0.1;

    /// <summary>Latent normalisation: the DiT models scale·z. Null = 1/std of the training latents (measured at the
    /// start, SD-style); 1 = none (the paper).</summary>
    public double? LatentScale { get; init; }

    /// <summary>Train on posterior samples z = mean + σ·ε drawn every step (the paper code) instead of the means.</summary>
    public bool SamplePosterior { get; init; } = true;

    /// <summary>Seed of every random choice (init, data order, noise, timesteps, label dropout).</summary>
    public long Seed { get; init; }

    /// <summary>Steps between log lines.</summary>
    public int LogEvery { get; init; } = 10;

    /// <summary>Steps between checkpoints.</summary>
    public int CheckpointEvery { get; init; } = 1000;

    /// <summary>Minutes of training after which a first checkpoint is written when <see cref="CheckpointEvery"/> has not
    /// come yet (also after a resume), so a crash never loses more than this; 0 = only at <c>checkpoint_every</c>.</summary>
    public double FirstCheckpointMinutes { get; init; } = 3;

    /// <summary>Steps between sample grids.</summary>
    public int SampleEvery { get; init; } = 1000;

    /// <summary>Checkpoints kept.</summary>
    public int KeepLast { get; init; } = 3;

    /// <summary>Consecutive non-finite steps after which the run stops.</summary>
    public int MaxBadSteps { get; init; } = 10;

    /// <summary>Compute dtype: f32 or bf16 (fp32 master weights).</summary>
    public string Dtype { get; init; } = "f32";

    /// <summary>Device: cpu or cuda[:N].</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>Stop after this many minutes (0 = no limit), with a checkpoint.</summary>
    public double MaxMinutes { get; init; }

    /// <summary>Guidance scale of the sample grids (the paper's image figures: 4.0).</summary>
    public double SampleCfg { get; init; } = 4.0;

    /// <summary>Samples per class (columns) in the grids.</summary>
    public int SamplesPerClass { get; init; } = 8;

    /// <summary>The learning rate actually used.</summary>
    public double PeakLr => Lr ?? 1e-4 * BatchSize / 256.0;
}
