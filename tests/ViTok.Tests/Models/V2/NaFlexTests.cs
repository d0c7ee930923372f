using ViTok.Data;
using ViTok.IO;
using ViTok.Tests.Support;
using ViTok.Models.V2;

namespace ViTok.Tests.Data;

[Collection(TorchCollection.Name)]
public sealed class NaFlexTests
{
    [Theory] // expected values from the reference's closed form (tools/v2_reference.py fit)
    [InlineData(90, 135, 8, 64, 48, 72)]
    [InlineData(1080, 1920, 16, 256, 192, 336)]
    [InlineData(512, 512, 16, 256, 256, 256)]
    [InlineData(513, 512, 16, 256, 256, 240)]
    [InlineData(256, 256, 16, 256, 256, 256)]
    [InlineData(1000, 1000, 16, 256, 256, 256)]
    [InlineData(300, 451, 16, 64, 96, 144)]
    [InlineData(5000, 7, 16, 4, 560, 7)]
    [InlineData(37, 53, 8, 4, 8, 16)]
    [InlineData(17, 17, 16, 1, 16, 16)]
    [InlineData(61, 45, 8, 64, 61, 45)]
    public void FitToTokenBudget_MatchesReferenceClosedForm(int h, int w, int p, int budget, int eh, int ew)
    {
        Assert.Equal((eh, ew), NaFlex.FitToTokenBudget(h, w, p, budget));
    }

    [Fact]
    public void Patchify_TokensAreChannelMajorInRasterOrder()
    {
        // Arrange: 3×4×6 image with value c·100 + y·10 + x, patch 2 → grid 2×3.
        var img = torch.zeros(3, 4, 6);
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 4; y++)
                for (int x = 0; x < 6; x++)
                    img[c, y, x] = c * 100 + y * 10 + x;

        // Act
        using var b = NaFlex.Patchify([img], 2, 8);

        // Assert: token n = (gy, gx) in raster order, index c·p² + ky·p + kx.
        Assert.Equal(new long[] { 1, 8, 12 }, b.Patches.shape);
        for (int n = 0; n < 6; n++)
        {
            int gy = n / 3, gx = n % 3;
            Assert.Equal(gy, b.RowIdx[0, n].item<long>());
            Assert.Equal(gx, b.ColIdx[0, n].item<long>());
            for (int c = 0; c < 3; c++)
                for (int ky = 0; ky < 2; ky++)
                    for (int kx = 0; kx < 2; kx++)
                        Assert.Equal(c * 100 + (gy * 2 + ky) * 10 + gx * 2 + kx, b.Patches[0, n, c * 4 + ky * 2 + kx].item<float>());
        }
        Assert.Equal(new[] { true, true, true, true, true, true, false, false }, b.PatchMask[0].data<bool>().ToArray());
        Assert.Equal(0f, b.Patches[0, 6..].abs().sum().item<float>());
        Assert.Equal(0L, b.RowIdx[0, 6..].abs().sum().item<long>() + b.ColIdx[0, 6..].abs().sum().item<long>());
    }

    [Fact]
    public void Patchify_PadsToPatchMultipleWithZero()
    {
        // Arrange: 5×3 image of ones, patch 4 → grid 2×1, bottom rows 5..7 and right columns 3 are padding.
        var img = torch.ones(3, 5, 3);

        // Act
        using var b = NaFlex.Patchify([img], 4, 2);
        var canvas = NaFlex.Unpatchify(b.Patches, b);

        // Assert
        Assert.Equal(new long[] { 1, 3, 8, 4 }, canvas.shape);
        Assert.Equal(3 * 5 * 3, canvas.sum().item<float>());
        Assert.Equal(0f, canvas[.., .., 5..].abs().sum().item<float>());
        Assert.Equal(0f, canvas[.., .., .., 3..].abs().sum().item<float>());
        Assert.Equal((5, 3), b.Sizes()[0]);
    }

    [Fact]
    public void Patchify_MixedSizes_RoundTripsExactly()
    {
        // Arrange
        torch.manual_seed(41);
        Tensor[] images = [torch.rand(3, 40, 56) * 2 - 1, torch.rand(3, 64, 48) * 2 - 1, torch.rand(3, 13, 29) * 2 - 1];

        // Act
        using var b = NaFlex.Patchify(images, 8, 64);
        var back = NaFlex.ToImages(b.Patches, b);

        // Assert
        Assert.Equal(new long[] { 3, 64, 192 }, b.Patches.shape);
        Assert.Equal(new long[] { 35, 48, 8 }, b.PatchMask.sum([1]).data<long>().ToArray());
        for (int i = 0; i < images.Length; i++)
            Assert.True(images[i].equal(back[i]).all().item<bool>(), $"image {i}");
    }

    [Fact]
    public void Patchify_OverBudget_ShrinksKeepingAspect()
    {
        // Arrange
        torch.manual_seed(42);
        var img = torch.rand(3, 90, 135);

        // Act
        using var b = NaFlex.Patchify([img], 8, 64);

        // Assert: 48×72 → 6×9 = 54 tokens; the resized pixels are the antialiased bicubic resize.
        Assert.Equal((48, 72), b.Sizes()[0]);
        Assert.Equal(54L, b.PatchMask.sum().item<long>());
        var expected = Resampler.Bicubic(img, 48, 72);
        Assert.True(NaFlex.ToImages(b.Patches, b)[0].equal(expected).all().item<bool>());
    }

    [Fact]
    public void Patchify_OverBudgetWithoutResize_Throws()
    {
        var e = Assert.Throws<BatchItemException>(() => NaFlex.Patchify([torch.zeros(3, 90, 135)], 8, 64, resize: false));
        Assert.Contains("token budget is 64", e.Message);
    }

    [Fact]
    public void Patchify_ExtremeAspectRatio_ThrowsClearly()
    {
        var e = Assert.Throws<BatchItemException>(() => NaFlex.Patchify([torch.zeros(3, 5000, 7)], 16, 4));
        Assert.Contains("aspect ratio is too extreme", e.Message);
    }

    [Fact]
    public void Patchify_WrongShape_Throws()
    {
        var e = Assert.Throws<BatchItemException>(() => NaFlex.Patchify([torch.zeros(1, 8, 8)], 4, 4));
        Assert.Contains("expected an RGB tensor [3, H, W]", e.Message);
    }
}
