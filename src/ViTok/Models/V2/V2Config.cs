using ViTok.Layers;

namespace ViTok.Models.V2;

/// <summary>Immutable configuration of a ViTok-v2 auto-encoder (mirrors the keyword arguments that
/// <c>vitok.models.ae.decode_variant</c> produces for <c>AE</c>). Build it from a variant string with
/// <see cref="FromVariant"/> or from a released name with <see cref="FromName"/>.</summary>
public sealed record V2Config
{
    /// <summary>The model family this config belongs to ("v2"; the paper family has its own config).</summary>
    public string Family => "v2";

    /// <summary>The parsed variant the sizes come from.</summary>
    public required V2Variant Variant { get; init; }

    /// <summary>Encoder width: channels per token (B 768, L 1024, G 1728, T 3072, E 4096; or the <c>w</c> modifier).</summary>
    public int EncoderWidth => Variant.Encoder.Width;

    /// <summary>Number of encoder blocks.</summary>
    public int EncoderDepth => Variant.Encoder.Depth;

    /// <summary>Encoder attention heads.</summary>
    public int EncoderHeads => Variant.Encoder.Heads;

    /// <summary>Decoder width: channels per token (B 768, L 1024, G 1728, T 3072, E 4096; or the <c>w</c> modifier).</summary>
    public int DecoderWidth => Variant.Decoder.Width;

    /// <summary>Number of decoder blocks.</summary>
    public int DecoderDepth => Variant.Decoder.Depth;

    /// <summary>Decoder attention heads.</summary>
    public int DecoderHeads => Variant.Decoder.Heads;

    /// <summary>MLP factor shared by both sides: max(encoder, decoder).</summary>
    public double MlpFactor => Variant.MlpFactor;

    /// <summary>Temporal stride t (1 for every released model).</summary>
    public int TemporalStride => Variant.TemporalStride;

    /// <summary>Spatial patch size p.</summary>
    public int PatchSize => Variant.PatchSize;

    /// <summary>Latent channels per token c.</summary>
    public int Channels => Variant.Channels;

    /// <summary>LayerScale initial value (the reference AE passes 1e-4).</summary>
    public double LayerScaleInit { get; init; } = 1e-4;

    /// <summary>RoPE base θ.</summary>
    public double RopeTheta { get; init; } = Rope2D.DefaultTheta;

    /// <summary>Values per patch token: t · p · p · 3.</summary>
    public int PixelsPerToken => TemporalStride * PatchSize * PatchSize * 3;

    /// <summary>Encoder head dimension.</summary>
    public int EncoderHeadDim => EncoderWidth / EncoderHeads;

    /// <summary>Decoder head dimension.</summary>
    public int DecoderHeadDim => DecoderWidth / DecoderHeads;

    /// <summary>Encoder SwiGLU hidden size (int(W · m) rounded to a multiple of 16).</summary>
    public long EncoderHidden => SwiGlu.HiddenSize(EncoderWidth, MlpFactor);

    /// <summary>Decoder SwiGLU hidden size.</summary>
    public long DecoderHidden => SwiGlu.HiddenSize(DecoderWidth, MlpFactor);

    /// <summary>Builds the config of a variant string such as <c>Ld4-Ld24/1x16x64</c>.</summary>
    public static V2Config FromVariant(string variant) => new() { Variant = V2Variant.Parse(variant) };

    /// <summary>Builds the config of a released name (e.g. <c>350M-f16x64</c>) or, failing that, of a variant string.</summary>
    public static V2Config FromName(string nameOrVariant) =>
        FromVariant(V2Pretrained.TryGet(nameOrVariant)?.Variant ?? nameOrVariant);

    /// <summary>Encoder parameters: patch_embed, blocks, to_code (the latent LayerNorm has none).</summary>
    public long EncoderParameterCount =>
        (long)PixelsPerToken * EncoderWidth + EncoderWidth
        + EncoderDepth * BlockParameters(EncoderWidth, EncoderHeadDim, EncoderHidden)
        + (long)EncoderWidth * Channels + Channels;

    /// <summary>Decoder parameters: decoder_embed, blocks, to_pixels.</summary>
    public long DecoderParameterCount =>
        (long)Channels * DecoderWidth + DecoderWidth
        + DecoderDepth * BlockParameters(DecoderWidth, DecoderHeadDim, DecoderHidden)
        + (long)DecoderWidth * PixelsPerToken + PixelsPerToken;

    /// <summary>Multiply-accumulates per sample of <paramref name="tokens"/> tokens: every Linear plus attention's
    /// two matmuls (QKᵀ and AV, N² · W each); norms, RoPE, softmax and activations are not counted.</summary>
    public (long Encoder, long Decoder) MacsPerSample(int tokens)
    {
        long n = tokens;
        long enc = n * PixelsPerToken * EncoderWidth
                   + EncoderDepth * BlockMacs(n, EncoderWidth, EncoderHidden)
                   + n * EncoderWidth * Channels;
        long dec = n * Channels * DecoderWidth
                   + DecoderDepth * BlockMacs(n, DecoderWidth, DecoderHidden)
                   + n * DecoderWidth * PixelsPerToken;
        return (enc, dec);
    }

    /// <summary>GMACs per sample (encoder + decoder) for <paramref name="tokens"/> tokens; see <see cref="MacsPerSample"/>.</summary>
    public double GMacsPerSample(int tokens)
    {
        var (e, d) = MacsPerSample(tokens);
        return (e + d) / 1e9;
    }

    private static long BlockParameters(long w, long headDim, long hidden) =>
        w                       // norm1
        + 2 * headDim           // norm_q, norm_k
        + 3 * w * w + w * w     // qkv_proj, out_proj
        + 2 * hidden * w        // fc1
        + hidden * w            // fc2
        + w;                    // layer_scale

    private static long BlockMacs(long n, long w, long hidden) =>
        n * w * 3 * w           // qkv_proj
        + 2 * n * n * w         // QKᵀ and AV over all heads
        + n * w * w             // out_proj
        + n * w * 2 * hidden    // fc1
        + n * hidden * w;       // fc2

    /// <summary>The canonical variant string.</summary>
    public override string ToString() => Variant.ToString();
}
