using ViTok.Training;

namespace ViTok.Tests.Training;

public class TrainConfigTests
{
    [Fact]
    public void DefaultsFileAndDottedOverridesResolveInOrder()
    {
        string path = Path.Combine(Path.GetTempPath(), $"cfg-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{ "variant": "Sw64d2h4-Bw64d2h4/4", "batch_size": 64, "loss": { "perceptual_weight": 0.5 } }""");
        var c = TrainConfigLoader.Load(path, ["steps=123", "loss.kl_weight=0", "loss.reconstruction=l1", "lr=3e-4"]);
        Assert.Equal("Sw64d2h4-Bw64d2h4/4", c.Variant);
        Assert.Equal(64, c.BatchSize);
        Assert.Equal(123, c.Steps);
        Assert.Equal(0.5, c.Loss.PerceptualWeight);
        Assert.Equal(0.0, c.Loss.KlWeight);
        Assert.Equal("l1", c.Loss.Reconstruction);
        Assert.Equal(3e-4, c.PeakLr);
        File.Delete(path);
    }

    [Fact]
    public void TheLearningRateRuleIsThePapers()
    {
        var c = new TrainConfig { BatchSize = 1024, Frames = 1 };
        Assert.Equal(4e-4, c.PeakLr, 12);
        Assert.Equal(1e-4 * 32 * 16 / 256, (c with { BatchSize = 32, Frames = 16 }).PeakLr, 12);
    }

    [Theory]
    [InlineData("bacth_size=3", "bacth_size")]
    [InlineData("stage=3", "stage = 3 is out of range: expected a whole number from 1 to 2")]
    [InlineData("stage=2", "init_from")]
    [InlineData("loss.reconstruction=l3", "l3")]
    [InlineData("nonsense", "key=value")]
    public void BadConfigsAreRejectedWithTheReason(string set, string reason)
    {
        var e = Assert.Throws<ViTokException>(() => TrainConfigLoader.Load(null, [set]));
        Assert.Contains(reason, e.Message);
    }
}
