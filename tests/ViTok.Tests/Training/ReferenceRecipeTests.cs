using System.Text.Json.Nodes;
using ViTok.Data;
using ViTok.Training;
using ViTok.Tests.Support;

namespace ViTok.Tests.Training;

/// <summary>The recipe keys of the authors' release: pad_to, warmup_start_lr, weight_decay_all.</summary>
[Collection(TorchCollection.Name)]
public class ReferenceRecipeTests
{
    [Fact]
    public void Warmup_StartsAtItsFloor_AndZeroKeepsTheOldFormula()
    {
        var s = new LrSchedule(4e-3, 120, 4000, 1e-5, 1e-5);
        Assert.Equal(1e-5 + (4e-3 - 1e-5) / 120, s.At(0), 15);
        Assert.Equal(4e-3, s.At(119), 15);
        var old = new LrSchedule(4e-3, 120, 4000, 1e-5);
        for (int step = 0; step < 120; step++) Assert.Equal(4e-3 * (step + 1) / 120, old.At(step));      // bit for bit
        Assert.Equal(s.At(2000), old.At(2000));                                    // the cosine part is unchanged
    }

    [Fact]
    public void TheReferenceConfig_Loads_WithItsRecipe()
    {
        var c = TrainConfigLoader.Load(Path.Combine(RepoPaths.Root, "configs", "reference-fm-c8.json"), []);
        Assert.Equal(32, c.PadTo);
        Assert.Equal(32, c.InputSize);
        Assert.True(c.WeightDecayAll);
        Assert.Equal(1e-5, LrSchedule.For(c).Start);
        Assert.Equal(120, LrSchedule.For(c).WarmupSteps);
    }

    [Theory]
    [InlineData("pad_to=16", "pad_to 16 is smaller than image_size 28")]
    [InlineData("warmup_start_lr=1", "warmup_start_lr")]
    [InlineData("pad_to=-1", "pad_to")]
    public void BadRecipeValues_AreRefusedByName(string set, string expected)
    {
        var e = Assert.Throws<ViTokException>(() => TrainConfigLoader.Load(Path.Combine(RepoPaths.Root, "configs", "reference-fm-c8.json"), [set]));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void NewKeysAtTheirDefaults_AreNotWritten_SoOldConfigJsonStaysByteIdentical()
    {
        var c = TrainConfigLoader.Load(Path.Combine(RepoPaths.Root, "configs", "tiny.json"), []);
        var json = JsonNode.Parse(c.ToJson(indented: false))!.AsObject();
        Assert.False(json.ContainsKey("pad_to"));
        Assert.False(json.ContainsKey("warmup_start_lr"));
        Assert.False(json.ContainsKey("weight_decay_all"));
        Assert.False(json.ContainsKey("input_size"));
        var r = TrainConfigLoader.Load(Path.Combine(RepoPaths.Root, "configs", "reference-fm-c8.json"), []);
        Assert.Equal(32, JsonNode.Parse(r.ToJson(indented: false))!["pad_to"]!.GetValue<int>());
    }

    [Fact]
    public void CentredPad_PutsFashionMnistInTheMiddleOfABlackCanvas()
    {
        var x = torch.ones(2, 3, 28, 28) * 0.5;
        var y = CentredPad.Apply(x, 32, "pad_to", "fix");
        Assert.Equal(new long[] { 2, 3, 32, 32 }, y.shape);
        Assert.Equal(0.5f, y[0, 0, 2, 2].item<float>());
        Assert.Equal(0.5f, y[1, 2, 29, 29].item<float>());
        Assert.Equal(-1f, y[0, 0, 1, 2].item<float>());
        Assert.Equal(-1f, y[0, 0, 30, 30].item<float>());
        Assert.Equal((2 * 3 * (32 * 32 - 28 * 28)) * -1f, (y - 0.5).clamp_max(0).sum().item<float>() / 1.5f, 2);
        var e = Assert.Throws<ViTokException>(() => CentredPad.Apply(x, 16, "pad_to", "raise pad_to"));
        Assert.Equal("pad_to 16 is smaller than the items (28x28); raise pad_to.", e.Message);
    }

    [Fact]
    public void Training_WithPadTo_FeedsTheModelThePaddedSize()
    {
        if (!Directory.Exists("/usr/share/datasets/fashion-mnist")) return;              // .ci/run installs it
        using var dir = new TempDir();
        var c = TrainConfigLoader.Load(Path.Combine(RepoPaths.Root, "configs", "reference-fm-c8.json"),
            ["variant=Sw16d1h2-Bw16d1h2/8", "steps=2", "batch_size=4", "checkpoint_every=2", "log_every=1", "workers=0"]);
        using var data = LoaderTrainingData.Open(c);
        var (x, _) = data.Next();
        Assert.Equal(new long[] { 4, 3, 32, 32 }, x.shape);
        Assert.Equal(-1f, x[.., .., 0, ..].max().item<float>());                       // the top border is black
        using var trainer = AutoencoderTrainer.Create(c, dir.File("run"), cfg => LoaderTrainingData.Open(cfg), _ => null);
        trainer.RunLoop(default);
        Assert.Equal(2, trainer.Step);
    }
}
