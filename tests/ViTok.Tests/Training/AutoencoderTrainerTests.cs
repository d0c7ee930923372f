using System.Text.Json.Nodes;
using ViTok.IO;
using ViTok.Training;
using ViTok.Tests.Support;
using ViTok.Models.Paper;

namespace ViTok.Tests.Training;

[Collection(TorchCollection.Name)]
public class AutoencoderTrainerTests
{
    private static readonly Tensor Images = MakeImages();

    private static Tensor MakeImages()
    {
        torch.manual_seed(42);
        // Smooth random images: low-resolution noise upsampled, so a tiny model can learn them.
        var low = torch.rand(24, 3, 4, 4) * 2 - 1;
        return F.interpolate(low, [16, 16], mode: InterpolationMode.Bilinear, align_corners: false);
    }

    internal static TrainConfig Tiny(int steps) => new()
    {
        Variant = "Sw32d1h2-Bw32d2h2/4",
        Channels = 4,
        ImageSize = 16,
        BatchSize = 4,
        Steps = steps,
        Lr = 2e-3,
        Seed = 7,
        CheckpointEvery = 30,
        SampleEvery = 1000,
        LogEvery = 10,
        KeepLast = 5,
        Loss = new LossConfig { PerceptualWeight = 0 },
    };

    internal static ITrainingData Data(TrainConfig c) => new TensorTrainingData(Images, null, c.BatchSize, c.Seed);

    private static string NewRunDir() => Path.Combine(Path.GetTempPath(), $"run-{Guid.NewGuid():N}");

    private static double[] Losses(string runDir) =>
        [.. File.ReadAllLines(Path.Combine(runDir, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!["loss"]!.GetValue<double>())];

    [Fact]
    public void ResumeContinuesExactly()
    {
        // Arrange
        string a = NewRunDir(), b = NewRunDir();

        // Act: 60 steps in one go; a 60-step run stopped (as by Ctrl+C) after 30 steps, resumed for the other 30.
        using (var t = AutoencoderTrainer.Create(Tiny(60), a, Data, _ => null)) t.RunLoop(CancellationToken.None);
        using (var cts = new CancellationTokenSource())
        using (var t = AutoencoderTrainer.Create(Tiny(60) with { CheckpointEvery = 1000 }, b, Data, _ => null))
        {
            t.OnStep = s => { if (s.Step == 29) cts.Cancel(); };
            t.RunLoop(cts.Token);
        }
        using (var t = AutoencoderTrainer.Resume(b, [], Data, _ => null))
        {
            Assert.Equal(30, t.Step);
            t.RunLoop(CancellationToken.None);
        }

        // Assert: the same loss at every step and identical final weights.
        var la = Losses(a);
        var lb = Losses(b);
        Assert.Equal(60, la.Length);
        Assert.Equal(la, lb);
        var (wa, _) = Safetensors.Read(Path.Combine(a, "checkpoints", "step_0000060.safetensors"));
        var (wb, _) = Safetensors.Read(Path.Combine(b, "checkpoints", "step_0000060.safetensors"));
        Assert.Equal(wa.Keys.Order(), wb.Keys.Order());
        foreach (var k in wa.Keys) Assert.True(wa[k].equal(wb[k]).all().item<bool>(), k);
        Assert.True(la[^1] < la[0] / 2, $"loss {la[0]} -> {la[^1]}");
        Directory.Delete(a, true);
        Directory.Delete(b, true);
    }

    [Fact]
    public void ADeathBetweenTempWriteAndRenameLeavesThePreviousCheckpointResumable()
    {
        // Arrange: a run with a checkpoint at 30, then a "crash" that left a half-written temporary of step 60.
        string dir = NewRunDir();
        using (var t = AutoencoderTrainer.Create(Tiny(30), dir, Data, _ => null)) t.RunLoop(CancellationToken.None);
        string good = Path.Combine(dir, "checkpoints", "step_0000030.safetensors");
        var bytes = File.ReadAllBytes(good);
        File.WriteAllBytes(Path.Combine(dir, "checkpoints", "step_0000060.safetensors.tmp-123-deadbeef"), bytes[..(bytes.Length / 3)]);

        // Act
        using var resumed = AutoencoderTrainer.Resume(dir, ["steps=40"], Data, _ => null);
        resumed.RunLoop(CancellationToken.None);

        // Assert
        using var model = PaperCheckpoint.Load(good);
        Assert.Equal(40, resumed.Step);
        Assert.True(File.Exists(Path.Combine(dir, "checkpoints", "step_0000040.safetensors")));
        Assert.True(File.Exists(Path.Combine(dir, "model.safetensors")));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void NonFiniteStepsAreSkippedAndTooManyStopTheRunCleanly()
    {
        // Arrange: data full of NaN.
        string dir = NewRunDir();
        var nan = torch.full(8, 3, 16, 16, float.NaN);
        var cfg = Tiny(50) with { MaxBadSteps = 5 };

        // Act
        using var t = AutoencoderTrainer.Create(cfg, dir, c => new TensorTrainingData(nan, null, c.BatchSize, c.Seed), _ => null);
        var e = Assert.Throws<ViTokException>(() => t.RunLoop(CancellationToken.None));

        // Assert
        Assert.Contains("5 non-finite steps in a row", e.Message);
        Assert.Contains("step skipped", File.ReadAllText(Path.Combine(dir, "log.txt")));
        Assert.True(t.Model.Module.parameters().All(p => p.isfinite().all().item<bool>()));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void StageTwoFreezesTheEncoderAndTrainsTheDecoderWithTheCritic()
    {
        // Arrange: a stage-1 model.
        string s1 = NewRunDir(), s2 = NewRunDir();
        using (var t = AutoencoderTrainer.Create(Tiny(10), s1, Data, _ => null)) t.RunLoop(CancellationToken.None);
        string init = Path.Combine(s1, "model.safetensors");
        var cfg = Tiny(12) with { Stage = 2, InitFrom = init, Variant = "S-B/16", DiscChannels = 8, EmaDecay = 0.9, Loss = new LossConfig { PerceptualWeight = 0, GanWeight = 0.1, GanStart = 0, GanWarmup = 0.5 } };

        // Act
        using (var t = AutoencoderTrainer.Create(cfg, s2, Data, _ => null))
        {
            Assert.Equal("Sw32d1h2-Bw32d2h2/4", t.Config.Variant);
            t.RunLoop(CancellationToken.None);
        }

        // Assert
        using var before = PaperCheckpoint.Load(init);
        using var after = PaperCheckpoint.Load(Path.Combine(s2, "model.safetensors"));
        var b = before.state_dict();
        var a = after.state_dict();
        Assert.True(a["encoder.blocks.0.attn.qkv.weight"].equal(b["encoder.blocks.0.attn.qkv.weight"]).all().item<bool>());
        Assert.True(a["tubelet_embed.proj.weight"].equal(b["tubelet_embed.proj.weight"]).all().item<bool>());
        Assert.False(a["decoder.blocks.0.attn.qkv.weight"].equal(b["decoder.blocks.0.attn.qkv.weight"]).all().item<bool>());
        var metrics = File.ReadAllLines(Path.Combine(s2, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.All(metrics, m => Assert.True(double.IsFinite(m["gan_discriminator"]!.GetValue<double>())));
        Directory.Delete(s1, true);
        Directory.Delete(s2, true);
    }

    [Fact]
    public void AVideoModelTrainsOnMovingFashionMnistClips()
    {
        // Arrange: q = 2 tubelets on 4-frame 32×32 clips of two bouncing digits.
        Assert.True(Directory.Exists("/usr/share/datasets/fashion-mnist"), "Fashion-MNIST is missing: apt-get install -y dataset-fashion-mnist");
        string dir = NewRunDir();
        var cfg = new TrainConfig
        {
            Variant = "Sw48d1h4-Bw48d2h4/2x8",
            Channels = 8,
            Data = JsonNode.Parse("""{ "path": "/usr/share/datasets/fashion-mnist", "kind": "moving-fashion-mnist", "count": 256 }"""),
            ImageSize = 32,
            Frames = 4,
            BatchSize = 8,
            Steps = 40,
            Lr = 2e-3,
            Seed = 1,
            CheckpointEvery = 1000,
            SampleEvery = 1000,
            LogEvery = 10,
            Loss = new LossConfig { PerceptualWeight = 0 },
        };

        // Act
        using (var t = AutoencoderTrainer.Create(cfg, dir, c => LoaderTrainingData.Open(c), _ => null)) t.RunLoop(CancellationToken.None);

        // Assert: the reconstruction loss falls.
        var rec = File.ReadAllLines(Path.Combine(dir, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!["reconstruction"]!.GetValue<double>()).ToList();
        Assert.Equal(40, rec.Count);
        Assert.True(rec.TakeLast(5).Average() < 0.5 * rec.Take(5).Average(), $"{rec.Take(5).Average():F4} -> {rec.TakeLast(5).Average():F4}");
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Bf16ComputeWithFp32MasterWeightsTrains()
    {
        string dir = NewRunDir();
        using (var t = AutoencoderTrainer.Create(Tiny(30) with { Dtype = "bf16", ActivationCheckpointing = true }, dir, Data, _ => null))
        {
            t.RunLoop(CancellationToken.None);
            Assert.All(t.Model.Module.parameters(), p => Assert.Equal(ScalarType.BFloat16, p.dtype));
        }
        var (state, _) = Safetensors.Read(Path.Combine(dir, "checkpoints", "step_0000030.safetensors"));
        Assert.Equal(ScalarType.Float32, state["opt.encoder_to_code.weight.master"].dtype);
        var losses = Losses(dir);
        Assert.True(losses[^1] < losses[0] / 2, $"loss {losses[0]} -> {losses[^1]}");
        Directory.Delete(dir, true);
    }
}
