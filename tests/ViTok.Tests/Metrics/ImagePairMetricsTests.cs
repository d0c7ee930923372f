using ViTok.IO;
using ViTok.Metrics;

namespace ViTok.Tests.Metrics;

[Collection(Support.TorchCollection.Name)]
public class ImagePairMetricsTests
{
    // (height, width, stripRows): strips that divide the height, that do not, of one row, shorter than the SSIM halo,
    // a single strip, and the default strip height.
    public static TheoryData<int, int, int> Cases => new()
    {
        { 64, 48, 16 }, { 67, 53, 16 }, { 37, 29, 1 }, { 41, 23, 3 }, { 50, 31, 7 }, { 11, 11, 4 }, { 45, 40, 45 }, { 45, 40, 1000 },
        { 93, 70, 0 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void StripsEqualTheWholeImageScores(int height, int width, int stripRows)
    {
        // Arrange: a random reference and a noisy copy (clipped to 8 bits), the whole-image scores as today.
        var rng = new Random(height * 1000 + width);
        var a = new byte[3 * height * width];
        rng.NextBytes(a);
        var b = a.Select(v => (byte)Math.Clamp(v + rng.Next(-40, 41), 0, 255)).ToArray();
        using var ta = ImageIO.FromRgb8(a, height, width);
        using var tb = ImageIO.FromRgb8(b, height, width);
        double psnr = Psnr.Mean(ta, tb), ssim = Ssim.Mean(ta, tb);

        // Act
        var (stripPsnr, stripSsim) = ImagePairMetrics.OfRgb8(a, b, height, width, stripRows);

        // Assert: equal up to float64 summation order.
        Assert.True(Math.Abs(stripPsnr - psnr) <= 1e-9, $"PSNR {stripPsnr:R} vs whole image {psnr:R}");
        Assert.True(Math.Abs(stripSsim - ssim) <= 1e-10, $"SSIM {stripSsim:R} vs whole image {ssim:R}");
    }

    [Fact]
    public void StripsMatchTheGoldenScikitImageScores()
    {
        foreach (var p in GoldenMetrics.Images())
        {
            // Arrange
            var (a, h, w) = ImageIO.LoadRgb8(GoldenMetrics.PathOf((string)p[1]));
            var (b, _, _) = ImageIO.LoadRgb8(GoldenMetrics.PathOf((string)p[2]));

            // Act
            var (psnr, ssim) = ImagePairMetrics.OfRgb8(a, b, h, w, stripRows: 13);

            // Assert
            Assert.True(Math.Abs(psnr - (double)p[3]) <= 1e-4, $"{p[0]}: PSNR {psnr:F6}, reference {(double)p[3]:F6}");
            Assert.True(Math.Abs(ssim - (double)p[4]) <= 1e-5, $"{p[0]}: SSIM {ssim:F8}, reference {(double)p[4]:F8}");
        }
    }

    [Fact]
    public void IdenticalImagesHaveInfinitePsnrAndUnitSsim()
    {
        var a = new byte[3 * 20 * 30];
        new Random(1).NextBytes(a);

        var (psnr, ssim) = ImagePairMetrics.OfRgb8(a, (byte[])a.Clone(), 20, 30, stripRows: 6);

        Assert.True(double.IsPositiveInfinity(psnr));
        Assert.Equal(1.0, ssim, 12);
    }

    [Theory]
    [InlineData(10, 20, 0)]      // below 11 rows
    [InlineData(20, 20, -1)]     // negative strip height
    public void BadArgumentsAreRefused(int height, int width, int stripRows)
    {
        var a = new byte[3 * height * width];

        Assert.Throws<ArgumentException>(() => ImagePairMetrics.OfRgb8(a, a, height, width, stripRows));
        Assert.Throws<ArgumentException>(() => ImagePairMetrics.OfRgb8(a, new byte[a.Length - 3], height, width));
    }
}
