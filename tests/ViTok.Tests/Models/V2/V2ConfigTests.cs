using ViTok.Models;
using ViTok.Models.V2;

namespace ViTok.Tests.Models;

[Collection(Support.TorchCollection.Name)]
public sealed class V2ConfigTests
{
    [Fact]
    public void ParameterCounts_350M_MatchReleasedFigures()
    {
        // Act
        var c = V2Config.FromVariant("Ld4-Ld24/1x16x64");

        // Assert: 51.25 M encoder + 303.3 M decoder (reference README/blog), ±0.5 %.
        Assert.Equal("v2", c.Family);
        Assert.InRange(c.EncoderParameterCount / 1e6, 51.25 * 0.995, 51.25 * 1.005);
        Assert.InRange(c.DecoderParameterCount / 1e6, 303.3 * 0.995, 303.3 * 1.005);
    }

    [Fact]
    public void ParameterCounts_5B_MatchReleasedFigures()
    {
        var f16 = V2Config.FromName("5B-f16x64");
        var f32 = V2Config.FromName("5B-f32x64");
        Assert.InRange(f16.EncoderParameterCount / 1e6, 456 * 0.995, 456 * 1.005);
        Assert.InRange(f32.EncoderParameterCount / 1e6, 464 * 0.995, 464 * 1.005);
        Assert.InRange(f16.DecoderParameterCount / 1e9, 4.54 * 0.995, 4.54 * 1.005);
    }

    [Theory]
    [InlineData("Ld4-Ld24/1x16x64")]
    [InlineData("w64_d2_h4-w96_d3_h4/1x8x16")]
    [InlineData("Td4-T/1x32x128")]
    public void ParameterCounts_EqualTheBuiltModules(string variant)
    {
        // Arrange
        var c = V2Config.FromVariant(variant);

        // Act: build on the meta device (no weights allocated).
        var enc = new V2Autoencoder(c, V2Parts.Encoder, torch.META);
        var dec = new V2Autoencoder(c, V2Parts.Decoder, torch.META);

        // Assert
        Assert.Equal(c.EncoderParameterCount, enc.ParameterCount);
        Assert.Equal(c.DecoderParameterCount, dec.ParameterCount);
    }

    [Fact]
    public void MacsPerSample_CountsLinearsAndBothAttentionMatmuls()
    {
        // Arrange: one tiny block per side, hand-counted. w64_d1_h4-w96_d1_h4/1x8x16, N = 10 tokens.
        var c = V2Config.FromVariant("w64_d1_h4-w96_d1_h4/1x8x16");
        long n = 10, p = 192, ch = 16;
        long enc = n * p * 64 + (n * 64 * 192 + 2 * n * n * 64 + n * 64 * 64 + n * 64 * 352 + n * 176 * 64) + n * 64 * ch;
        long dec = n * ch * 96 + (n * 96 * 288 + 2 * n * n * 96 + n * 96 * 96 + n * 96 * 512 + n * 256 * 96) + n * 96 * p;

        // Act
        var (e, d) = c.MacsPerSample(10);

        // Assert
        Assert.Equal(enc, e);
        Assert.Equal(dec, d);
        Assert.Equal((enc + dec) / 1e9, c.GMacsPerSample(10), 12);
    }

    [Fact]
    public void FromName_AcceptsRegistryNamesAndVariants()
    {
        Assert.Equal("Ld4-Ld24/1x16x64", V2Config.FromName("350M-f16x64").ToString());
        Assert.Equal("Ld4-Ld24/1x16x64", V2Config.FromName("Ld4-Ld24/1x16x64").ToString());
        Assert.Throws<ViTokException>(() => V2Config.FromName("351M-f16x64"));
    }
}
