using ViTok.Models;
using ViTok.Models.V2;

namespace ViTok.Tests.Models;

public sealed class V2VariantTests
{
    [Theory]
    // text, enc (w, d, h), dec (w, d, h), t, p, c, mlp
    [InlineData("Ld4-Ld24/1x16x64", 1024, 4, 16, 1024, 24, 16, 1, 16, 64, 2.67)]
    [InlineData("Td4-T/1x32x128", 3072, 4, 24, 3072, 40, 24, 1, 32, 128, 2.67)]
    [InlineData("Bw128d2h4-Bw128d3h4/1x16x8", 128, 2, 4, 128, 3, 4, 1, 16, 8, 2.67)]
    [InlineData("w64_d2_h4-w96_d3_h4/1x8x16", 64, 2, 4, 96, 3, 4, 1, 8, 16, 2.67)]
    [InlineData("B/1x16x64", 768, 12, 12, 768, 12, 12, 1, 16, 64, 2.67)]
    [InlineData("Ld2-Ld22/1x16x64", 1024, 2, 16, 1024, 22, 16, 1, 16, 64, 2.67)]
    [InlineData("Gm3.28-E/1x16x32", 1728, 32, 24, 4096, 48, 32, 1, 16, 32, 3.28)]
    [InlineData("w4096_d40_h32_m2-Ld4/2x8x16", 4096, 40, 32, 1024, 4, 16, 2, 8, 16, 2.67)]
    [InlineData("Lw1280h20-d6/1x16x64", 1280, 24, 20, 768, 6, 12, 1, 16, 64, 2.67)]
    public void Parse_CanonicalText_ResolvesSizesAndPrintsBack(string text, int ew, int ed, int eh, int dw, int dd, int dh,
                                                               int t, int p, int c, double mlp)
    {
        // Act
        var v = V2Variant.Parse(text);

        // Assert
        Assert.Equal((ew, ed, eh), (v.Encoder.Width, v.Encoder.Depth, v.Encoder.Heads));
        Assert.Equal((dw, dd, dh), (v.Decoder.Width, v.Decoder.Depth, v.Decoder.Heads));
        Assert.Equal((t, p, c), (v.TemporalStride, v.PatchSize, v.Channels));
        Assert.Equal(mlp, v.MlpFactor);
        Assert.Equal(text, v.ToString());
        Assert.Equal(v, V2Variant.Parse(v.ToString()));
    }

    [Theory]
    [InlineData("Ld4-Ld24/16x64", "Ld4-Ld24/1x16x64")]
    [InlineData("L-L/1x16x64", "L/1x16x64")]
    [InlineData("Lh16d4-L/1x16x64", "Ld4h16-L/1x16x64")]
    [InlineData("d4L-L/1x16x64", "Ld4-L/1x16x64")]
    [InlineData("Lm2.50/1x16x64", "Lm2.5/1x16x64")]
    [InlineData("w64_d02_h4_m2.0/1x8x16", "w64_d2_h4_m2/1x8x16")]
    [InlineData("  B/1x16x64 ", "B/1x16x64")]
    public void Parse_OtherSpellings_PrintCanonicalForm(string text, string canonical)
    {
        var v = V2Variant.Parse(text);
        Assert.Equal(canonical, v.ToString());
        Assert.Equal(v, V2Variant.Parse(canonical));
    }

    [Fact]
    public void Parse_MlpFactorIsMaxOfBothSides()
    {
        Assert.Equal(3.0, V2Variant.Parse("Bm3-Bm2/1x16x64").MlpFactor);
        Assert.Equal(3.0, V2Variant.Parse("Bm2-Bm3/1x16x64").MlpFactor);
        Assert.Equal(2.67, V2Variant.Parse("Bm2-B/1x16x64").MlpFactor);
    }

    [Theory]
    [InlineData("", "it is empty")]
    [InlineData("Ld4-Ld24", "missing '/'")]
    [InlineData("L/1x16x64/2", "more than one '/'")]
    [InlineData("L-L-L/1x16x64", "more than one '-'")]
    [InlineData("-L/1x16x64", "the encoder spec is empty")]
    [InlineData("L-/1x16x64", "the decoder spec is empty")]
    [InlineData("X/1x16x64", "unknown base 'X' in encoder spec 'X'; expected one of B, L, G, T, E")]
    [InlineData("LB/1x16x64", "two base letters")]
    [InlineData("Ld/1x16x64", "modifier 'd' in encoder spec 'Ld' needs a number")]
    [InlineData("Ld4d8/1x16x64", "modifier 'd' is given twice")]
    [InlineData("Lq4/1x16x64", "unexpected 'q'")]
    [InlineData("Lm2./1x16x64", "no digits after '.'")]
    [InlineData("L/16", "must be t x p x c or p x c")]
    [InlineData("L/1x2x3x4", "must be t x p x c or p x c")]
    [InlineData("L/1x16xa", "the channels 'a' is not a whole number")]
    [InlineData("L/1x0x64", "the patch size must be at least 1")]
    [InlineData("L/", "the strides after '/' are missing")]
    [InlineData("Ld0/1x16x64", "the depth must be at least 1")]
    [InlineData("Lh15/1x16x64", "width 1024 is not divisible by its 15 heads")]
    [InlineData("Bw120h4/1x16x64", "head dimension 30")]
    [InlineData("w64_h4_d2/1x8x16", "must start with 'd'")]
    [InlineData("w64_d2_h4_x1/1x8x16", "must be m<number>")]
    [InlineData("w64_d2_h4_m1_q/1x8x16", "must be w<width>_d<depth>_h<heads>")]
    [InlineData("B w64/1x16x64", "whitespace")]
    [InlineData("Lw99999999999/1x16x64", "too large")]
    public void Parse_InvalidText_ThrowsWithReason(string text, string reason)
    {
        var e = Assert.Throws<ViTokException>(() => V2Variant.Parse(text));
        Assert.Contains(reason, e.Message);
        Assert.Contains("Expected ENC-DEC/t x p x c", e.Message);
        Assert.False(V2Variant.TryParse(text, out var v, out string? error));
        Assert.Null(v);
        Assert.Equal(e.Message, error);
    }
}
