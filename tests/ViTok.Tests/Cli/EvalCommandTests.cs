using System.Text.Json.Nodes;
using ViTok.Evaluation;
using ViTok.IO;
using ViTok.Metrics;
using ViTok.Models;
using ViTok.Tests.Support;
using ViTok.Models.Paper;

namespace ViTok.Tests.Cli;

[Collection(TorchCollection.Name)]
public sealed class EvalCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void EvalOfATinyCheckpointWritesJsonAReportAndAGrid()
    {
        // Arrange: a tiny paper checkpoint and 12 smooth 32×32 images, of which the first 10 are evaluated.
        torch.manual_seed(2);
        string ckpt = _dir.File("tiny.safetensors");
        using (var init = new PaperAutoencoder(PaperConfig.FromVariant("Sw32d1h2-Bw32d1h2/4", 4)))
            PaperCheckpoint.Save(init, ckpt);
        for (int i = 0; i < 12; i++)
        {
            using var coarse = torch.rand(1, 3, 4, 4) * 2 - 1;
            using var image = F.interpolate(coarse, [32, 32], mode: InterpolationMode.Bilinear, align_corners: false)[0];
            ImageIO.SavePng(image, _dir.File($"data/img{i:00}.png"));
        }
        string report = _dir.File("out/report.md");

        // Act
        var (exit, stdout, stderr) = CliRunner.Run("eval", "--checkpoint", ckpt, "--data", Path.Combine(_dir.Path, "data"),
            "--n", "10", "--batch-size", "4", "--json", "--out", report);

        // Assert: the JSON keys.
        Assert.True(exit == 0, stderr);
        var o = JsonNode.Parse(stdout)!.AsObject();
        foreach (var key in new[] { "psnr", "ssim", "fd_resnet18", "perceptual_resnet18", "n", "items_per_second", "gmacs", "wall_seconds", "family", "variant" })
            Assert.True(o.ContainsKey(key), key);
        Assert.False(o.ContainsKey("fid"), "no FID without its weights");
        Assert.Equal(10, o["n"]!.GetValue<long>());
        Assert.Equal("paper", o["family"]!.GetValue<string>());
        Assert.Equal("Sw32d1h2-Bw32d1h2/4", o["variant"]!.GetValue<string>());
        Assert.True(o["items_per_second"]!.GetValue<double>() > 0);

        // PSNR as a direct computation on the 8-bit images and quantised reconstructions.
        using var model = (PaperAutoencoder)Autoencoders.Load(ckpt);
        model.eval();
        Assert.Equal(model.Gmacs(1, 32, 32), o["gmacs"]!.GetValue<double>(), 12);
        using (var scope = torch.NewDisposeScope())
        {
            var x = torch.stack(Enumerable.Range(0, 10).Select(i => ImageIO.Load(Path.Combine(_dir.Path, "data", $"img{i:00}.png"))));
            var recon = model.Reconstruct(x);
            var q = ((recon.clamp(-1, 1) + 1) / 2 * 255).round() / 255 * 2 - 1;
            var psnr = Psnr.PerImage(x, q);
            Assert.Equal(psnr.mean().item<double>(), o["psnr"]!.GetValue<double>(), 9);
        }

        // The report and the grid: rows original / reconstruction / difference, 4 best and 4 worst, tiles of 32 pixels
        // upscaled ×3 to 96 with 4-pixel gaps, a caption line of 18 pixels and a label column (its width is the font's).
        Assert.True(File.Exists(report));
        string text = File.ReadAllText(report);
        Assert.Contains("`psnr`", text);
        Assert.Contains("`fd_resnet18`", text);
        Assert.Contains("report-grid.png", text);
        string grid = EvalReport.GridPathFor(report);
        var header = ImageIO.ReadHeader(grid);
        bool font = ViTok.Plots.PlotFonts.FontFile is not null;
        Assert.Equal(3 * (96 + 4) + 4 + (font ? 18 : 0), header.Height);
        Assert.InRange(header.Width, 8 * (96 + 4) + 4 + (font ? 60 : 0), 8 * (96 + 4) + 4 + (font ? 200 : 0));
        Assert.Contains("| # | kind | item | relative error | PSNR (dB) |", text);
        Assert.DoesNotContain(Directory.GetFiles(Path.GetDirectoryName(report)!), f => f.Contains(".tmp-"));
    }

    [Fact]
    public void BadRequestsExitWithOneAndSayWhatToPass()
    {
        // Arrange
        string folder = _dir.File("data/a.png");
        using (var image = torch.zeros(3, 16, 16)) ImageIO.SavePng(image, folder);
        string ckpt = _dir.File("tiny.safetensors");
        torch.manual_seed(0);
        using (var init = new PaperAutoencoder(PaperConfig.FromVariant("Sw32d1h2-Bw32d1h2/4", 4)))
            PaperCheckpoint.Save(init, ckpt);
        string data = Path.Combine(_dir.Path, "data");

        // Act
        var fid = CliRunner.Run("eval", "--checkpoint", ckpt, "--data", data, "--metrics", "psnr,fid");
        var neither = CliRunner.Run("eval", "--data", data);
        var unknown = CliRunner.Run("eval", "--checkpoint", ckpt, "--data", data, "--metrics", "rfid");

        // Assert
        Assert.Equal(1, fid.Exit);
        Assert.Contains("--fid-weights", fid.Err);
        Assert.Contains(FidInceptionV3.WeightsFileName, fid.Err);
        Assert.Equal(1, neither.Exit);
        Assert.Contains("--checkpoint", neither.Err);
        Assert.Equal(1, unknown.Exit);
        Assert.Contains("unknown metric 'rfid'", unknown.Err);
        Assert.DoesNotContain("   at ", fid.Err + neither.Err + unknown.Err);
        _ = EvalMetrics.All;
    }
}
