using System.Text.Json.Nodes;
using ViTok.IO;
using ViTok.Tests.Support;
using ViTok.Models.Paper;

namespace ViTok.Tests.Cli;

[Collection(TorchCollection.Name)]
public class PaperCommandsTests
{
    [Fact]
    public void InfoJsonHasTheDocumentedKeysAndThePaperFigures()
    {
        // Act
        var (exit, output, _) = CliRunner.Run("info", "S-B/16", "--json");

        // Assert
        Assert.Equal(0, exit);
        var o = JsonNode.Parse(output)!.AsObject();
        foreach (var key in new[] { "tokens", "latent_floats", "params_encoder", "params_decoder", "params_total", "gmacs_encoder", "gmacs_decoder", "gmacs_total" })
            Assert.True(o.ContainsKey(key), key);
        Assert.Equal(256, o["tokens"]!.GetValue<long>());
        Assert.Equal(4096, o["latent_floats"]!.GetValue<long>());
        Assert.InRange(o["params_total"]!.GetValue<long>(), 127.7e6, 130.3e6);
        Assert.InRange(o["gmacs_total"]!.GetValue<double>(), 34.1, 35.5);
    }

    [Fact]
    public void InfoOfAVideoVariant()
    {
        var (exit, output, _) = CliRunner.Run("info", "S-B/4x8", "--frames", "16", "--size", "128", "--json");
        Assert.Equal(0, exit);
        var o = JsonNode.Parse(output)!.AsObject();
        Assert.Equal(1024, o["tokens"]!.GetValue<long>());
        Assert.InRange(o["gmacs_total"]!.GetValue<double>(), 160.8 * 0.97, 160.8 * 1.03);
    }

    [Fact]
    public void BadVariantExitsOneWithTheReason()
    {
        var (exit, _, err) = CliRunner.Run("info", "Q-B/16");
        Assert.Equal(1, exit);
        Assert.Contains("unknown size letter 'Q'", err);
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public void InitThenReconstructWritesPngsUnderTheSameNames()
    {
        // Arrange
        string dir = Path.Combine(Path.GetTempPath(), $"cli-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        string ckpt = Path.Combine(dir, "tiny.safetensors");
        torch.manual_seed(0);
        var image = torch.rand(3, 13, 18) * 2 - 1;
        ImageIO.SavePng(image, Path.Combine(dir, "photo.png"));

        // Act
        var init = CliRunner.Run("init", "Sw32d1h2-Bw32d1h2/4", "--channels", "4", "--seed", "3", "-o", ckpt);
        var rec = CliRunner.Run("reconstruct", Path.Combine(dir, "photo.png"), "--checkpoint", ckpt, "-o", Path.Combine(dir, "out"));

        // Assert
        Assert.Equal(0, init.Exit);
        Assert.Equal(0, rec.Exit);
        var (rgb, h, w) = ImageIO.LoadRgb8(Path.Combine(dir, "out", "photo.png"));
        Assert.Equal((13, 18), (h, w));
        using var model = PaperCheckpoint.Load(ckpt);
        var expected = ImageIO.ToRgb8(model.ReconstructImage(ImageIO.Load(Path.Combine(dir, "photo.png"))));
        Assert.Equal(expected, rgb);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void ReconstructWithAForeignCheckpointFailsClearly()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"cli-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        string bogus = Path.Combine(dir, "model.safetensors");
        File.WriteAllText(bogus, "hello");
        var (exit, _, err) = CliRunner.Run("reconstruct", bogus, "--checkpoint", bogus, "-o", dir);
        Assert.Equal(1, exit);
        Assert.Contains(bogus, err);
        Directory.Delete(dir, true);
    }
}
