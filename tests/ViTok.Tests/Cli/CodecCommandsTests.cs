using ViTok.IO;
using ViTok.Tests.Support;

namespace ViTok.Tests.Cli;

[Collection(TorchCollection.Name)]
public class CodecCommandsTests
{
    private static string Fixture(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);

    private const string TinyV2 = "w64_d2_h4-w96_d3_h4/1x8x16";

    [Fact]
    public void ReconstructWithV2WeightsEqualsTheReferencePipelinesEightBitOutput()
    {
        // Arrange
        string outDir = Path.Combine(Path.GetTempPath(), $"v2cli-{Guid.NewGuid():N}");
        string[] names = ["astronaut-61x45", "chelsea-90x135", "coffee-30x44"];
        string[] inputs = [.. names.Select(n => Fixture("vitok-v2", "pipeline", n + ".png"))];

        // Act
        var (exit, output, err) = CliRunner.Run(["reconstruct", .. inputs, "--checkpoint", Fixture("vitok-v2", "tiny-v2"), "--variant", TinyV2, "--max-tokens", "64", "-o", outDir]);

        // Assert: ±1 on at most 0.1 % of values.
        Assert.True(exit == 0, err);
        Assert.Contains("shrunk to 72x48", output);
        foreach (var n in names)
        {
            var (ours, h, w) = ImageIO.LoadRgb8(Path.Combine(outDir, n + ".png"));
            var (reference, rh, rw) = ImageIO.LoadRgb8(Fixture("vitok-v2", "pipeline", n + ".recon.png"));
            Assert.Equal((rh, rw), (h, w));
            int off = 0;
            for (int i = 0; i < ours.Length; i++)
            {
                int d = Math.Abs(ours[i] - reference[i]);
                Assert.True(d <= 1, $"{n}: value {i} differs by {d}");
                if (d == 1) off++;
            }
            Assert.True(off <= ours.Length / 1000, $"{n}: {off} of {ours.Length} values off by one");
        }
        Directory.Delete(outDir, true);
    }

    [Theory]
    [InlineData("paper")]
    [InlineData("v2")]
    public void EncodeThenDecodeEqualsReconstruct(string family)
    {
        // Arrange
        string dir = Path.Combine(Path.GetTempPath(), $"codec-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        string ckpt;
        string[] variant;
        if (family == "paper")
        {
            ckpt = Path.Combine(dir, "tiny.safetensors");
            Assert.Equal(0, CliRunner.Run("init", "Sw32d1h2-Bw32d1h2/4", "--channels", "4", "-o", ckpt).Exit);
            variant = [];
        }
        else
        {
            ckpt = Fixture("vitok-v2", "tiny-v2");
            variant = ["--variant", TinyV2];
        }
        string image = Fixture("vitok-v2", "pipeline", "coffee-30x44.png");
        string latents = Path.Combine(dir, "z.safetensors");

        // Act
        var enc = CliRunner.Run(["encode", image, "--checkpoint", ckpt, .. variant, "-o", latents]);
        var dec = CliRunner.Run(["decode", latents, "--checkpoint", ckpt, .. variant, "-o", Path.Combine(dir, "dec")]);
        var rec = CliRunner.Run(["reconstruct", image, "--checkpoint", ckpt, .. variant, "-o", Path.Combine(dir, "rec")]);

        // Assert
        Assert.True(enc.Exit == 0, enc.Err);
        Assert.True(dec.Exit == 0, dec.Err);
        Assert.True(rec.Exit == 0, rec.Err);
        var (_, meta) = Safetensors.Read(latents);
        Assert.Equal(family, meta["family"]);
        Assert.Contains("grid_rows", meta["items"]);
        Assert.Equal(ImageIO.LoadRgb8(Path.Combine(dir, "rec", "coffee-30x44.png")).Rgb, ImageIO.LoadRgb8(Path.Combine(dir, "dec", "coffee-30x44.png")).Rgb);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void DecodingWithTheWrongModelIsRefused()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"codec-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        string a = Path.Combine(dir, "a.safetensors"), b = Path.Combine(dir, "b.safetensors");
        CliRunner.Run("init", "Sw32d1h2-Bw32d1h2/4", "--channels", "4", "-o", a);
        CliRunner.Run("init", "Sw32d1h2-Bw32d1h2/4", "--channels", "8", "-o", b);
        string latents = Path.Combine(dir, "z.safetensors");
        CliRunner.Run("encode", Fixture("vitok-v2", "pipeline", "coffee-30x44.png"), "--checkpoint", a, "-o", latents);
        var (exit, _, err) = CliRunner.Run("decode", latents, "--checkpoint", b, "-o", dir);
        Assert.Equal(1, exit);
        Assert.Contains("cannot be decoded", err);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void InfoForV2PrintsTheReleasedParameterCounts()
    {
        var (exit, output, _) = CliRunner.Run("info", "--family", "v2", "Ld4-Ld24/1x16x64", "--json");
        Assert.Equal(0, exit);
        var o = System.Text.Json.Nodes.JsonNode.Parse(output)!;
        Assert.InRange(o["params_encoder"]!.GetValue<long>(), 51.25e6 * 0.995, 51.25e6 * 1.005);
        Assert.InRange(o["params_decoder"]!.GetValue<long>(), 303.3e6 * 0.995, 303.3e6 * 1.005);
    }
}
