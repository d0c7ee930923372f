using System.Text.Json.Nodes;
using ViTok.Tests.Support;

namespace ViTok.Tests.Cli;

[Collection(TorchCollection.Name)]
public class TrainCommandTests
{
    private static string Config() => Path.Combine(RepoPaths.Root, "configs", "tiny.json");

    [Fact]
    public void TrainWritesTheRunFolderAndResumeExtendsIt()
    {
        Assert.True(Directory.Exists("/usr/share/datasets/fashion-mnist"), "Fashion-MNIST is missing: apt-get install -y dataset-fashion-mnist");
        string run = Path.Combine(Path.GetTempPath(), $"train-{Guid.NewGuid():N}");

        var first = CliRunner.Run("train", "--config", Config(), "--out", run, "--set", "steps=4", "--set", "checkpoint_every=2", "--set", "sample_every=2", "--set", "batch_size=8");
        Assert.True(first.Exit == 0, first.Err + first.Out);
        Assert.Contains("\"steps\":4", first.Out);
        foreach (var f in new[] { "config.json", "metrics.jsonl", "log.txt", "model.safetensors", "checkpoints/step_0000004.safetensors", "samples/step_0000002.png" })
            Assert.True(File.Exists(Path.Combine(run, f)), f);
        Assert.Equal(4, File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Length);

        var second = CliRunner.Run("train", "--resume", run, "--set", "steps=6");
        Assert.True(second.Exit == 0, second.Err + second.Out);
        var steps = File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!["step"]!.GetValue<int>()).ToList();
        Assert.Equal([1, 2, 3, 4, 5, 6], steps);
        Directory.Delete(run, true);
    }

    [Fact]
    public void ResumeRefusesToChangeTheModel()
    {
        string run = Path.Combine(Path.GetTempPath(), $"train-{Guid.NewGuid():N}");
        Assert.Equal(0, CliRunner.Run("train", "--config", Config(), "--out", run, "--set", "steps=2", "--set", "batch_size=4", "--set", "loss.perceptual_weight=0").Exit);
        var (exit, _, err) = CliRunner.Run("train", "--resume", run, "--set", "channels=8");
        Assert.Equal(1, exit);
        Assert.Contains("--set channels: a resume cannot change channels (4 → 8)", err);
        Directory.Delete(run, true);
    }

    [Fact]
    public void ANewRunRefusesAFolderWithCheckpoints()
    {
        string run = Path.Combine(Path.GetTempPath(), $"train-{Guid.NewGuid():N}");
        Assert.Equal(0, CliRunner.Run("train", "--config", Config(), "--out", run, "--set", "steps=1", "--set", "batch_size=4", "--set", "loss.perceptual_weight=0").Exit);
        var (exit, _, err) = CliRunner.Run("train", "--config", Config(), "--out", run);
        Assert.Equal(1, exit);
        Assert.Contains("already holds checkpoints", err);
        Directory.Delete(run, true);
    }
}
