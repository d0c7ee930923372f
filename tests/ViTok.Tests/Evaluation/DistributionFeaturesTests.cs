using ViTok.Evaluation;
using ViTok.Metrics;
using ViTok.Tests.Support;

namespace ViTok.Tests.Evaluation;

[Collection(TorchCollection.Name)]
public class DistributionFeaturesTests
{
    [Fact]
    public void Distance_EqualsTheEvaluatorsPath_OnQuantisedPixels()
    {
        torch.manual_seed(5);
        var a = torch.rand(6, 3, 32, 32) * 2 - 1;
        var b = (torch.rand(6, 3, 32, 32) * 2 - 1) * 0.5;
        using var df = DistributionFeatures.Create();
        Assert.Equal("fd_resnet18", df.Key);
        double ours = DistributionFeatures.Distance(df.Features(a), df.Features(b));
        // What eval --generated does: 8-bit quantisation, then the fd_resnet18 accumulator.
        using var fd = ResNet18FrechetDistance.Load();
        fd.AddReference(Quantization.To8Bit(a));
        fd.AddTest(Quantization.To8Bit(b));
        Assert.Equal(fd.Compute(), ours, 9);
        Assert.True(ours > 0);
    }

    [Fact]
    public void Features_QuantiseFirst_AndTakeClipFramesAsImages()
    {
        torch.manual_seed(6);
        var clip = torch.rand([2, 3, 4, 32, 32]) * 2 - 1;                              // [N, 3, T, H, W]
        using var df = DistributionFeatures.Create();
        var f = df.Features(clip);
        Assert.Equal(new long[] { 8, 512 }, f.shape);
        var frames = clip.permute(0, 2, 1, 3, 4).reshape(8, 3, 32, 32);
        TensorAssert.Close(df.Features(Quantization.To8Bit(frames)), f, 0, "quantising twice changes nothing");
        Assert.Throws<ViTokException>(() => DistributionFeatures.Distance(f.narrow(0, 0, 1), f));
    }
}
