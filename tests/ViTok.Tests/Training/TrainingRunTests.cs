using ViTok.Generation;
using ViTok.IO;
using ViTok.Training;
using ViTok.Tests.Support;

namespace ViTok.Tests.Training;

/// <summary>The run machinery both recipes share (<see cref="TrainingRun{TConfig, TStats}"/>): one training-state
/// format, and the data-parallel hooks of <see cref="IGradientSync"/> called where the loop promises.</summary>
[Collection(TorchCollection.Name)]
public class TrainingRunTests
{
    private static string NewRunDir() => Path.Combine(Path.GetTempPath(), $"loop-run-{Guid.NewGuid():N}");

    private static Dictionary<string, byte[]> Snapshot(string dir) =>
        Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != ".lock")
            .ToDictionary(f => Path.GetRelativePath(dir, f), File.ReadAllBytes);

    [Fact]
    public void BothRecipesWriteOneStateFormat()
    {
        // Arrange
        using var latents = DitTrainerTests.Latents();
        string tok = NewRunDir(), dit = NewRunDir();

        // Act
        using (var t = AutoencoderTrainer.Create(AutoencoderTrainerTests.Tiny(2), tok, AutoencoderTrainerTests.Data, _ => null)) t.RunLoop(CancellationToken.None);
        using (var t = DitTrainer.Create(DitTrainerTests.Tiny(2), dit, latents)) t.RunLoop(CancellationToken.None);
        var a = Safetensors.ReadHeader(Path.Combine(tok, "checkpoints", "step_0000002.safetensors"));
        var b = Safetensors.ReadHeader(Path.Combine(dit, "checkpoints", "step_0000002.safetensors"));

        // Assert: the same run entries, sections by prefix; kind says which model the file holds.
        string[] run = ["train_config", "step", "data_epoch", "data_index", "bad_in_row", "kind"];
        Assert.All(run, k => Assert.True(a.Metadata.ContainsKey(k) && b.Metadata.ContainsKey(k), k));
        Assert.Equal(("2", "0", "train-state"), (a.Metadata["step"], a.Metadata["bad_in_row"], a.Metadata["kind"]));
        Assert.Equal(("2", "0", "dit-train-state"), (b.Metadata["step"], b.Metadata["bad_in_row"], b.Metadata["kind"]));
        Assert.Equal(["model", "opt"], a.Entries.Select(e => e.Name.Split('.')[0]).Distinct().Order());
        Assert.Equal(["ema", "model", "opt"], b.Entries.Select(e => e.Name.Split('.')[0]).Distinct().Order());
        Assert.Contains(a.Entries, e => e.Name == "opt.step");
        Assert.Contains(b.Entries, e => e.Name == "opt.step");
        Assert.Equal(AutoencoderTrainerTests.Tiny(2).Steps, TrainConfigLoader.FromJson(System.Text.Json.Nodes.JsonNode.Parse(a.Metadata["train_config"])!.AsObject(), "state").Steps);
        Directory.Delete(tok, true);
        Directory.Delete(dit, true);
    }

    [Fact]
    public void TheLoopCallsEverySyncHookAndAPassThroughSyncChangesNothing()
    {
        // Arrange: a stage-1 model, then stage 2 (generator and discriminator optimisers) twice: the default sync and
        // a pass-through one of a single rank. (A world of 2 trains each rank on its half of every batch, so a
        // pass-through rank 0 of 2 would see half the items; Distributed/MpiTrainingTests compares 2 real ranks with
        // one process.)
        string s1 = NewRunDir(), plain = NewRunDir(), synced = NewRunDir();
        using (var t = AutoencoderTrainer.Create(AutoencoderTrainerTests.Tiny(4), s1, AutoencoderTrainerTests.Data, _ => null)) t.RunLoop(CancellationToken.None);
        var cfg = AutoencoderTrainerTests.Tiny(6) with
        {
            Stage = 2, InitFrom = Path.Combine(s1, "model.safetensors"), DiscChannels = 8, EmaDecay = 0.9,
            Loss = new LossConfig { PerceptualWeight = 0, GanWeight = 0.1, GanStart = 0, GanWarmup = 0.5 },
        };
        var sync = new RecordingSync(0, 1);
        long parameters;

        // Act
        using (var t = AutoencoderTrainer.Create(cfg, plain, AutoencoderTrainerTests.Data, _ => null)) t.RunLoop(CancellationToken.None);
        using (var t = AutoencoderTrainer.Create(cfg, synced, AutoencoderTrainerTests.Data, _ => null, sync: sync))
        {
            parameters = t.Model.Module.parameters().Count();
            t.RunLoop(CancellationToken.None);
        }

        // Assert: one broadcast (weights, optimiser moments, EMA, critic) after create; per step one gradient average
        // for each optimiser and one average of the six logged loss values; the same model, byte for byte.
        Assert.Single(sync.Broadcasts);
        Assert.True(sync.Broadcasts[0] > 2 * parameters, $"{sync.Broadcasts[0]} tensors broadcast for {parameters} parameters");
        Assert.Equal(12, sync.GradientAverages.Count);
        Assert.All(sync.GradientAverages, n => Assert.True(n > 0));
        Assert.Equal(6, sync.ValueAverages.Count(n => n == 6));
        Assert.Equal(File.ReadAllBytes(Path.Combine(plain, "model.safetensors")), File.ReadAllBytes(Path.Combine(synced, "model.safetensors")));
        foreach (var d in new[] { s1, plain, synced }) Directory.Delete(d, true);
    }

    [Fact]
    public void ANonZeroRankReadsTheRunButNeverWritesIt()
    {
        // Arrange: a run of 4 steps whose rank 0 has resumed it (and holds its lock).
        using var latents = DitTrainerTests.Latents();
        string dir = NewRunDir(), fresh = NewRunDir();
        using (var t = DitTrainer.Create(DitTrainerTests.Tiny(4), dir, latents)) t.RunLoop(CancellationToken.None);
        using var leader = DitTrainer.Resume(dir, ["steps=8"], latents);
        var before = Snapshot(dir);
        var second = new RecordingSync(1, 2);
        var third = new RecordingSync(1, 2);

        // Act: rank 1 resumes the same folder beside the lock holder and trains to step 8; rank 1 of a new run trains.
        int resumedAt;
        using (var t = DitTrainer.Resume(dir, ["steps=8"], latents, sync: second))
        {
            resumedAt = t.Step;
            t.RunLoop(CancellationToken.None);
        }
        using (var t = DitTrainer.Create(DitTrainerTests.Tiny(3), fresh, latents, sync: third)) t.RunLoop(CancellationToken.None);

        // Assert: it read the checkpoint and joined the broadcast, but the folder is as rank 0 left it, and the new
        // run's folder was never made.
        Assert.Equal(4, resumedAt);
        Assert.Single(second.Broadcasts);
        Assert.Equal(4, second.GradientAverages.Count);
        var after = Snapshot(dir);
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        Assert.All(before, kv => Assert.Equal(kv.Value, after[kv.Key]));
        Assert.False(Directory.Exists(fresh));
        Assert.Equal(3, third.GradientAverages.Count);
        leader.Dispose();
        Directory.Delete(dir, true);
    }
}
