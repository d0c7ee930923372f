using System.CommandLine;
using System.Text.Json.Nodes;
using ViTok.Cli;
using ViTok.Cli.Commands;
using ViTok.IO;
using ViTok.Tests.Support;

namespace ViTok.Tests.Cli;

[Collection(TorchCollection.Name)]
public class VocabularyTests
{
    // Which concepts apply to which command (output, seed, split, count, device, dtype); every leaf command reports
    // numbers or writes files, so every one takes --json.
    public static readonly Dictionary<string, string[]> Concepts = new()
    {
        ["info"] = ["dtype"],
        ["init"] = ["output", "seed"],
        ["reconstruct"] = ["output", "device", "dtype"],
        ["encode"] = ["output", "device", "dtype"],
        ["decode"] = ["output", "device", "dtype"],
        ["export onnx"] = ["output", "device", "dtype"],
        ["data inspect"] = ["seed", "split", "count"],
        ["data bench"] = ["seed", "split", "count"],
        ["train"] = ["output", "seed", "device", "dtype"],
        ["demo"] = ["output", "seed", "count"],
        ["pretrained list"] = [],
        ["metrics"] = [],
        ["fd"] = [],
        ["eval"] = ["output", "seed", "split", "count", "device", "dtype"],
        ["eval merge"] = [],
        ["encode-dataset"] = ["output", "seed", "split", "count", "device", "dtype"],
        ["train-dit"] = ["output", "seed", "device", "dtype"],
        ["sample"] = ["output", "seed", "count", "device", "dtype"],
        ["eval-gen"] = ["seed", "split", "count", "device", "dtype"],
        ["generate-demo"] = ["output", "seed"],
        ["study run"] = ["output"],
        ["study report"] = [],
        ["study presets"] = [],
        ["bench"] = ["seed", "device", "dtype"],
    };

    [Fact]
    public void EveryCommandNamesEachConceptTheSameWayAndTakesJson()
    {
        var commands = FrontDoorTests.Commands(CliApp.BuildRoot(), []).ToDictionary(c => string.Join(' ', c.Path), c => c.Command);
        Assert.Equal(Concepts.Keys.Order(), commands.Keys.Order());
        foreach (var (name, cmd) in commands)
        {
            var visible = cmd.Options.Where(o => !o.Hidden).ToList();
            foreach (string concept in Concepts[name].Append("json"))
                Assert.True(visible.Any(o => o.Name == CommonOptions.Names[concept]), $"{name} lacks {CommonOptions.Names[concept]}");
            if (Concepts[name].Contains("output"))
                Assert.Contains("-o", visible.Single(o => o.Name == "--output").Aliases);
            // metrics' --test names the test image of a pair (--ref A --test B), not a split.
            foreach (string old in CommonOptions.OldSpellings.Where(o => !(name == "metrics" && o == "--test")))
                Assert.False(visible.Any(o => o.Name == old || o.Aliases.Contains(old)), $"{name} shows the old spelling {old}");
        }
    }

    [Fact]
    public void OldSpellingsStillWorkButNotTogetherWithTheNewOnes()
    {
        using var tmp = new TempDir();
        var old = CliRunner.Run("init", "Sw32d1h2-Bw32d1h2/4", "--channels", "4", "--out", tmp.File("a.safetensors"));
        var both = CliRunner.Run("init", "Sw32d1h2-Bw32d1h2/4", "--out", tmp.File("b.safetensors"), "-o", tmp.File("c.safetensors"));
        var missing = CliRunner.Run("init", "Sw32d1h2-Bw32d1h2/4");

        Assert.True(old.Exit == 0, old.Err);
        Assert.True(File.Exists(tmp.File("a.safetensors")));
        Assert.Equal(1, both.Exit);
        Assert.Contains("--output and --out are the same option; give it once, as --output", both.Err);
        Assert.False(File.Exists(tmp.File("b.safetensors")));
        Assert.Equal(1, missing.Exit);
        Assert.Contains("Option '--output' is required", missing.Err);
    }

    [Fact]
    public void ReportingCommandsPrintValidJson()
    {
        // Arrange
        using var tmp = new TempDir();
        string ckpt = tmp.File("m.safetensors"), image = tmp.File("in/im.png"), latents = tmp.File("z.safetensors");
        ImageIO.SavePng(torch.linspace(-1, 1, 3 * 16 * 12).reshape(3, 16, 12), image);
        Npy.Write(tmp.File("a.npy"), torch.randn(8, 3, generator: new torch.Generator(1)));
        Npy.Write(tmp.File("b.npy"), torch.randn(8, 3, generator: new torch.Generator(2)));

        // Act
        var runs = new Dictionary<string, (int Exit, string Out, string Err)>
        {
            ["init"] = CliRunner.Run("init", "Sw32d1h2-Bw32d1h2/4", "--channels", "4", "-o", ckpt, "--json"),
            ["info"] = CliRunner.Run("info", "S-B/16", "--json"),
            ["pretrained list"] = CliRunner.Run("pretrained", "list", "--json"),
            ["reconstruct"] = CliRunner.Run("reconstruct", image, "--checkpoint", ckpt, "-o", tmp.File("rec"), "--json"),
            ["encode"] = CliRunner.Run("encode", image, "--checkpoint", ckpt, "-o", latents, "--json"),
            ["decode"] = CliRunner.Run("decode", latents, "--checkpoint", ckpt, "-o", tmp.File("dec"), "--json"),
            ["metrics"] = CliRunner.Run("metrics", "--ref", image, "--test", image, "--json"),
            ["fd"] = CliRunner.Run("fd", tmp.File("a.npy"), tmp.File("b.npy"), "--json"),
            ["data inspect"] = CliRunner.Run("data", "inspect", "synthetic", "--count", "3", "--frames", "2", "--workers", "1", "--json"),
        };

        // Assert
        foreach (var (name, r) in runs)
        {
            Assert.True(r.Exit == 0, $"{name}: {r.Err}");
            Assert.True(JsonNode.Parse(r.Out) is JsonObject, $"{name}: {r.Out}");
        }
        Assert.Equal(Path.GetFullPath(ckpt), JsonNode.Parse(runs["init"].Out)!["output"]!.GetValue<string>());
        var rec = JsonNode.Parse(runs["reconstruct"].Out)!;
        Assert.Equal(16, rec["items"]![0]!["height"]!.GetValue<long>());
        Assert.True(File.Exists(rec["items"]![0]!["output"]!.GetValue<string>()));
        Assert.Equal(1, JsonNode.Parse(runs["encode"].Out)!["images"]!.GetValue<int>());
        Assert.Single(JsonNode.Parse(runs["decode"].Out)!["files"]!.AsArray());
        Assert.True(JsonNode.Parse(runs["pretrained list"].Out)!["models"]!.AsArray().Count > 0);
        Assert.Equal(3, JsonNode.Parse(runs["data inspect"].Out)!["items"]!.GetValue<int>());
    }

    [Fact]
    public void TrainWithJsonPrintsTheRunSummaryAndDrawsTheLossCurve()
    {
        Requirements.FashionMnist();
        using var tmp = new TempDir();
        string run = tmp.File("run");

        var r = CliRunner.Run("train", "--config", Path.Combine(RepoPaths.Root, "configs", "tiny.json"), "-o", run, "--seed", "1",
            "--set", "steps=3", "--set", "batch_size=4", "--set", "log_every=1", "--set", "loss.perceptual_weight=0", "--json");

        Assert.True(r.Exit == 0, r.Err);
        var o = JsonNode.Parse(r.Out)!;
        Assert.Equal(3, o["step"]!.GetValue<int>());
        Assert.Equal(Path.GetFullPath(Path.Combine(run, "loss.png")), o["loss_curve"]!.GetValue<string>());
        Assert.Equal((450, 800), (ImageIO.ReadHeader(Path.Combine(run, "loss.png")).Height, ImageIO.ReadHeader(Path.Combine(run, "loss.png")).Width));
        Assert.Contains("\"seed\":1", r.Err);                                            // the config line went to stderr
    }

    [Fact]
    public void TheGenerationCommandsSpeakTheSameVocabularyAndPrintJson()
    {
        // Arrange
        Requirements.FashionMnist();
        using var tmp = new TempDir();
        string tok = ViTok.Tests.Generation.GenerationFixtures.Tokenizer(tmp.File("tok.safetensors"));
        string lat = tmp.File("lat"), run = tmp.File("run"), outDir = tmp.File("out");

        // Act
        var enc = CliRunner.Run("encode-dataset", "--checkpoint", tok, "--data", "fashion-mnist", "--split", "test", "--count", "32", "--pad-to", "32",
            "-o", lat, "--shard-size", "32", "--workers", "0", "--json");
        var train = CliRunner.Run("train-dit", "--latents", lat, "-o", run, "--seed", "2", "--set", "variant=Bw32d1h2", "--set", "batch_size=8",
            "--set", "steps=2", "--set", "diffusion.sample_steps=2", "--set", "sample_every=2", "--set", "samples_per_class=1", "--json");
        var sample = CliRunner.Run("sample", "--dit", Path.Combine(run, "model.safetensors"), "--count", "2", "--steps", "2", "--seed", "1", "-o", outDir, "--json");

        // Assert
        Assert.True(enc.Exit == 0, enc.Err);
        var e = JsonNode.Parse(enc.Out)!;
        Assert.Equal(32, e["items_encoded"]!.GetValue<long>());
        Assert.Equal(1, e["shards_written"]!.GetValue<int>());
        Assert.True(train.Exit == 0, train.Err);
        var t = JsonNode.Parse(train.Out)!;
        Assert.Equal(2, t["step"]!.GetValue<int>());
        Assert.True(File.Exists(t["loss_curve"]!.GetValue<string>()));
        Assert.True(sample.Exit == 0, sample.Err);
        var sm = JsonNode.Parse(sample.Out)!;
        Assert.Equal(2, sm["files"]!.AsArray().Count);
        Assert.True(File.Exists(sm["grid"]!.GetValue<string>()));
    }
}
