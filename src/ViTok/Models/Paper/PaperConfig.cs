
namespace ViTok.Models.Paper;

/// <summary>Configuration of the paper family's auto-encoder (paper §2; defaults are the paper's). Built from a
/// variant string with <see cref="FromVariant"/>; serialised as JSON into checkpoint metadata.</summary>
public sealed record PaperConfig
{
    /// <summary>The model family tag stored in checkpoints.</summary>
    public const string FamilyName = "paper";

    /// <summary>Model family: always "paper" for this record.</summary>
    public string Family { get; init; } = FamilyName;

    /// <summary>Canonical variant string, e.g. S-B/16.</summary>
    public string Variant { get; init; } = "S-B/16";

    /// <summary>Latent channels c per token (paper default 16).</summary>
    public int Channels { get; init; } = 16;

    /// <summary>Encoder width: channels per token (Table 1: S and B 768, L 1152; or the <c>w</c> modifier).</summary>
    public int EncoderWidth { get; init; } = 768;

    /// <summary>Encoder depth (blocks).</summary>
    public int EncoderDepth { get; init; } = 6;

    /// <summary>Encoder attention heads.</summary>
    public int EncoderHeads { get; init; } = 12;

    /// <summary>Decoder width: channels per token (Table 1: S and B 768, L 1152; or the <c>w</c> modifier).</summary>
    public int DecoderWidth { get; init; } = 768;

    /// <summary>Decoder depth (blocks).</summary>
    public int DecoderDepth { get; init; } = 12;

    /// <summary>Decoder attention heads.</summary>
    public int DecoderHeads { get; init; } = 12;

    /// <summary>Spatial patch size p.</summary>
    public int PatchSize { get; init; } = 16;

    /// <summary>Temporal tubelet size q (1 for images).</summary>
    public int TubeletSize { get; init; } = 1;

    /// <summary>MLP hidden ratio: hidden = int(ratio · width).</summary>
    public double MlpRatio { get; init; } = 2.67;

    /// <summary>RoPE base θ.</summary>
    public double RopeTheta { get; init; } = 10000.0;

    /// <summary>LayerNorm epsilon.</summary>
    public double NormEps { get; init; } = 1e-5;

    /// <summary>Lower clamp of the posterior log-variance.</summary>
    public double LogVarMin { get; init; } = -30.0;

    /// <summary>Upper clamp of the posterior log-variance.</summary>
    public double LogVarMax { get; init; } = 20.0;

    /// <summary>Encoder MLP hidden size, int(2.67·W) (2050 for 768, 3075 for 1152).</summary>
    public int EncoderHidden => (int)(MlpRatio * EncoderWidth);

    /// <summary>Decoder MLP hidden size.</summary>
    public int DecoderHidden => (int)(MlpRatio * DecoderWidth);

    /// <summary>Pixels per token: 3·q·p².</summary>
    public int PixelsPerToken => 3 * TubeletSize * PatchSize * PatchSize;

    /// <summary>Builds the config of a variant string (e.g. <c>S-B/16</c>, <c>Sw192d4h3-Bw256d4h4/4x8</c>).</summary>
    /// <exception cref="ViTokException">The variant is invalid or <paramref name="channels"/> is not positive.</exception>
    public static PaperConfig FromVariant(string variant, int channels = 16)
    {
        var v = PaperVariant.Parse(variant);
        if (channels <= 0) throw new ViTokException($"latent channels must be positive, got {channels}");
        return new PaperConfig
        {
            Variant = v.ToString(),
            Channels = channels,
            EncoderWidth = v.Encoder.Width,
            EncoderDepth = v.Encoder.Depth,
            EncoderHeads = v.Encoder.Heads,
            DecoderWidth = v.Decoder.Width,
            DecoderDepth = v.Decoder.Depth,
            DecoderHeads = v.Decoder.Heads,
            PatchSize = v.PatchSize,
            TubeletSize = v.TubeletSize,
        };
    }

    /// <summary>Throws a <see cref="ViTokException"/> naming the nearest valid size when T×H×W is not a multiple of
    /// the tubelet q×p×p.</summary>
    /// <exception cref="ViTokException">The size is not a multiple of the tubelet; the message gives the nearest valid size.</exception>
    public void ValidateInputSize(long frames, long height, long width, bool isImage)
    {
        int p = PatchSize, q = TubeletSize;
        if (height % p == 0 && width % p == 0 && frames % q == 0) return;
        string size = isImage ? $"{width}x{height} (WxH)" : $"{frames} frames of {width}x{height} (WxH)";
        string valid = isImage ? $"{Nearest(width, p)}x{Nearest(height, p)}" : $"{Nearest(frames, q)} frames of {Nearest(width, p)}x{Nearest(height, p)}";
        throw new ViTokException($"input size {size} is not a multiple of the tubelet {q}×{p}×{p} of {Variant}; the nearest valid size is {valid}. Pad or crop the input (the model never guesses).");
    }

    private static long Nearest(long n, int m) => Math.Max(m, (long)Math.Round((double)n / m, MidpointRounding.AwayFromZero) * m);
}
