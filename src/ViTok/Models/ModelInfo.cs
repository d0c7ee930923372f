using ViTok.Models.Paper;
using ViTok.Models.V2;

namespace ViTok.Models;

/// <summary>Size and cost figures of a model at an input size: what <c>vitok info</c> prints.</summary>
public sealed record ModelInfo(
    string Family,
    string Variant,
    int Channels,
    long Frames,
    long Height,
    long Width,
    long Tokens,
    long LatentFloats,
    long ParamsEncoder,
    long ParamsDecoder,
    double GmacsEncoder,
    double GmacsDecoder)
{
    /// <summary>Encoder plus decoder parameters.</summary>
    public long ParamsTotal => ParamsEncoder + ParamsDecoder;

    /// <summary>Encoder plus decoder GMACs per sample.</summary>
    public double GmacsTotal => GmacsEncoder + GmacsDecoder;

    /// <summary>Figures of a paper-family config at T×H×W.</summary>
    public static ModelInfo ForPaper(PaperConfig c, long frames, long height, long width)
    {
        long tokens = PaperCost.Tokens(c, frames, height, width);
        var (pe, pd) = PaperCost.Parameters(c);
        var (ge, gd) = PaperCost.Gmacs(c, tokens);
        return new ModelInfo(c.Family, c.Variant, c.Channels, frames, height, width, tokens, tokens * c.Channels, pe, pd, ge, gd);
    }

    /// <summary>Figures of a ViTok-v2 config at H×W (tokens = ⌈H/p⌉·⌈W/p⌉, no token-budget shrink).</summary>
    public static ModelInfo ForV2(V2Config c, long height, long width)
    {
        long p = c.PatchSize;
        long tokens = ((height + p - 1) / p) * ((width + p - 1) / p);
        var (me, md) = c.MacsPerSample((int)tokens);
        return new ModelInfo(c.Family, c.ToString(), c.Channels, 1, height, width, tokens, tokens * c.Channels,
            c.EncoderParameterCount, c.DecoderParameterCount, me / 1e9, md / 1e9);
    }
}
