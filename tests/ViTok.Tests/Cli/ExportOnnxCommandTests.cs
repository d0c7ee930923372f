using ViTok.IO;
using ViTok.Tests.Support;

namespace ViTok.Tests.Cli;

/// <summary><c>vitok export onnx</c> then <c>vitok reconstruct --onnx</c> gives the TorchSharp reconstruction.</summary>
[Collection(TorchCollection.Name)]
public sealed class ExportOnnxCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Fixture(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);

    [Theory]
    [InlineData("paper")]
    [InlineData("v2")]
    public void ReconstructThroughOnnx_EqualsTorchSharpReconstruct(string family)
    {
        // Arrange: a tiny paper checkpoint, or the tiny v2 reference weights.
        string[] model;
        if (family == "paper")
        {
            string ckpt = _dir.File("tiny.safetensors");
            Assert.Equal(0, CliRunner.Run("init", "Sw32d1h2-Bw32d1h2/4", "--channels", "4", "-o", ckpt).Exit);
            model = ["--checkpoint", ckpt];
        }
        else
        {
            model = ["--checkpoint", Fixture("vitok-v2", "tiny-v2"), "--variant", "w64_d2_h4-w96_d3_h4/1x8x16"];
        }
        string image = Fixture("vitok-v2", "pipeline", "coffee-30x44.png");
        string onnx = Path.Combine(_dir.Path, "onnx");

        // Act
        var export = CliRunner.Run(["export", "onnx", .. model, "-o", onnx, "--json"]);
        var viaOnnx = CliRunner.Run("reconstruct", image, "--onnx", onnx, "-o", Path.Combine(_dir.Path, "ort"));
        var viaTorch = CliRunner.Run(["reconstruct", image, .. model, "-o", Path.Combine(_dir.Path, "torch")]);

        // Assert: the same 8-bit image, up to ±1 from float rounding at a .5 boundary.
        Assert.True(export.Exit == 0, export.Err);
        Assert.Contains("decoder.onnx", export.Out);
        Assert.True(viaOnnx.Exit == 0, viaOnnx.Err);
        Assert.True(viaTorch.Exit == 0, viaTorch.Err);
        var (a, h, w) = ImageIO.LoadRgb8(Path.Combine(_dir.Path, "ort", "coffee-30x44.png"));
        var (b, h2, w2) = ImageIO.LoadRgb8(Path.Combine(_dir.Path, "torch", "coffee-30x44.png"));
        Assert.Equal((h2, w2), (h, w));
        Assert.Equal(a.Length, b.Length);
        Assert.All(a.Zip(b), p => Assert.True(Math.Abs(p.First - p.Second) <= 1));
    }

    [Fact]
    public void ReconstructWithBothOrNeitherModel_IsAOneLineError()
    {
        string image = Fixture("vitok-v2", "pipeline", "coffee-30x44.png");
        var neither = CliRunner.Run("reconstruct", image, "-o", Path.Combine(_dir.Path, "x"));
        var missing = CliRunner.Run("reconstruct", image, "--onnx", _dir.Path, "-o", Path.Combine(_dir.Path, "y"));
        Assert.Equal(1, neither.Exit);
        Assert.Contains("--onnx", neither.Err);
        Assert.Equal(1, missing.Exit);
        Assert.Contains("neither encoder.onnx nor decoder.onnx", missing.Err);
        Assert.DoesNotContain("   at ", missing.Err);
    }

    [Fact]
    public void Reconstruct_TilesOnRequest_AndRefusesAnUntiledPassOverTheLimit()
    {
        string ckpt = _dir.File("tiny.safetensors");
        Assert.Equal(0, CliRunner.Run("init", "Sw32d1h2-Bw32d1h2/4", "--channels", "4", "-o", ckpt).Exit);
        string image = Fixture("vitok-v2", "pipeline", "coffee-30x44.png");

        var tiled = CliRunner.Run("reconstruct", image, "--checkpoint", ckpt, "--tile", "on", "--tile-size", "16", "--tile-overlap", "4", "-o", Path.Combine(_dir.Path, "t"));
        var refused = CliRunner.Run("reconstruct", image, "--checkpoint", ckpt, "--tile", "off", "--max-memory", "1M", "-o", Path.Combine(_dir.Path, "r"));

        Assert.True(tiled.Exit == 0, tiled.Err);
        Assert.Contains("tile 24/24", tiled.Err);   // 12 tiles, encoded then decoded
        var (_, h, w) = ImageIO.LoadRgb8(Path.Combine(_dir.Path, "t", "coffee-30x44.png"));
        var (_, h0, w0) = ImageIO.LoadRgb8(image);
        Assert.Equal((h0, w0), (h, w));
        Assert.Equal(1, refused.Exit);
        Assert.Contains("untiled needs about", refused.Err);
        Assert.False(File.Exists(Path.Combine(_dir.Path, "r", "coffee-30x44.png")));
    }
}
