using System.Text.Json.Nodes;
using ViTok.Diffusion;
using ViTok.Generation;
using ViTok.IO;
using ViTok.Training;
using ViTok.Tests.Support;
using ViTok.Models;

namespace ViTok.Tests.Training;

[Collection(TorchCollection.Name)]
public class DitTrainerTests
{
    /// <summary>48 latent items on a 1×3×4 grid of c = 4 in 3 classes: class-dependent means plus posterior noise.</summary>
    internal static LatentSet Latents(bool variational = true)
    {
        torch.manual_seed(21);
        var labels = torch.arange(48, dtype: ScalarType.Int64).remainder(3);
        var centres = torch.randn(3, 12, 4) * 1.5;
        var mean = centres.index_select(0, labels) + 0.2 * torch.randn(48, 12, 4);
        var logVar = variational ? torch.full([48, 12, 4], -3.0f) : null;
        var space = new LatentSpace
        {
            Contract = new LatentFile.Contract("paper", "Sw32d1h2-Bw32d1h2/4", 4, 1, 4, "none (posterior mean)"),
            Grid = [1, 3, 4],
            InputSize = [1, 12, 16],
            Tokenizer = "/nonexistent/tokenizer.safetensors",
            Classes = ["a", "b", "c"],
            Source = "test",
        };
        return new LatentSet(space, mean, logVar, labels);
    }

    internal static DitTrainConfig Tiny(int steps, string kind = "ddpm") => new()
    {
        Variant = "Bw32d2h2",
        Diffusion = new DiffusionConfig { Kind = kind, SampleSteps = 4 },
        BatchSize = 8,
        Steps = steps,
        Lr = 3e-3,
        WarmupRatio = 0.1,
        EmaDecay = 0.9,
        Seed = 5,
        CheckpointEvery = 10,
        SampleEvery = 1000,
        LogEvery = 5,
        KeepLast = 5,
    };

    private static string NewRunDir() => Path.Combine(Path.GetTempPath(), $"dit-run-{Guid.NewGuid():N}");

    private static double[] Losses(string runDir) =>
        [.. File.ReadAllLines(Path.Combine(runDir, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!["loss"]!.GetValue<double>())];

    [Theory]
    [InlineData("ddpm")]
    [InlineData("flow")]
    public void ResumeContinuesExactly(string kind)
    {
        // Arrange
        using var latents = Latents();
        string a = NewRunDir(), b = NewRunDir();

        // Act: 2N steps in one go; the same run stopped (as by Ctrl+C) after N steps, then resumed for N more.
        using (var t = DitTrainer.Create(Tiny(24, kind), a, latents)) t.RunLoop(CancellationToken.None);
        using (var cts = new CancellationTokenSource())
        using (var t = DitTrainer.Create(Tiny(24, kind) with { CheckpointEvery = 1000 }, b, latents))
        {
            t.OnStep = s => { if (s.Step == 11) cts.Cancel(); };
            t.RunLoop(cts.Token);
        }
        using (var t = DitTrainer.Resume(b, [], latents))
        {
            Assert.Equal(12, t.Step);
            t.RunLoop(CancellationToken.None);
        }

        // Assert: the same loss at every step and identical final tensors (model, optimiser, EMA).
        var la = Losses(a);
        Assert.Equal(24, la.Length);
        Assert.Equal(la, Losses(b));
        var (wa, _) = Safetensors.Read(Path.Combine(a, "checkpoints", "step_0000024.safetensors"));
        var (wb, _) = Safetensors.Read(Path.Combine(b, "checkpoints", "step_0000024.safetensors"));
        Assert.Equal(wa.Keys.Order(), wb.Keys.Order());
        Assert.Contains("ema.x_embedder.weight", wa.Keys);
        Assert.Contains("opt.blocks.0.attn.qkv.weight.exp_avg", wa.Keys);
        foreach (var k in wa.Keys) Assert.True(wa[k].equal(wb[k]).all().item<bool>(), k);
        Directory.Delete(a, true);
        Directory.Delete(b, true);
    }

    [Fact]
    public void TheExportedModelIsTheEmaAndLearns()
    {
        // Arrange
        using var latents = Latents();
        string dir = NewRunDir();

        // Act
        using (var t = DitTrainer.Create(Tiny(60) with { Lr = 5e-3 }, dir, latents)) t.RunLoop(CancellationToken.None);

        // Assert: model.safetensors holds the EMA (not the raw weights) and loads as a generator.
        var (state, _) = Safetensors.Read(Path.Combine(dir, "checkpoints", "step_0000060.safetensors"));
        using var gen = DitCheckpoint.Load(Path.Combine(dir, "model.safetensors"));
        var exported = gen.Model.state_dict();
        Assert.True(exported["x_embedder.weight"].equal(state["ema.x_embedder.weight"]).all().item<bool>());
        Assert.False(exported["x_embedder.weight"].equal(state["model.x_embedder.weight"]).all().item<bool>());
        Assert.Equal("ddpm", gen.Diffusion.Kind);
        Assert.Equal(new[] { "a", "b", "c" }, gen.Space.Classes);
        Assert.NotEqual(1.0, gen.Space.Scale); // measured 1/std
        var losses = Losses(dir);
        Assert.True(losses.TakeLast(10).Average() < 0.6 * losses.Take(10).Average(), $"loss {losses.Take(10).Average():F3} -> {losses.TakeLast(10).Average():F3}");
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Bf16ComputeTrainsWithFp32MasterWeightsAndExportsFp32()
    {
        using var latents = Latents();
        string dir = NewRunDir();
        using (var t = DitTrainer.Create(Tiny(6) with { Dtype = "bf16" }, dir, latents))
        {
            Assert.Equal(ScalarType.BFloat16, t.Model.ParameterDtype);
            t.RunLoop(CancellationToken.None);
        }
        Assert.All(Losses(dir), l => Assert.True(double.IsFinite(l)));
        using var gen = DitCheckpoint.Load(Path.Combine(dir, "model.safetensors"));
        Assert.Equal(ScalarType.Float32, gen.Model.ParameterDtype);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void EmaFollowsItsUpdateRule()
    {
        // ema ← d·ema + (1 − d)·p, with the warm-up decay min(d, (1 + n)/(10 + n)).
        var p = new TorchSharp.Modules.Parameter(torch.ones(3));
        using var ema = new Ema([("w", p)], 0.99);
        using (torch.no_grad()) p.fill_(11);
        ema.Update([("w", p)], Math.Min(0.99, 1.0 / 10));
        Assert.Equal(1 * 0.1 + 11 * 0.9, ema.Values["w"][0].item<float>(), 4);
        ema.Update([("w", p)]);
        Assert.Equal((1 * 0.1 + 11 * 0.9) * 0.99 + 11 * 0.01, ema.Values["w"][0].item<float>(), 4);
    }

    [Fact]
    public void ResumeRefusesChangesOtherThanLengthAndCadence()
    {
        using var latents = Latents();
        string dir = NewRunDir();
        using (var t = DitTrainer.Create(Tiny(4), dir, latents)) t.RunLoop(CancellationToken.None);
        var e = Assert.Throws<ViTokException>(() => DitTrainer.Resume(dir, ["lr=1"], latents));
        Assert.Contains("--set lr: a resume cannot change lr", e.Message);
        using (var t = DitTrainer.Resume(dir, ["steps=6"], latents))
        {
            t.RunLoop(CancellationToken.None);
            Assert.Equal(6, t.Step);
        }
        Directory.Delete(dir, true);
    }

    [Fact]
    public void NonFiniteLatentsStopTheRunCleanly()
    {
        using var good = Latents();
        using var bad = new LatentSet(good.Space, torch.full([16, 12, 4], float.NaN), null, torch.zeros(16, ScalarType.Int64));
        string dir = NewRunDir();
        using var t = DitTrainer.Create(Tiny(20) with { MaxBadSteps = 3, LatentScale = 1.0 }, dir, bad);
        var e = Assert.Throws<ViTokException>(() => t.RunLoop(CancellationToken.None));
        Assert.Contains("3 non-finite steps in a row", e.Message);
        Assert.True(t.Model.parameters().All(p => p.isfinite().all().item<bool>()));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void NoTensorsLeakFromTrainStepsOrSampling()
    {
        // Arrange
        using var latents = Latents();
        string dir = NewRunDir();
        using var t = DitTrainer.Create(Tiny(100), dir, latents);
        var items = torch.stack([latents.Mean.narrow(0, 0, 8), latents.LogVar!.narrow(0, 0, 8)], dim: 1);
        var labels = latents.Labels.narrow(0, 0, 8);
        var process = t.Config.Diffusion.CreateProcess();
        var stats = DisposeScopeManager.Statistics;
        void Iteration()
        {
            t.TrainStep(items, labels);
            using var z = DitSampler.Generate(t.Model, process, t.Space, [0, 1, -1], 2.0, 3, 1);
        }

        // Act
        Iteration();
        Iteration();
        stats.Reset();
        long before = stats.ThreadTotalLiveCount;
        Iteration();
        long afterOne = stats.ThreadTotalLiveCount;
        Iteration();
        Iteration();

        // Assert
        Assert.Equal(before, afterOne);
        Assert.Equal(afterOne, stats.ThreadTotalLiveCount);
        Directory.Delete(dir, true);
    }
}
