using System.Text.Json.Nodes;
using ViTok.Training;
using ViTok.Tests.Support;
using ViTok.Demos;

namespace ViTok.Tests.Training;

[Collection(TorchCollection.Name)]
public class TokenizerDemoTests
{
    [Fact]
    public void AShortDemoWritesTheReportMetricsAndPicture()
    {
        // Arrange: a few seconds of a tiny model, 300 test images.
        Assert.True(Directory.Exists("/usr/share/datasets/fashion-mnist"), "Fashion-MNIST is missing: apt-get install -y dataset-fashion-mnist");
        string dir = Path.Combine(Path.GetTempPath(), $"demo-{Guid.NewGuid():N}");
        var o = new DemoOptions { Minutes = 0.1, Out = dir, Variant = "Sw32d1h2-Bw32d1h2/4", BatchSize = 16, EvalItems = 300, PerceptualWeight = 0.1 };
        var lines = new List<string>();

        // Act
        var r = TokenizerDemo.Run(o, t => t.RunLoop(CancellationToken.None), lines.Add);

        // Assert
        foreach (var f in new[] { "recon.png", "report.md", "metrics.json", "model.safetensors", "train/model.safetensors" })
            Assert.True(File.Exists(Path.Combine(dir, f)), f);
        var m = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "metrics.json")))!;
        foreach (var k in new[] { "psnr", "ssim", "latent_floats", "steps", "baseline_bicubic_psnr", "baseline_bicubic_ssim" })
            Assert.NotNull(m[k]);
        Assert.Equal(256, m["latent_floats"]!.GetValue<long>());
        Assert.InRange(r.EvalItems, 10, 300);                                    // as many as the 6-second budget allows (batches of 50)
        Assert.Equal(r.EvalItems, m["eval_items"]!.GetValue<int>());
        Assert.True(r.Steps >= 1);
        // Bicubic from 9×9 RGB back to 32×32 is a known, poor baseline; from 16×16 grey it is much better.
        Assert.InRange(r.BaselineBicubicPsnr, 14, 24);
        Assert.True(r.BaselineBicubicGreyPsnr > r.BaselineBicubicPsnr + 2);
        Assert.Contains("| ViTok (this run) |", File.ReadAllText(Path.Combine(dir, "report.md")));
        Directory.Delete(dir, true);
    }
}
