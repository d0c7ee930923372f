using System.CommandLine;
using System.Text.Json;
using SkiaSharp;
using ViTok.Cli.Commands;
using ViTok.Tests.Support;

namespace ViTok.Tests.Cli;

[Collection(TorchCollection.Name)]
public sealed class DataCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => Support.CliRunner.Run(args);

    [Fact]
    public void Inspect_Json_ReportsCountsReasonsClassesAndWritesTheSheet()
    {
        // Arrange
        using var dir = new TempDir();
        for (int i = 0; i < 3; i++)
        {
            File.WriteAllBytes(dir.File($"cats/{i}.png"), ImageFixtures.Encode(ImageFixtures.RandomRgb(40, 50, i), 40, 50, SKEncodedImageFormat.Png));
            File.WriteAllBytes(dir.File($"dogs/{i}.jpg"), ImageFixtures.Encode(ImageFixtures.SmoothRgb(60, 30), 60, 30, SKEncodedImageFormat.Jpeg));
        }
        File.WriteAllBytes(dir.File("dogs/empty.jpg"), []);
        string sheet = dir.File("sheet.png");

        // Act
        var (code, stdout, _) = Run("data", "inspect", dir.Path, "--json", "--sheet", sheet, "--size", "32");
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;

        // Assert
        Assert.Equal(0, code);
        Assert.Equal(7, root.GetProperty("items").GetInt64());
        Assert.Equal(6, root.GetProperty("readable").GetInt64());
        Assert.Equal(1, root.GetProperty("skipped").GetInt64());
        Assert.Equal(1, root.GetProperty("skipped_by_reason").GetProperty("empty").GetInt32());
        Assert.Equal(2, root.GetProperty("classes").GetInt32());
        Assert.Equal(30, root.GetProperty("width").GetProperty("min").GetInt32());
        var (_, h, w) = ViTok.IO.ImageIO.LoadRgb8(sheet);
        Assert.True(h >= 32 && w >= 6 * 32, $"sheet is {w}x{h}");
    }

    [Fact]
    public void Inspect_NothingReadable_ExitsWithAnErrorThatSaysWhatWasFound()
    {
        // Arrange
        using var dir = new TempDir();
        File.WriteAllText(dir.File("a.png"), "text");

        // Act
        var (code, stdout, stderr) = Run("data", "inspect", dir.Path);

        // Assert
        Assert.Equal(1, code);
        Assert.Contains("misnamed", stdout);
        Assert.Contains("no readable", stderr);
    }

    [Fact]
    public void Bench_Json_ReportsItemsPerSecond()
    {
        // Arrange
        using var dir = new TempDir();
        for (int i = 0; i < 8; i++)
            File.WriteAllBytes(dir.File($"{i}.jpg"), ImageFixtures.Encode(ImageFixtures.SmoothRgb(64, 64), 64, 64, SKEncodedImageFormat.Jpeg));

        // Act
        var (code, stdout, _) = Run("data", "bench", dir.Path, "--size", "32", "--batch-size", "4", "--seconds", "0.5", "--json");
        using var json = JsonDocument.Parse(stdout);

        // Assert
        Assert.Equal(0, code);
        Assert.True(json.RootElement.GetProperty("items_per_second").GetDouble() > 0);
        Assert.Equal(32, json.RootElement.GetProperty("size").GetInt32());
    }

    [Fact]
    public void Inspect_MissingFolder_IsAUsageError()
    {
        // Act
        var (code, _, stderr) = Run("data", "inspect", "/no/such/folder");

        // Assert
        Assert.Equal(1, code);
        Assert.Contains("/no/such/folder", stderr);
    }
}
