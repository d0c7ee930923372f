using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using ViTok.Data;
using ViTok.IO;
using ViTok.Generation;
using ViTok.Training;
using ViTok.Tests.Support;

namespace ViTok.Tests.Training;

/// <summary>The run folder's guarantees in both trainers: one process per folder, leftover temporaries removed, a torn
/// metrics line tolerated on resume (exactly), a runtime failure reported in one line after an early checkpoint, and
/// resume overrides of keys that change neither the model nor the data order.</summary>
[Collection(TorchCollection.Name)]
public class RunFolderTests
{
    private static string NewRunDir() => Path.Combine(Path.GetTempPath(), $"runfolder-{Guid.NewGuid():N}");

    /// <summary>metrics.jsonl without the timing field (the only one that differs between identical runs).</summary>
    private static string[] MetricsWithoutTiming(string runDir) =>
        [.. File.ReadAllLines(Path.Combine(runDir, "metrics.jsonl")).Select(l =>
        {
            var o = JsonNode.Parse(l)!.AsObject();
            o.Remove("images_per_second");
            o.Remove("latents_per_second");
            return o.ToJsonString();
        })];

    /// <summary>Training data that fails like a native error on its <paramref name="failAt"/>-th batch (1-based).</summary>
    private sealed class FaultyData(ITrainingData inner, int failAt) : ITrainingData
    {
        private int _calls;
        public LoaderPosition Position => inner.Position;
        public void Seek(LoaderPosition position) => inner.Seek(position);
        public (Tensor Input, Tensor? Labels) Next() =>
            ++_calls == failAt ? throw new ExternalException("Expected false to be true, but got false.\nException raised from toLong at Scalar.h:140") : inner.Next();
        public string Describe() => inner.Describe();
        public void Dispose() => inner.Dispose();
    }

    [Fact]
    public void ASecondOwnerIsRefusedWhileTheFirstHoldsTheLockAndAdmittedAfter()
    {
        string dir = NewRunDir();
        using (var first = RunDirectory.OpenExclusive(dir, "vitok train"))
        {
            var e = Assert.Throws<ViTokException>(() => RunDirectory.OpenExclusive(dir, "vitok train"));
            Assert.Equal($"{Path.GetFullPath(dir)} is in use by another vitok process (it holds {Path.Combine(Path.GetFullPath(dir), ".lock")}); " +
                         "wait for it to end or stop it (Ctrl+C or SIGTERM saves a checkpoint), then run again.", e.Message);
        }
        using (RunDirectory.OpenExclusive(dir, "vitok train")) { }
        Directory.Delete(dir, true);
    }

    [Fact]
    public void TheAutoencoderTrainerHoldsTheLockWhileItLives()
    {
        string dir = NewRunDir();
        using (var t = AutoencoderTrainer.Create(AutoencoderTrainerTests.Tiny(2), dir, AutoencoderTrainerTests.Data, _ => null))
        {
            t.RunLoop(CancellationToken.None);
            var e = Assert.Throws<ViTokException>(() => AutoencoderTrainer.Resume(dir, ["steps=4"], AutoencoderTrainerTests.Data, _ => null));
            Assert.Contains("is in use by another vitok process", e.Message);
        }
        using (var t = AutoencoderTrainer.Resume(dir, ["steps=4"], AutoencoderTrainerTests.Data, _ => null)) Assert.Equal(2, t.Step);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void TheDitTrainerHoldsTheLockWhileItLives()
    {
        using var latents = DitTrainerTests.Latents();
        string dir = NewRunDir();
        using (var t = DitTrainer.Create(DitTrainerTests.Tiny(2), dir, latents))
        {
            t.RunLoop(CancellationToken.None);
            var e = Assert.Throws<ViTokException>(() => DitTrainer.Resume(dir, ["steps=4"], latents));
            Assert.Contains("is in use by another vitok process", e.Message);
        }
        using (var t = DitTrainer.Resume(dir, ["steps=4"], latents)) Assert.Equal(2, t.Step);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void LeftoverTemporariesOfAKilledWriterAreRemovedAndOtherFilesKept()
    {
        string dir = NewRunDir();
        using (new RunDirectory(dir)) { }
        string[] leftovers = ["config.json.tmp-4242-0a1b2c3d", "checkpoints/step_0000100.safetensors.tmp-17-deadbeef", "samples/step_0000100.png.tmp-9-00ff00ff"];
        string[] kept = ["notes.tmp-mine", "checkpoints/step_0000050.safetensors"];
        foreach (var f in leftovers.Concat(kept)) File.WriteAllBytes(Path.Combine(dir, f), [1, 2, 3]);

        using var run = RunDirectory.OpenExclusive(dir, "vitok train");

        Assert.Equal(leftovers.Select(f => f.Replace('/', Path.DirectorySeparatorChar)).Order(), run.RemovedTemporaries.Order());
        Assert.All(leftovers, f => Assert.False(File.Exists(Path.Combine(dir, f)), f));
        Assert.All(kept, f => Assert.True(File.Exists(Path.Combine(dir, f)), f));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void TruncateMetricsDropsTornLinesAndLaterStepsKeepingTheRestByteForByte()
    {
        string dir = NewRunDir();
        using var run = RunDirectory.OpenExclusive(dir, "vitok train");
        File.WriteAllText(run.MetricsPath, "{\"step\":1,\"loss\":0.5}\n{\"step\":2,\"loss\":0.25}\n{\"step\":3,\"loss\":0.125}\n{\"step\":4,\"lo");

        int torn = run.TruncateMetrics(2);

        Assert.Equal(1, torn);
        Assert.Equal("{\"step\":1,\"loss\":0.5}\n{\"step\":2,\"loss\":0.25}\n", File.ReadAllText(run.MetricsPath));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void AutoencoderResumeAfterATornMetricsLineIsExact()
    {
        // Arrange: one run of 12 steps; another stopped after 6 (checkpoint at 6), whose metrics.jsonl then got a torn
        // last line (a killed process or a full disk mid-write).
        string a = NewRunDir(), b = NewRunDir();
        var cfg = AutoencoderTrainerTests.Tiny(12);
        using (var t = AutoencoderTrainer.Create(cfg, a, AutoencoderTrainerTests.Data, _ => null)) t.RunLoop(CancellationToken.None);
        using (var cts = new CancellationTokenSource())
        using (var t = AutoencoderTrainer.Create(cfg, b, AutoencoderTrainerTests.Data, _ => null))
        {
            t.OnStep = s => { if (s.Step == 5) cts.Cancel(); };
            t.RunLoop(cts.Token);
        }
        File.AppendAllText(Path.Combine(b, "metrics.jsonl"), "{\"step\":7,\"loss\":0.0123");

        // Act
        var lines = new List<string>();
        using (var t = AutoencoderTrainer.Resume(b, [], AutoencoderTrainerTests.Data, _ => null, lines.Add)) t.RunLoop(CancellationToken.None);

        // Assert: the same metrics and byte-identical exported models.
        Assert.Contains("metrics.jsonl: dropped 1 unreadable line(s) left by an interrupted write", lines);
        Assert.Contains(lines, l => l.StartsWith("resumed from step_0000006.safetensors at step 6 ", StringComparison.Ordinal));
        Assert.Equal(MetricsWithoutTiming(a), MetricsWithoutTiming(b));
        Assert.Equal(12, MetricsWithoutTiming(b).Length);
        Assert.Equal(File.ReadAllBytes(Path.Combine(a, "model.safetensors")), File.ReadAllBytes(Path.Combine(b, "model.safetensors")));
        Directory.Delete(a, true);
        Directory.Delete(b, true);
    }

    [Fact]
    public void DitResumeAfterATornMetricsLineIsExact()
    {
        using var latents = DitTrainerTests.Latents();
        string a = NewRunDir(), b = NewRunDir();
        var cfg = DitTrainerTests.Tiny(20);
        using (var t = DitTrainer.Create(cfg, a, latents)) t.RunLoop(CancellationToken.None);
        using (var cts = new CancellationTokenSource())
        using (var t = DitTrainer.Create(cfg, b, latents))
        {
            t.OnStep = s => { if (s.Step == 9) cts.Cancel(); };
            t.RunLoop(cts.Token);
        }
        File.AppendAllText(Path.Combine(b, "metrics.jsonl"), "{\"step\":11,\"lo");

        using (var t = DitTrainer.Resume(b, [], latents)) t.RunLoop(CancellationToken.None);

        Assert.Equal(MetricsWithoutTiming(a), MetricsWithoutTiming(b));
        Assert.Equal(20, MetricsWithoutTiming(b).Length);
        Assert.Equal(File.ReadAllBytes(Path.Combine(a, "model.safetensors")), File.ReadAllBytes(Path.Combine(b, "model.safetensors")));
        Directory.Delete(a, true);
        Directory.Delete(b, true);
    }

    [Fact]
    public void AFailureMidRunIsOneLineWithTheStepAndTheResumeCommandAfterAnEarlyCheckpoint()
    {
        // Arrange: checkpoint_every is far away, but the first checkpoint is due at once (first_checkpoint_minutes);
        // the 4th batch fails like the native Scalar crash of issue 10.
        string dir = NewRunDir();
        var cfg = AutoencoderTrainerTests.Tiny(10) with { CheckpointEvery = 1000, FirstCheckpointMinutes = 1e-9 };
        using var t = AutoencoderTrainer.Create(cfg, dir, c => new FaultyData(AutoencoderTrainerTests.Data(c), 4), _ => null);

        // Act
        var e = Assert.Throws<TrainingFailedException>(() => t.RunLoop(CancellationToken.None));

        // Assert: one line naming the failure, the step, the newest checkpoint and the exact resume command.
        string root = Path.GetFullPath(dir);
        Assert.Equal($"training failed at step 4 while loading data (ExternalException: Expected false to be true, but got false.); " +
                     $"the newest checkpoint is checkpoints/step_0000001.safetensors; resume with: vitok train --resume {root}", e.Message);
        Assert.Equal(4, e.Step);
        Assert.Equal(["step_0000001.safetensors"], Directory.GetFiles(Path.Combine(dir, "checkpoints")).Select(Path.GetFileName));
        Assert.EndsWith(e.Message + "\n", File.ReadAllText(Path.Combine(dir, "log.txt")));
        t.Dispose();
        using (var resumed = AutoencoderTrainer.Resume(dir, [], AutoencoderTrainerTests.Data, _ => null)) Assert.Equal(1, resumed.Step);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void ADitFailureMidRunIsOneLineWithTheStepAndTheResumeCommand()
    {
        using var latents = DitTrainerTests.Latents();
        string dir = NewRunDir();
        using var t = DitTrainer.Create(DitTrainerTests.Tiny(10) with { CheckpointEvery = 1000, FirstCheckpointMinutes = 1e-9 }, dir, latents);
        t.OnStep = s => { if (s.Step == 2) throw new InvalidOperationException("injected fault"); };

        var e = Assert.Throws<TrainingFailedException>(() => t.RunLoop(CancellationToken.None));

        Assert.Equal($"training failed at step 3 while reporting progress (InvalidOperationException: injected fault); " +
                     $"the newest checkpoint is checkpoints/step_0000001.safetensors; resume with: vitok train-dit --resume {Path.GetFullPath(dir)}", e.Message);
        Assert.True(File.Exists(Path.Combine(dir, "checkpoints", "step_0000001.safetensors")));
        t.Dispose();
        Directory.Delete(dir, true);
    }

    [Fact]
    public void WithoutAnyCheckpointTheFailureSaysSoAndTheRunIsNotLost()
    {
        string dir = NewRunDir();
        var cfg = AutoencoderTrainerTests.Tiny(10) with { CheckpointEvery = 1000, FirstCheckpointMinutes = 0 };
        using var t = AutoencoderTrainer.Create(cfg, dir, c => new FaultyData(AutoencoderTrainerTests.Data(c), 2), _ => null);
        var e = Assert.Throws<TrainingFailedException>(() => t.RunLoop(CancellationToken.None));
        Assert.Equal("training failed at step 2 while loading data (ExternalException: Expected false to be true, but got false.); " +
                     "no checkpoint was written yet, so a resume is not possible: start the run again", e.Message);
        t.Dispose();
        Directory.Delete(dir, true);
    }

    [Fact]
    public void AutoencoderResumeMayMoveTheDataAndChangeCadenceButNotTheModel()
    {
        string dir = NewRunDir();
        using (var t = AutoencoderTrainer.Create(AutoencoderTrainerTests.Tiny(2), dir, AutoencoderTrainerTests.Data, _ => null)) t.RunLoop(CancellationToken.None);
        string configPath = Path.Combine(dir, "config.json");
        var handEdited = JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
        handEdited["lr"] = 0.5;
        File.WriteAllText(configPath, handEdited.ToJsonString());

        var refused = Assert.Throws<ViTokException>(() => AutoencoderTrainer.Resume(dir, ["data=/new/place", "lr=0.1"], AutoencoderTrainerTests.Data, _ => null));
        var lines = new List<string>();
        using (var t = AutoencoderTrainer.Resume(dir, ["data=/new/place", "workers=0", "log_every=1", "steps=3"], AutoencoderTrainerTests.Data, _ => null, lines.Add))
            t.RunLoop(CancellationToken.None);

        Assert.Equal("--set lr: a resume cannot change lr (0.002 → 0.1); it changes the model or the order of the data, so start a new run (-o/--output) for it. " +
                     "A resume may change steps, log_every, sample_every, checkpoint_every, first_checkpoint_minutes, keep_last, max_minutes, data, workers.", refused.Message);
        Assert.Equal(["resume override data: null → \"/new/place\" (recorded in config.json)", "resume override steps: 2 → 3 (recorded in config.json)",
                      "resume override log_every: 10 → 1 (recorded in config.json)", "resume override workers: 2 → 0 (recorded in config.json)"],
                     lines.Where(l => l.StartsWith("resume override", StringComparison.Ordinal)));
        Assert.Contains("config.json differed from the checkpoint in lr: a resume reads the checkpoint's config; change allowed keys with --set key=value", lines);
        var config = JsonNode.Parse(File.ReadAllText(configPath))!;
        Assert.Equal(0.002, config["lr"]!.GetValue<double>());
        Assert.Equal("/new/place", config["data"]!.GetValue<string>());
        Assert.Equal(0, config["workers"]!.GetValue<int>());
        Assert.Contains("resume override data: null → \"/new/place\" (recorded in config.json)", File.ReadAllText(Path.Combine(dir, "log.txt")));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void DitResumeMayMoveTheLatentsButNotChangeTheModel()
    {
        using var latents = DitTrainerTests.Latents();
        string dir = NewRunDir();
        using (var t = DitTrainer.Create(DitTrainerTests.Tiny(2), dir, latents)) t.RunLoop(CancellationToken.None);

        var refused = Assert.Throws<ViTokException>(() => DitTrainer.Resume(dir, ["diffusion.kind=flow"], latents));
        var lines = new List<string>();
        using (var t = DitTrainer.Resume(dir, ["latents=/moved/latents", "steps=3"], latents, lines.Add)) t.RunLoop(CancellationToken.None);

        Assert.StartsWith("--set diffusion.kind: a resume cannot change diffusion.kind (\"ddpm\" → \"flow\");", refused.Message);
        Assert.Contains("resume override latents: null → \"/moved/latents\" (recorded in config.json)", lines);
        Assert.Equal("/moved/latents", JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!["latents"]!.GetValue<string>());
        Directory.Delete(dir, true);
    }

    [Fact]
    public void DataSmallerThanOneBatchIsAnErrorNotAHang()
    {
        // Five readable items and batch 8 with the last partial batch dropped: no epoch ever yields a batch.
        var loader = new DataLoader(new Generation.GenerationFixtures.LabelledSquares(5), new DataLoaderOptions { BatchSize = 8, Workers = 0, DropLast = true });
        var e = Assert.Throws<ViTokException>(() => loader.Batches().First());
        Assert.Equal("squares(5): a whole epoch gives no full batch of 8 items (the data hold fewer readable items than one batch); lower the batch size or add data.", e.Message);
        var t = Assert.Throws<ViTokException>(() => new TensorTrainingData(torch.zeros(5, 3), null, 8, 0));
        Assert.Equal("the data hold 5 items, fewer than one batch (batch_size = 8); set batch_size to at most 5 or add data.", t.Message);
    }

    [Fact]
    public void AFullDiskWhileAppendingMetricsLeavesTheRunResumable()
    {
        // Arrange: after step 2 (whose checkpoint follows), metrics.jsonl becomes /dev/full: every write fails ENOSPC.
        Assert.True(File.Exists("/dev/full"), "needs Linux's /dev/full");
        string dir = NewRunDir();
        string metrics = Path.Combine(dir, "metrics.jsonl"), kept = Path.Combine(dir, "metrics.kept");
        var cfg = AutoencoderTrainerTests.Tiny(4) with { CheckpointEvery = 2 };
        var t = AutoencoderTrainer.Create(cfg, dir, AutoencoderTrainerTests.Data, _ => null);
        t.OnStep = s =>
        {
            if (s.Step != 1) return;
            File.Move(metrics, kept);
            File.CreateSymbolicLink(metrics, "/dev/full");
        };

        // Act
        var e = Assert.Throws<TrainingFailedException>(() => t.RunLoop(CancellationToken.None));
        t.Dispose();
        File.Delete(metrics);
        File.Move(kept, metrics);
        using (var resumed = AutoencoderTrainer.Resume(dir, [], AutoencoderTrainerTests.Data, _ => null)) resumed.RunLoop(CancellationToken.None);

        // Assert
        Assert.StartsWith("training failed at step 3 while writing metrics.jsonl (IOException: No space left on device", e.Message);
        Assert.EndsWith($"; the newest checkpoint is checkpoints/step_0000002.safetensors; resume with: vitok train --resume {Path.GetFullPath(dir)}", e.Message);
        Assert.Equal([1, 2, 3, 4], File.ReadAllLines(metrics).Select(l => JsonNode.Parse(l)!["step"]!.GetValue<int>()));
        Directory.Delete(dir, true);
    }
}
