using ViTok.IO;
using ViTok.Metrics;

namespace ViTok.Tests.Metrics;

[Collection(Support.TorchCollection.Name)]
public class PsnrSsimTests
{
    public static IEnumerable<object[]> Golden => GoldenMetrics.Images();

    [Theory]
    [MemberData(nameof(Golden))]
    public void PsnrMatchesScikitImage(string name, string refFile, string testFile, double psnr, double ssim)
    {
        // Arrange
        using var reference = ImageIO.Load(GoldenMetrics.PathOf(refFile));
        using var test = ImageIO.Load(GoldenMetrics.PathOf(testFile));

        // Act
        double actual = Psnr.Mean(reference, test);

        // Assert
        Assert.True(Math.Abs(actual - psnr) <= 1e-4, $"{name}: PSNR {actual:F6} dB, reference {psnr:F6} dB (ssim {ssim})");
    }

    [Theory]
    [MemberData(nameof(Golden))]
    public void SsimMatchesScikitImage(string name, string refFile, string testFile, double psnr, double ssim)
    {
        // Arrange
        using var reference = ImageIO.Load(GoldenMetrics.PathOf(refFile));
        using var test = ImageIO.Load(GoldenMetrics.PathOf(testFile));

        // Act
        double actual = Ssim.Mean(reference, test);

        // Assert
        Assert.True(Math.Abs(actual - ssim) <= 1e-5, $"{name}: SSIM {actual:F8}, reference {ssim:F8} (psnr {psnr})");
    }

    [Fact]
    public void VideosAreScoredPerFrameThenAveraged()
    {
        // Arrange: a 3-frame "video" made of three golden pairs (same size).
        var pairs = GoldenMetrics.Images().Take(3).ToList();
        var refs = pairs.Select(p => ImageIO.Load(GoldenMetrics.PathOf((string)p[1]))).ToArray();
        var tests = pairs.Select(p => ImageIO.Load(GoldenMetrics.PathOf((string)p[2]))).ToArray();
        using var refVideo = torch.stack(refs).unsqueeze(0);    // [1, T, 3, H, W]
        using var testVideo = torch.stack(tests).unsqueeze(0);

        // Act
        using var perFrame = Psnr.PerImage(refVideo, testVideo);
        double psnr = Psnr.Mean(refVideo, testVideo);
        double ssim = Ssim.Mean(refVideo, testVideo);

        // Assert
        Assert.Equal([3L], perFrame.shape);
        Assert.Equal(pairs.Average(p => (double)p[3]), psnr, 4);
        Assert.True(Math.Abs(pairs.Average(p => (double)p[4]) - ssim) <= 1e-5);
        foreach (var t in refs.Concat(tests)) t.Dispose();
    }

    [Fact]
    public void IdenticalImagesGiveInfinitePsnrAndUnitSsim()
    {
        // Arrange
        torch.manual_seed(3);
        using var x = torch.rand(2, 3, 32, 40) * 2 - 1;

        // Act / Assert
        Assert.True(double.IsPositiveInfinity(Psnr.Mean(x, x)));
        Assert.Equal(1.0, Ssim.Mean(x, x), 12);
    }

    [Fact]
    public void SsimIsDifferentiable()
    {
        // Arrange
        torch.manual_seed(4);
        using var x = torch.rand(1, 3, 24, 24) * 2 - 1;
        using var y = (x + 0.1 * torch.randn_like(x)).requires_grad_(true);

        // Act
        using var s = Ssim.PerImage(x, y).sum();
        s.backward();

        // Assert
        Assert.NotNull(y.grad);
        Assert.True(y.grad!.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void MismatchedShapesAndTinyImagesAreRejected()
    {
        using var a = torch.zeros(3, 16, 16);
        using var b = torch.zeros(3, 16, 17);
        using var tiny = torch.zeros(3, 8, 8);
        Assert.Throws<ArgumentException>(() => Psnr.Mean(a, b));
        Assert.Throws<ArgumentException>(() => Ssim.Mean(tiny, tiny));
    }
}
