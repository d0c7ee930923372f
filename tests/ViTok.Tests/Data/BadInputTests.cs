using SkiaSharp;
using ViTok.Data;
using ViTok.IO;
using ViTok.Tests.Support;

namespace ViTok.Tests.Data;

[Collection(TorchCollection.Name)]
public sealed class BadInputTests
{
    [Fact]
    public void ImageFolder_EveryBadFileIsSkippedForItsReason_GoodOnesDecode()
    {
        // Arrange: fixtures made here — a PNG and a JPEG from SkiaSharp, a truncated JPEG, a zero-byte file, text named
        // .png, and a PNG whose header claims 100000×100000.
        using var dir = new TempDir();
        var goodRgb = ImageFixtures.RandomRgb(20, 30, 7);
        File.WriteAllBytes(dir.File("good.png"), ImageFixtures.Encode(goodRgb, 20, 30, SKEncodedImageFormat.Png));
        var jpeg = ImageFixtures.Encode(ImageFixtures.SmoothRgb(64, 48), 64, 48, SKEncodedImageFormat.Jpeg, 90);
        File.WriteAllBytes(dir.File("good.jpg"), jpeg);
        File.WriteAllBytes(dir.File("truncated.jpg"), jpeg[..(jpeg.Length * 2 / 3)]);
        File.WriteAllBytes(dir.File("zero.png"), []);
        File.WriteAllText(dir.File("text.png"), "I am a text file, not a picture.\n");
        File.WriteAllBytes(dir.File("huge.png"), ImageFixtures.PngWithHeader(100_000, 100_000));
        var ds = ImageFiles.FromFolder(dir.Path);

        // Act
        var report = DataInspector.Inspect(ds, workers: 2);
        var samples = new DataLoader(ds, new DataLoaderOptions { Shuffle = false, Workers = 2, BatchSize = 1 })
            .Samples(0).Select(s => s.Sample).ToList();

        // Assert
        Assert.Equal(6, report.Items);
        Assert.Equal(2, report.Readable);
        Assert.Equal(4, report.Skipped);
        Assert.Equal(new Dictionary<string, int> { ["empty"] = 1, ["misnamed"] = 1, ["too-large"] = 1, ["truncated"] = 1 },
            report.SkippedByReason);
        var reasons = report.SkippedFiles.ToDictionary(e => Path.GetFileName(e.Source), e => e.ReasonKey);
        Assert.Equal("empty", reasons["zero.png"]);
        Assert.Equal("misnamed", reasons["text.png"]);
        Assert.Equal("too-large", reasons["huge.png"]);
        Assert.Equal("truncated", reasons["truncated.jpg"]);
        // The good PNG decodes bit-exactly: pixel = byte / 127.5 − 1, planar [3, H, W].
        var png = samples.Single(s => s.Source.EndsWith("good.png"));
        Assert.Equal(new long[] { 3, 20, 30 }, png.Shape);
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < 600; i++)
                Assert.Equal(goodRgb[3 * i + c] / 127.5f - 1f, png.Pixels[c * 600 + i]);
        Assert.Equal((64, 48), (samples.Single(s => s.Source.EndsWith("good.jpg")).Height, samples.Single(s => s.Source.EndsWith("good.jpg")).Width));
    }

    [Fact]
    public void HugeHeader_IsRefusedBeforeDecoding()
    {
        // Arrange
        using var dir = new TempDir();
        string path = dir.File("huge.png");
        File.WriteAllBytes(path, ImageFixtures.PngWithHeader(100_000, 100_000));

        // Act
        var header = ImageIO.ReadHeader(path);
        var e = Assert.Throws<BadItemException>(() => ImageIO.DecodeRgb8(File.ReadAllBytes(path), path));

        // Assert: 10 gigapixels would need 40 GB to decode; the header check refuses it instantly.
        Assert.Equal(10_000_000_000L, header.Pixels);
        Assert.Equal(SkipReason.TooLarge, e.Reason);
        Assert.Contains("100000x100000", e.Detail);
    }

    [Fact]
    public void SkipLog_ListsEachSourceOnce()
    {
        // Arrange
        var writer = new StringWriter();
        var log = new SkipLog(writer);

        // Act
        bool first = log.Record("a.png", SkipReason.Truncated, "ends early");
        bool again = log.Record("a.png", SkipReason.Truncated, "ends early");
        log.Record("b.png", SkipReason.Empty, "zero-byte file");

        // Assert
        Assert.True(first);
        Assert.False(again);
        Assert.Equal(2, log.Count);
        Assert.Equal(2, writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("a.png: truncated: ends early", log.Summary());
    }

    [Fact]
    public async Task Fifo_NamedLikeAnImage_IsSkippedWithoutHanging()
    {
        // Arrange: opening a FIFO for reading blocks until a writer comes; the reader must never open it.
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("ok.png"), ImageFixtures.Encode(ImageFixtures.RandomRgb(8, 8, 1), 8, 8, SKEncodedImageFormat.Png));
        string fifo = dir.File("pipe.jpg");
        using (var p = System.Diagnostics.Process.Start("mkfifo", fifo)) p.WaitForExit();
        Assert.True(File.Exists(fifo), "mkfifo failed");
        var ds = ImageFiles.FromFolder(dir.Path);

        // Act
        var task = Task.Run(() => DataInspector.Inspect(ds, workers: 1));
        bool finished = await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(20))) == task;

        // Assert
        Assert.True(finished, "inspecting a folder with a FIFO hung");
        var report = await task;
        Assert.Equal(1, report.Readable);
        Assert.Equal("pipe.jpg", Path.GetFileName(Assert.Single(report.SkippedFiles).Source));
    }

    [Fact]
    public void Loader_DisposesEveryBatchItHandedOut()
    {
        // Arrange
        using var dir = new TempDir();
        for (int i = 0; i < 6; i++)
            File.WriteAllBytes(dir.File($"{i}.png"), ImageFixtures.Encode(ImageFixtures.RandomRgb(8, 8, i), 8, 8, SKEncodedImageFormat.Png));
        var loader = new DataLoader(ImageFiles.FromFolder(dir.Path), new DataLoaderOptions { BatchSize = 4 });
        var seen = new List<Batch>();

        // Act
        foreach (var b in loader.Epoch(0))
        {
            Assert.False(b.Pixels.IsInvalid);
            seen.Add(b);
        }

        // Assert: the 4 + 2 batches were freed (the previous on each step, the last at the end).
        Assert.Equal(2, seen.Count);
        Assert.All(seen, b => Assert.True(b.Pixels.IsInvalid && b.Labels.IsInvalid));
    }
}
