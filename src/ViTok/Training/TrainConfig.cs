using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace ViTok.Training;

/// <summary>A tokenizer training run's configuration (snake_case JSON; defaults reproduce the paper's recipe, §3): the
/// model and data keys here, the optimisation and run keys of <see cref="RunConfig"/>, the stage-2 keys after them.
/// Resolution order: these defaults, then the <c>--config</c> file, then <c>--set key=value</c> overrides.</summary>
public sealed record TrainConfig : RunConfig
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

    /// <summary>1 (reconstruction + perceptual + KL) or 2 (GAN fine-tune of the decoder, encoder frozen).</summary>
    [JsonPropertyOrder(1)]
    public int Stage { get; init; } = 1;

    /// <summary>A checkpoint to start from (required for stage 2).</summary>
    [JsonPropertyOrder(1)]
    public string? InitFrom { get; init; }

    /// <summary>Loss terms and weights.</summary>
    [JsonPropertyOrder(1)]
    public LossConfig Loss { get; init; } = new();

    /// <summary>Discriminator learning rate (paper: 2e-5).</summary>
    [JsonPropertyOrder(1)]
    public double DiscLr { get; init; } = 2e-5;

    /// <summary>Discriminator base channels (StyleGAN: 64; smaller for CPU runs).</summary>
    [JsonPropertyOrder(1)]
    public int DiscChannels { get; init; } = 64;

    /// <summary>Data-loading workers.</summary>
    [JsonPropertyOrder(1)]
    public int Workers { get; init; } = 2;

    /// <summary>Recompute each block in the backward pass instead of storing its activations.</summary>
    [JsonPropertyOrder(1)]
    public bool ActivationCheckpointing { get; init; }

    /// <summary>The learning rate actually used: <see cref="RunConfig.Lr"/> or 1e-4 × batch × frames / 256.</summary>
    [JsonPropertyOrder(2)]
    public override double PeakLr => Lr ?? 1e-4 * BatchSize * Frames / 256.0;

    /// <summary>Centre each image on a black (−1) canvas of pad_to × pad_to after the transform (0 = off), as the
    /// authors' release pads Fashion-MNIST 28 → 32; the model, the losses and the evaluation then see pad_to.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int PadTo { get; init; }

    /// <summary>The side the model sees: <see cref="PadTo"/> when set, else <see cref="ImageSize"/>.</summary>
    [JsonIgnore]
    public int InputSize => PadTo > 0 ? PadTo : ImageSize;

    /// <inheritdoc />
    protected override IReadOnlyList<string> KeyOrder { get; } =
    [
        "family", "variant", "channels", "data", "augment", "image_size", "frames", "batch_size", "steps", "lr", "warmup_ratio", "min_lr",
        "beta1", "beta2", "weight_decay", "grad_clip", "seed", "stage", "init_from", "loss", "disc_lr", "disc_channels", "ema_decay",
        "checkpoint_every", "first_checkpoint_minutes", "sample_every", "log_every", "keep_last", "max_bad_steps", "workers", "dtype",
        "device", "activation_checkpointing", "max_minutes", "peak_lr",
    ];
}
