
namespace ViTok.Models.Dit;

/// <summary>Configuration of the latent DiT (paper §7: DiT with the tokenizer's Llama upgrades). Built from a size
/// name with <see cref="FromVariant"/>; serialised as JSON into checkpoint metadata.</summary>
public sealed record DitConfig
{
    /// <summary>The family tag stored in checkpoints.</summary>
    public const string FamilyName = "dit";

    /// <summary>Always "dit".</summary>
    public string Family { get; init; } = FamilyName;

    /// <summary>Canonical size name, e.g. XL or Bw128d4h4.</summary>
    public string Variant { get; init; } = "XL";

    /// <summary>Latent channels c of the tokenizer (the DiT's input and output width per token).</summary>
    public int Channels { get; init; } = 16;

    /// <summary>Number of classes (0 = unconditional); the embedding table has one more row, the null class.</summary>
    public int NumClasses { get; init; } = 1000;

    /// <summary>Transformer width.</summary>
    public int Width { get; init; } = 1152;

    /// <summary>Number of blocks.</summary>
    public int Depth { get; init; } = 28;

    /// <summary>Attention heads.</summary>
    public int Heads { get; init; } = 16;

    /// <summary>Gated-MLP hidden ratio: hidden = int(ratio · width) (the paper code's 2.67).</summary>
    public double MlpRatio { get; init; } = 2.67;

    /// <summary>RoPE base θ.</summary>
    public double RopeTheta { get; init; } = 10000.0;

    /// <summary>Epsilon of the affine-free LayerNorms (DiT: 1e-6).</summary>
    public double NormEps { get; init; } = 1e-6;

    /// <summary>Width of the sinusoidal timestep embedding.</summary>
    public int FrequencyDim { get; init; } = 256;

    /// <summary>Gated-MLP hidden size.</summary>
    public int MlpHidden => (int)(MlpRatio * Width);

    /// <summary>Head dimension.</summary>
    public int HeadDim => Width / Heads;

    /// <summary>The config of a size name for latents with <paramref name="channels"/> channels and
    /// <paramref name="numClasses"/> classes.</summary>
    /// <exception cref="ViTokException">The variant is invalid, <paramref name="channels"/> is not positive or <paramref name="numClasses"/> is negative.</exception>
    public static DitConfig FromVariant(string variant, int channels, int numClasses)
    {
        var v = DitVariant.Parse(variant);
        if (channels <= 0) throw new ViTokException($"latent channels must be positive, got {channels}");
        if (numClasses < 0) throw new ViTokException($"number of classes must be 0 or more, got {numClasses}");
        return new DitConfig { Variant = v.ToString(), Channels = channels, NumClasses = numClasses, Width = v.Width, Depth = v.Depth, Heads = v.Heads };
    }
}
