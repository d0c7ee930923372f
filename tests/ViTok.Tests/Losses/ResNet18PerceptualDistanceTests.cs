using TorchSharp.Modules;
using ViTok.Losses;
using ViTok.Metrics;
using ViTok.Tests.Metrics;

namespace ViTok.Tests.Losses;

[Collection(Support.TorchCollection.Name)]
public class ResNet18PerceptualDistanceTests
{
    [Fact]
    public void IsZeroForIdenticalImagesAndGrowsWithNoise()
    {
        // Arrange
        torch.manual_seed(21);
        using var distance = ResNet18PerceptualDistance.Load();
        using var photos = ResNet18Tests.LoadPhotos224();
        using var noise = torch.randn_like(photos);
        using var _ = torch.no_grad();

        // Act
        var values = new[] { 0.0, 0.02, 0.1, 0.3 }.Select(s =>
        {
            using var scope = torch.NewDisposeScope();
            var noisy = (photos + s * noise).clamp(-1, 1);
            return (double)distance.call(photos, noisy).mean().item<float>();
        }).ToArray();

        // Assert
        Assert.Equal(0.0, values[0]);
        Assert.True(values[1] > 0);
        for (int i = 1; i < values.Length; i++)
            Assert.True(values[i] > values[i - 1], $"not increasing with noise: {string.Join(", ", values)}");
    }

    [Fact]
    public void GradientFlowsToTheInputOnly()
    {
        // Arrange
        torch.manual_seed(22);
        using var distance = ResNet18PerceptualDistance.Load();
        using var photos = ResNet18Tests.LoadPhotos224();
        using var target = F.interpolate(photos, [64, 64], mode: InterpolationMode.Bilinear, align_corners: false);
        using var x = (target + 0.1 * torch.randn_like(target)).detach().requires_grad_(true);

        // Act
        using var d = distance.call(x, target);
        using var loss = d.mean();
        loss.backward();

        // Assert
        Assert.Equal(new long[] { 3 }, d.shape);
        Assert.NotNull(x.grad);
        Assert.True(x.grad!.abs().sum().item<float>() > 0);
        Assert.All(distance.parameters(), p => Assert.False(p.requires_grad));
        distance.train();
        Assert.Contains(distance.modules(), m => m is BatchNorm2d);
        Assert.All(distance.modules().OfType<BatchNorm2d>(), m => Assert.False(m.training));   // never batch statistics
    }

    [Fact]
    public void VideosAreScoredPerFrameAndSmallImagesNeedResize()
    {
        // Arrange
        torch.manual_seed(23);
        using var net = ResNet18.Load();
        using var plain = new ResNet18PerceptualDistance(net);
        using var resized = new ResNet18PerceptualDistance(net, resize: 64);
        using var a = torch.rand([2, 3, 3, 28, 28]) * 2 - 1;   // [B, T, 3, H, W], below the 32-pixel minimum
        using var b = torch.rand([2, 3, 3, 28, 28]) * 2 - 1;
        using var _ = torch.no_grad();

        // Act
        using var d = resized.call(a, b);

        // Assert
        Assert.Equal(new long[] { 6 }, d.shape);
        Assert.True(d.min().item<float>() > 0);
        Assert.Throws<ArgumentException>(() => { plain.call(a, b).Dispose(); });
        Assert.Equal("perceptual_resnet18", ResNet18PerceptualDistance.Key);
    }
}
