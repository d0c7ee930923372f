
namespace ViTok.Models.Paper;

/// <summary>Parameter counts and compute of a paper-family model, from its config alone (no weights allocated).
/// GMACs count the multiply-accumulates of every Linear and convolution and of attention's two matrix products
/// (QKᵀ and AV), per sample: the paper's "GFLOPs" column (paper §9).</summary>
public static class PaperCost
{
    /// <summary>Encoder-side and decoder-side parameter counts.</summary>
    public static (long Encoder, long Decoder) Parameters(PaperConfig c)
    {
        long embed = (long)c.EncoderWidth * c.PixelsPerToken + c.EncoderWidth;
        long enc = embed + Stack(c.EncoderWidth, c.EncoderDepth, c.EncoderHidden) + (long)c.EncoderWidth * 2 * c.Channels + 2 * c.Channels;
        long toDec = (long)c.Channels * c.DecoderWidth + c.DecoderWidth;
        long unembed = (long)c.DecoderWidth * c.PixelsPerToken + 3;
        long dec = toDec + Stack(c.DecoderWidth, c.DecoderDepth, c.DecoderHidden) + unembed;
        return (enc, dec);
    }

    private static long Stack(long w, long depth, long hidden)
    {
        long block = 2 * 2 * w                      // norm1, norm2
                     + 3 * w * w                    // qkv (no bias)
                     + w * w + w                    // proj
                     + 2 * (w * hidden + hidden)    // fc1 (gate), fc2 (up)
                     + hidden * w + w;              // fc3 (out)
        return depth * block + 2 * w;               // + final norm
    }

    /// <summary>Tokens of an input of <paramref name="frames"/>×<paramref name="height"/>×<paramref name="width"/>.</summary>
    public static long Tokens(PaperConfig c, long frames, long height, long width) =>
        (frames / c.TubeletSize) * (height / c.PatchSize) * (width / c.PatchSize);

    /// <summary>Encoder and decoder GMACs per sample for a given token count.</summary>
    public static (double Encoder, double Decoder) Gmacs(PaperConfig c, long tokens)
    {
        double n = tokens;
        double enc = n * c.EncoderWidth * c.PixelsPerToken                        // tubelet embedding
                     + c.EncoderDepth * BlockMacs(n, c.EncoderWidth, c.EncoderHidden)
                     + n * c.EncoderWidth * 2 * c.Channels;                       // encoder_to_code
        double dec = n * c.Channels * c.DecoderWidth                              // code_to_decoder
                     + c.DecoderDepth * BlockMacs(n, c.DecoderWidth, c.DecoderHidden)
                     + n * c.DecoderWidth * c.PixelsPerToken;                     // tubelet decode
        return (enc / 1e9, dec / 1e9);
    }

    private static double BlockMacs(double n, double w, double hidden) =>
        n * (3 * w * w + w * w + 3 * w * hidden)   // qkv, proj, fc1/fc2/fc3
        + 2 * n * n * w;                           // QKᵀ and AV over all heads
}
