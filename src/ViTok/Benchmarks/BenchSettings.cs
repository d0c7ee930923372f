using ViTok.Models;

namespace ViTok.Benchmarks;

/// <summary>One setting of <see cref="ModelBench"/>: the model (a random-weight variant or a checkpoint), the input
/// size, batch, dtype, device and libtorch thread count.</summary>
public sealed record BenchSettings
{
    /// <summary>What is timed.</summary>
    public BenchMode Mode { get; init; } = BenchMode.Both;

    /// <summary>Model family (paper or v2) of a random-weight model; a checkpoint's own family wins.</summary>
    public string Family { get; init; } = "paper";

    /// <summary>Variant string of the family's grammar (a random-weight model needs one); with a checkpoint, passed to
    /// the loader (ViTok-v2 weights without variant.txt); null: the checkpoint's own.</summary>
    public string? Variant { get; init; }

    /// <summary>Latent channels c of a random-weight paper-family model.</summary>
    public int Channels { get; init; } = 16;

    /// <summary>A checkpoint to load instead of random weights (a .safetensors file or a ViTok-v2 folder).</summary>
    public string? Checkpoint { get; init; }

    /// <summary>Input height in pixels (≥ 1).</summary>
    public long Height { get; init; } = 256;

    /// <summary>Input width in pixels (≥ 1; train-step needs Height = Width).</summary>
    public long Width { get; init; } = 256;

    /// <summary>Frames T (1 = images [B, 3, H, W]; more = videos [B, 3, T, H, W], paper family).</summary>
    public int Frames { get; init; } = 1;

    /// <summary>Items per batch (≥ 1).</summary>
    public int Batch { get; init; } = 1;

    /// <summary>Compute dtype: float32, or bfloat16 (bf16 weights and activations for inference; bf16 compute with
    /// fp32 master weights for train-step).</summary>
    public ScalarType Dtype { get; init; } = ScalarType.Float32;

    /// <summary>Device text: cpu, cuda or cuda:N.</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>libtorch intra-op threads while this setting runs; 0 keeps the process's current count.</summary>
    public int Threads { get; init; }

    /// <summary>Train-step: the training data (any path a run config's <c>data</c> takes), read through the real loader
    /// (<see cref="Training.LoaderTrainingData"/>, its default workers and augmentation); null: in-memory random images.</summary>
    public string? Data { get; init; }

    /// <summary>Seed of the random weights and inputs.</summary>
    public long Seed { get; init; }

    /// <summary>Short label: mode, model, size, batch, dtype, threads (e.g. <c>both paper S-B/16 256x256 b1 f32 t2</c>).</summary>
    public string Label =>
        $"{ModeName(Mode)} {(Checkpoint is null ? $"{Family} {Variant}" : Path.GetFileName(Checkpoint.TrimEnd('/', '\\')))} " +
        $"{(Frames > 1 ? $"{Frames}x" : "")}{Height}x{Width} b{Batch} {DtypeName(Dtype)} t{(Threads > 0 ? Threads : torch.get_num_threads())}";

    /// <summary>The mode as the command line spells it (encode, decode, both, train-step).</summary>
    public static string ModeName(BenchMode mode) => mode == BenchMode.TrainStep ? "train-step" : mode.ToString().ToLowerInvariant();

    /// <summary>The dtype as the command line spells it (f32, bf16).</summary>
    public static string DtypeName(ScalarType dtype) => dtype == ScalarType.BFloat16 ? "bf16" : dtype == ScalarType.Float32 ? "f32" : dtype.ToString();

    /// <summary>The model's (family, variant, channels): the checkpoint's when one is given.</summary>
    /// <exception cref="ViTokException">No variant and no checkpoint.</exception>
    public (string Family, string Variant, int Channels) Describe() =>
        Checkpoint is not null ? Autoencoders.Describe(Checkpoint, Variant)
        : Variant is not null ? (Family, Variant, Channels)
        : throw new ViTokException("give --variant (a random-weight model) or --checkpoint.");
}
