using System.Text.Json.Nodes;
using ViTok.Tests.Generation;
using ViTok.Tests.Support;

namespace ViTok.Tests.Cli;

[Collection(TorchCollection.Name)]
public class GenerationCommandsTests
{
    [Fact]
    public void EncodeTrainResumeSampleAndEvaluateImages()
    {
        // Arrange
        Requirements.FashionMnist();
        using var tmp = new TempDir();
        string tok = GenerationFixtures.Tokenizer(tmp.File("tok.safetensors"));
        string lat = tmp.File("lat"), run = tmp.File("run"), outDir = tmp.File("out");
        string[] encode = ["encode-dataset", "--checkpoint", tok, "--data", "fashion-mnist", "--limit", "64", "--pad-to", "32", "-o", lat, "--shard-size", "32", "--workers", "0"];

        // Act
        var enc = CliRunner.Run(encode);
        var again = CliRunner.Run(encode);
        var train = CliRunner.Run("train-dit", "--latents", lat, "--out", run, "--set", "variant=Bw32d1h2", "--set", "batch_size=8", "--set", "steps=4",
            "--set", "diffusion.sample_steps=2", "--set", "sample_every=4", "--set", "samples_per_class=1", "--set", "checkpoint_every=2");
        var resume = CliRunner.Run("train-dit", "--resume", run, "--set", "steps=6");
        var sample = CliRunner.Run("sample", "--dit", Path.Combine(run, "model.safetensors"), "--class", "3", "--n", "2", "--steps", "2", "-o", outDir);
        var eval = CliRunner.Run("eval-gen", "--dit", Path.Combine(run, "model.safetensors"), "--data", "fashion-mnist", "--test", "--n", "20",
            "--n-real", "60", "--steps", "2", "--json");

        // Assert
        Assert.True(enc.Exit == 0, enc.Err);
        Assert.Contains("2 shard(s) written", enc.Out);
        Assert.Contains("grid 1×8×8 of c = 4", enc.Out);
        Assert.Contains("0 shard(s) written, 2 already complete", again.Out);
        Assert.True(train.Exit == 0, train.Err + train.Out);
        Assert.True(File.Exists(Path.Combine(run, "samples", "step_0000004.png")));
        Assert.True(resume.Exit == 0, resume.Err + resume.Out);
        Assert.Contains("resumed from step_0000004.safetensors at step 4", resume.Out);
        Assert.Contains("done at step 6", resume.Out);
        Assert.True(sample.Exit == 0, sample.Err + sample.Out);
        Assert.Contains("class 3 (Dress)", sample.Out);
        Assert.True(File.Exists(Path.Combine(outDir, "sample_0001.png")));
        Assert.True(File.Exists(Path.Combine(outDir, "grid.png")));
        Assert.True(eval.Exit == 0, eval.Err + eval.Out);
        var json = JsonNode.Parse(eval.Out)!;
        Assert.True(json["fd_resnet18"]!.GetValue<double>() > 0);
        Assert.True(json["fd_resnet18_per_class"]!.AsObject().Count > 0);
        Assert.Equal(20, json["samples"]!.GetValue<int>());
    }

    [Fact]
    public void BadInputsAreOneLineErrors()
    {
        using var tmp = new TempDir();
        var noOut = CliRunner.Run("train-dit", "--latents", tmp.Path);
        Assert.Equal(1, noOut.Exit);
        Assert.Contains("--out", noOut.Err);
        var noLatents = CliRunner.Run("train-dit", "--latents", tmp.File("none"), "--out", tmp.File("run"));
        Assert.Equal(1, noLatents.Exit);
        Assert.Contains("no latent shards", noLatents.Err);
        var badVariant = CliRunner.Run("train-dit", "--latents", tmp.Path, "--out", tmp.File("run2"), "--set", "variant=Q");
        Assert.Equal(1, badVariant.Exit);
        Assert.Contains("unknown size", badVariant.Err);
        string tok = GenerationFixtures.Tokenizer(tmp.File("tok.safetensors"));
        var notDit = CliRunner.Run("sample", "--dit", tok, "-o", tmp.File("o"));
        Assert.Equal(1, notDit.Exit);
        Assert.Contains("not a DiT checkpoint", notDit.Err);
        Assert.DoesNotContain("   at ", notDit.Err);
    }
}
