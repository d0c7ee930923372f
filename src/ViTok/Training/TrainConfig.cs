using System.Text.Json.Nodes;

namespace ViTok.Training;

/// <summary>A training run's configuration (snake_case JSON; defaults reproduce the paper's recipe, §3). Resolution
/// order: these defaults, then the <c>--config</c> file, then <c>--set key=value</c> overrides.</summary>
public sealed record TrainConfig
{
    /// <summary>Model family: paper or v2.</summary>
    public string Family { get; init; } = "paper";

    /// <summary>Variant string of the family's grammar.</summary>
    public string Variant { get; init; } = "S-B/16";

    /// <summary>Latent channels c (paper family; v2 takes c from its variant).</summary>
    public int Channels { get; init; } = 16;

    /// <summary>Training data: a path (kind detected) or an object naming a data-layer source.</summary>
    public JsonNode? Data { get; init; }

    /// <summary>Training augmentation: the paper's RandomResizedCrop (0.8–1) and flip; false uses the eval transform.</summary>
    public bool Augment { get; init; } = true;

    /// <summary>Training resolution (square).</summary>
    public int ImageSize { get; init; } = 256;

    /// <summary>Frames per clip (1 for images).</summary>
    public int Frames { get; init; } = 1;

    /// <summary>Batch size.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Total optimiser steps.</summary>
    public int Steps { get; init; } = 1000;

    /// <summary>Peak learning rate; null = the paper's rule 1e-4 × batch × frames / 256.</summary>
    public double? Lr { get; init; }

    /// <summary>Fraction of the steps spent in linear warmup (paper code: 3 %).</summary>
    public double WarmupRatio { get; init; } = 0.03;

    /// <summary>Floor of the cosine schedule (paper code: 1e-5).</summary>
    public double MinLr { get; init; } = 1e-5;

    /// <summary>AdamW β1.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>AdamW β2.</summary>
    public double Beta2 { get; init; } = 0.95;

    /// <summary>Weight decay on weight matrices only.</summary>
    public double WeightDecay { get; init; } = 1e-4;

    /// <summary>Gradient clipping (global L2 norm).</summary>
    public double GradClip { get; init; } = 1.0;

    /// <summary>Seed of every random choice (init, data order, augmentation, posterior noise).</summary>
    public long Seed { get; init; } = 0;

    /// <summary>1 (reconstruction + perceptual + KL) or 2 (GAN fine-tune of the decoder, encoder frozen).</summary>
    public int Stage { get; init; } = 1;

    /// <summary>A checkpoint to start from (required for stage 2).</summary>
    public string? InitFrom { get; init; }

    /// <summary>Loss terms and weights.</summary>
    public LossConfig Loss { get; init; } = new();

    /// <summary>Discriminator learning rate (paper: 2e-5).</summary>
    public double DiscLr { get; init; } = 2e-5;

    /// <summary>Discriminator base channels (StyleGAN: 64; smaller for CPU runs).</summary>
    public int DiscChannels { get; init; } = 64;

    /// <summary>Decay of the decoder EMA kept in stage 2 (paper: 0.9999); 0 disables it.</summary>
    public double EmaDecay { get; init; } = 0.9999;

    /// <summary>Steps between checkpoints.</summary>
    public int CheckpointEvery { get; init; } = 500;

    /// <summary>Minutes of training after which a first checkpoint is written when <see cref="CheckpointEvery"/> has not
    /// come yet (also after a resume), so a crash never loses more than this; 0 = only at <c>checkpoint_every</c>.</summary>
    public double FirstCheckpointMinutes { get; init; } = 3;

    /// <summary>Steps between reconstruction grids.</summary>
    public int SampleEvery { get; init; } = 500;

    /// <summary>Steps between log lines.</summary>
    public int LogEvery { get; init; } = 10;

    /// <summary>Checkpoints kept (older ones are deleted).</summary>
    public int KeepLast { get; init; } = 3;

    /// <summary>Consecutive non-finite steps after which the run stops.</summary>
    public int MaxBadSteps { get; init; } = 10;

    /// <summary>Data-loading workers.</summary>
    public int Workers { get; init; } = 2;

    /// <summary>Compute dtype: f32, or bf16 (bf16 compute with fp32 master weights).</summary>
    public string Dtype { get; init; } = "f32";

    /// <summary>Device: cpu or cuda[:N].</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>Recompute each block in the backward pass instead of storing its activations.</summary>
    public bool ActivationCheckpointing { get; init; }

    /// <summary>Stop after this many minutes (0 = no limit); the run saves a checkpoint and ends cleanly.</summary>
    public double MaxMinutes { get; init; }

    /// <summary>The learning rate actually used: <see cref="Lr"/> or 1e-4 × batch × frames / 256.</summary>
    public double PeakLr => Lr ?? 1e-4 * BatchSize * Frames / 256.0;
}
