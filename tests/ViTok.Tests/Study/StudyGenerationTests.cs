using System.Text.Json.Nodes;
using ViTok.Study;
using ViTok.Tests.Support;

namespace ViTok.Tests.Study;

public class StudyGenerationTests
{
    private const string Generation = "\"generation\": { \"dit\": { \"variant\": \"Bw16d1h2\", \"diffusion\": { \"kind\": \"flow\", \"sample_steps\": 2 }, \"batch_size\": 8, \"steps\": 2, \"lr\": 1e-3, \"log_every\": 1, \"checkpoint_every\": 1, \"sample_every\": 1000, \"ema_decay\": 0.5 }, \"encode_count\": 16, \"samples\": 8, \"cfg\": 1.5 }";

    [Fact]
    public void GenerationRows_GetGfd_AndTheReportPlotsItAgainstChannels()
    {
        using var dir = new TempDir();
        var plan = StudyPlanTests.Parse("\"axes\": [ { \"name\": \"channels\", \"values\": [2, 8, 32] } ], " + Generation);
        Assert.Equal(16, plan.Generation!.EncodeCount);
        var exec = new FakeStudyExecutor();
        Assert.Equal((3, 0, 0, 0), new StudyRunner(plan, dir.Path, exec, _ => { }).Run(0, 1, 0, default));
        Assert.Equal(3, exec.Generations.Count);
        var row = StudyResults.ReadRow(dir.Path, "channels-32_seed-0")!;
        Assert.Equal(40, row["metrics"]![StudyGeneration.Metric]!.GetValue<double>(), 9);   // 20 + 10·|5 − 3|
        Assert.True(row["metrics"]!["psnr"] is not null);                        // reconstruction metrics kept
        Assert.Equal(3, row["dit_steps"]!.GetValue<int>());
        var summary = StudyReport.Write(plan, dir.Path);
        string png = Assert.Single(summary.Plots, p => p.EndsWith("generation_by_channels.png", StringComparison.Ordinal));
        byte[] bytes = File.ReadAllBytes(png);
        Assert.True(bytes.Length > 5000);
        Assert.Equal(StudyPlots.Width, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
        string md = File.ReadAllText(Path.Combine(dir.Path, "report.md"));
        Assert.Contains("gFD-ResNet18, not FID", md);
        Assert.Contains("| channels=8 | gfd_resnet18 | 20.0000 |", md);
    }

    [Theory]
    [InlineData("\"generation\": { \"dit\": { \"variant\": \"Bw16d1h2\", \"latents\": \"x\" } }", "leave out \"latents\"")]
    [InlineData("\"generation\": { \"dit\": { \"variant\": \"Q\" } }", "generation.dit")]
    [InlineData("\"generation\": { \"samples\": 10 }", "generation.dit must be")]
    [InlineData("\"generation\": { \"dit\": { \"variant\": \"Bw16d1h2\" }, \"samples\": 1 }", "generation.samples")]
    [InlineData("\"generation\": { \"dit\": { \"variant\": \"Bw16d1h2\" }, \"guidance\": 2 }", "unknown key \"generation.guidance\"")]
    public void BadGenerationBlocks_AreRefused(string block, string expected)
    {
        var e = Assert.Throws<ViTokException>(() => StudyPlanTests.Parse("\"axes\": [ { \"name\": \"channels\", \"values\": [2] } ], " + block));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void RealPipeline_TinyTokenizer_Latents_DiT_Gfd()
    {
        if (!Directory.Exists("/usr/share/datasets/fashion-mnist")) return;         // .ci/run installs it
        using var dir = new TempDir();
        var plan = StudyPlanTests.Parse("\"eval\": { \"count\": 8, \"metrics\": [\"psnr\"] }, \"axes\": [ { \"name\": \"channels\", \"values\": [4] } ], " + Generation);
        var result = new StudyRunner(plan, dir.Path, new StudyExecutor(TextWriter.Null), _ => { }).Run(0, 1, 0, default);
        Assert.Equal((1, 0, 0, 0), result);
        var row = StudyResults.ReadRow(dir.Path, "channels-4_seed-0")!;
        Assert.True(row["metrics"]![StudyGeneration.Metric]!.GetValue<double>() > 0);
        Assert.Equal(2, row["dit_steps"]!.GetValue<int>());
        string run = StudyResults.RunFolder(dir.Path, "channels-4_seed-0");
        Assert.True(File.Exists(Path.Combine(run, "dit", "model.safetensors")));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(run, "latents"), "shard_*.safetensors"));
    }
}
