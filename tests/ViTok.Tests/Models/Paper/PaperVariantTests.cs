using ViTok.Models;
using ViTok.Models.Paper;

namespace ViTok.Tests.Models;

public class PaperVariantTests
{
    [Theory]
    [InlineData("S-B/16", "S-B/16", 768, 6, 12, 768, 12, 12, 1, 16)]
    [InlineData("S-L/16", "S-L/16", 768, 6, 12, 1152, 24, 16, 1, 16)]
    [InlineData("S-B/4x8", "S-B/4x8", 768, 6, 12, 768, 12, 12, 4, 8)]
    [InlineData("S-B/1x16", "S-B/16", 768, 6, 12, 768, 12, 12, 1, 16)]
    [InlineData("B/32", "B-B/32", 768, 12, 12, 768, 12, 12, 1, 32)]
    [InlineData("Sw192d4h3-Bw256h4/8", "Sw192d4h3-Bw256h4/8", 192, 4, 3, 256, 12, 4, 1, 8)]
    [InlineData("Sd6-L/2x16", "S-L/2x16", 768, 6, 12, 1152, 24, 16, 2, 16)]
    public void ParsesAndPrintsCanonically(string text, string canonical, int ew, int ed, int eh, int dw, int dd, int dh, int q, int p)
    {
        var v = PaperVariant.Parse(text);
        Assert.Equal(canonical, v.ToString());
        Assert.Equal((ew, ed, eh), (v.Encoder.Width, v.Encoder.Depth, v.Encoder.Heads));
        Assert.Equal((dw, dd, dh), (v.Decoder.Width, v.Decoder.Depth, v.Decoder.Heads));
        Assert.Equal((q, p), (v.TubeletSize, v.PatchSize));
        Assert.Equal(v, PaperVariant.Parse(v.ToString()));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("S-B", "missing '/'")]
    [InlineData("X-B/16", "unknown size letter 'X'")]
    [InlineData("S-B-L/16", "more than one '-'")]
    [InlineData("S-B/0", "not a positive integer")]
    [InlineData("S-B/4x8x16", "must be p or q x p")]
    [InlineData("Sq3-B/16", "unexpected 'q'")]
    [InlineData("Sw-B/16", "needs a number")]
    [InlineData("Sw100-B/16", "not divisible")]
    [InlineData("Sw36h9-B/16", "head dimension 4")]
    [InlineData("Sw64w32-B/16", "given twice")]
    [InlineData("S-B/16/2", "more than one '/'")]
    public void RejectsInvalidStringsWithTheReason(string text, string reason)
    {
        var e = Assert.Throws<ViTokException>(() => PaperVariant.Parse(text));
        Assert.Contains(reason, e.Message);
    }
}
