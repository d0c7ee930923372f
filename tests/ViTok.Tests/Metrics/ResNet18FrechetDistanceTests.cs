using TorchSharp;
using ViTok.Metrics;

namespace ViTok.Tests.Metrics;

[Collection(Support.TorchCollection.Name)]
public class ResNet18FrechetDistanceTests
{
    [Fact]
    public void AccumulatesOverBatchesAndAgreesWithTheDirectComputation()
    {
        // Arrange: 5 noisy variants of the photos at 64×64 (upsampled to 224 inside), batches of 2.
        torch.manual_seed(31);
        using var photos = ResNet18Tests.LoadPhotos224();
        using var small = F.interpolate(photos, [64, 64], mode: InterpolationMode.Bilinear, align_corners: false);
        using var reference = (small.repeat(2, 1, 1, 1)[..5] + 0.05 * torch.randn(5, 3, 64, 64)).clamp(-1, 1);
        using var test = (reference + 0.3 * torch.randn(5, 3, 64, 64)).clamp(-1, 1);
        using var fd = ResNet18FrechetDistance.Load(batchSize: 2);

        // Act
        fd.AddReference(reference);
        fd.AddTest(test);
        double streamed = fd.Compute();
        using var fr = fd.Features(reference);
        using var ft = fd.Features(test);
        double direct = FrechetDistance.Compute(fr, ft);

        // Assert
        Assert.Equal(5, fd.ReferenceCount);
        Assert.Equal(5, fd.TestCount);
        Assert.Equal(new long[] { 5, 512 }, fr.shape);
        Assert.True(streamed > 0);
        Assert.True(Math.Abs(streamed - direct) <= 1e-6 * direct, $"streamed {streamed}, direct {direct}");
        Assert.Equal("fd_resnet18", ResNet18FrechetDistance.Key);
        Assert.Equal("fd-resnet18", ResNet18FrechetDistance.DisplayName);
    }

    [Fact]
    public void SameImagesGiveZeroAndVideosCountFrames()
    {
        // Arrange
        torch.manual_seed(32);
        using var frames = torch.rand([1, 3, 3, 32, 32]) * 2 - 1;   // [B, T, 3, H, W]
        using var fd = ResNet18FrechetDistance.Load(batchSize: 3);

        // Act
        fd.AddReference(frames);
        fd.AddTest(frames);

        // Assert
        Assert.Equal(3, fd.ReferenceCount);
        Assert.True(Math.Abs(fd.Compute()) < 1e-6, $"FD of a set with itself: {fd.Compute()}");
    }

    [Fact]
    public void AccumulationDoesNotLeakTensors()
    {
        // Arrange
        torch.manual_seed(33);
        using var images = torch.rand(2, 3, 32, 32) * 2 - 1;
        using var fd = ResNet18FrechetDistance.Load(batchSize: 1);
        var live = new List<long>();

        // Act: the statistics are allocated on the first call; later calls must not add live tensors.
        for (int i = 0; i < 3; i++)
        {
            using (torch.NewDisposeScope())
            {
                fd.AddReference(images);
                fd.AddTest(images);
            }
            live.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        }

        // Assert
        Assert.Equal(live[1], live[2]);
        Assert.True(fd.Compute() < 1e-6);
    }
}
