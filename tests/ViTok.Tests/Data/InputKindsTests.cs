using System.Formats.Tar;
using SkiaSharp;
using ViTok.Data;
using ViTok.IO;
using ViTok.Models;
using ViTok.Tests.Support;

namespace ViTok.Tests.Data;

/// <summary>Issues 11.8, 11.9 and 11.10: GIFs are images (first frame) everywhere; files a source does not take are
/// listed; mixed folders are named; links are not followed out of the folder or around a loop; WebDataset keys whose
/// members are apart and non-integer labels are reported for what they are.</summary>
[Collection(TorchCollection.Name)]
public sealed class InputKindsTests
{
    private static byte[] Png(int h, int w) => ImageFixtures.Encode(ImageFixtures.SmoothRgb(h, w), h, w, SKEncodedImageFormat.Png);

    private static void Gif(string path, int w, int h, int frames) =>
        VideoFixtures.Ffmpeg("-f", "lavfi", "-i", $"testsrc=size={w}x{h}:rate=8", "-frames:v", frames.ToString(), "-f", "gif", "file:" + path);

    [Fact]
    public void Gif_IsAnImage_InFoldersReconstructAndMetrics_AndVideoFoldersListIt()
    {
        Assert.True(VideoIO.IsAvailable, "ffmpeg is missing: apt-get install -y ffmpeg");
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("img/a.png"), Png(12, 20));
        Gif(dir.File("img/b.gif"), 20, 12, 3);
        VideoFixtures.Make(dir.File("vid/c.mp4"), 16, 16, 8);
        Gif(dir.File("vid/d.gif"), 16, 16, 1);
        string ckpt = dir.File("image.safetensors");
        using (var model = new PaperAutoencoder(TinyConfigs.Image())) PaperCheckpoint.Save(model, ckpt);

        var images = ImageFiles.FromFolder(dir.File("img"));
        var videos = VideoFiles.FromFolder(dir.File("vid"));
        var mixed = CliRunner.Run("data", "inspect", dir.File("vid"), "--frames", "4");
        var inspect = CliRunner.Run("data", "inspect", dir.File("vid"), "--frames", "4", "--kind", "video");
        var rec = CliRunner.Run("reconstruct", dir.File("vid/d.gif"), "--checkpoint", ckpt, "-o", dir.File("out"));

        Assert.Equal(["a.png", "b.gif"], images.Paths.Select(p => Path.GetFileName(p)).ToArray());
        Assert.Equal(["c.mp4"], videos.Paths.Select(p => Path.GetFileName(p)).ToArray());
        var ignored = Assert.Single(videos.Ignored);
        Assert.Equal("d.gif", Path.GetFileName(ignored.Path));
        Assert.Contains("GIFs are images", ignored.Why);
        Assert.Equal(1, mixed.Exit);
        Assert.Contains("the folder mixes 1 image and 1 video", mixed.Err);
        Assert.True(inspect.Exit == 0, inspect.Err);
        Assert.Contains("items 1, readable 1", inspect.Out);
        Assert.Contains("ignored: 1 .gif", inspect.Out);
        Assert.True(rec.Exit == 0, rec.Err);
        Assert.Equal(new ImageHeader("png", 16, 16), ImageIO.ReadHeader(dir.File("out/d.png")));
        Assert.False(File.Exists(dir.File("out/d.mp4")));
    }

    [Fact]
    public void MixedFolder_IsNamedWithItsCounts_AndKindChoosesWithTheRestListed()
    {
        Assert.True(VideoIO.IsAvailable, "ffmpeg is missing: apt-get install -y ffmpeg");
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("a.png"), Png(8, 8));
        File.WriteAllBytes(dir.File("b.png"), Png(8, 8));
        VideoFixtures.Make(dir.File("c.mp4"), 16, 16, 8);
        File.WriteAllText(dir.File("notes.txt"), "secret notes\n");

        var e = Assert.Throws<ViTokException>(() => DataSources.Detect(dir.Path));
        var images = DataSources.Open(dir.Path, new DataSourceOptions { Kind = "images" });
        var cli = CliRunner.Run("data", "inspect", dir.Path, "--kind", "images");

        Assert.Contains("the folder mixes 2 images and 1 video. Pass --kind images or --kind video", e.Message);
        Assert.Equal(["c.mp4", "notes.txt"], images.Ignored.Select(i => Path.GetFileName(i.Path)).ToArray());
        Assert.True(cli.Exit == 0, cli.Err);
        Assert.Contains("ignored: 1 .mp4, 1 .txt", cli.Out);
        Assert.DoesNotContain("secret", cli.Out);
    }

    [Fact]
    public void ImageFolder_DoesNotFollowLinksOutOrAroundALoop_AndCountsEachFileOnce()
    {
        // Arrange: two images, a loop back to the root, a second name for a.png, links out of the folder (an image
        // and a text file).
        using var dir = new TempDir();
        string root = dir.File("data/a.png");
        File.WriteAllBytes(root, Png(8, 8));
        File.WriteAllBytes(dir.File("data/sub/b.png"), Png(8, 8));
        File.WriteAllBytes(dir.File("outside/x.png"), Png(8, 8));
        File.WriteAllText(dir.File("outside/secret.txt"), "password=hunter2\n");
        Directory.CreateSymbolicLink(dir.File("data/sub/loop"), "..");
        File.CreateSymbolicLink(dir.File("data/again.png"), "a.png");
        File.CreateSymbolicLink(dir.File("data/out.png"), dir.File("outside/x.png"));
        File.CreateSymbolicLink(dir.File("data/text.png"), dir.File("outside/secret.txt"));

        var ds = ImageFiles.FromFolder(dir.File("data"));
        var cli = CliRunner.Run("data", "inspect", dir.File("data"));

        Assert.Equal(["a.png", "b.png"], ds.Paths.Select(p => Path.GetFileName(p)).ToArray());
        var why = ds.Ignored.ToDictionary(i => Path.GetFileName(i.Path), i => i.Why);
        Assert.Equal(4, why.Count);
        Assert.Equal("a link to a.png, already counted", why["again.png"]);
        Assert.Equal("a link to a folder (links are not followed into folders)", why["loop"]);
        Assert.Equal("a link out of the folder (not followed)", why["out.png"]);
        Assert.Equal("a link out of the folder (not followed)", why["text.png"]);
        Assert.True(cli.Exit == 0, cli.Err);
        Assert.Contains("items 2, readable 2", cli.Out);
        Assert.DoesNotContain("hunter2", cli.Out + cli.Err);
    }

    private static void Add(TarWriter tar, string name, byte[] data) =>
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });

    [Fact]
    public void WebDataset_MembersApart_IsReportedAsNotConsecutive_NeverCountedTwice()
    {
        using var dir = new TempDir();
        string shard = dir.File("s.tar");
        using (var f = File.Create(shard))
        using (var tar = new TarWriter(f, TarEntryFormat.Pax))
        {
            for (int i = 0; i < 6; i++)
            {
                Add(tar, $"s{i}.jpg", Png(8, 8));
                Add(tar, $"s{i}.cls", "1"u8.ToArray());
            }
            Add(tar, "s7.jpg", Png(8, 8));
            Add(tar, "s8.jpg", Png(8, 8));
            Add(tar, "s7.cls", "2"u8.ToArray());
            Add(tar, "s8.cls", "3"u8.ToArray());
        }
        var ds = WebDatasetShards.Open(shard);

        var skips = new SkipLog();
        var items = ds.ReadPart(0, skips).ToList();
        var report = DataInspector.Inspect(ds, workers: 1);

        Assert.Empty(items);
        var skip = Assert.Single(skips.Entries);
        Assert.Equal(SkipReason.NotConsecutive, skip.Reason);
        Assert.Equal("members of one sample are not consecutive (s7.cls comes after s8.jpg, away from the other members of 's7'); "
            + "re-create the shard with each sample's files next to each other, e.g. `tar --sort=name -cf shard.tar ...`", skip.Detail);
        Assert.Equal(0, report.Items);
        Assert.Equal(new Dictionary<string, int> { ["not-consecutive"] = 1 }, report.SkippedByReason);
    }

    [Fact]
    public void WebDataset_NonIntegerLabel_IsSkippedWithItsReason_NeverMinusOne()
    {
        using var dir = new TempDir();
        string shard = dir.File("s.tar");
        using (var f = File.Create(shard))
        using (var tar = new TarWriter(f, TarEntryFormat.Pax))
        {
            Add(tar, "a.jpg", Png(8, 8));
            Add(tar, "a.cls", "cat\n"u8.ToArray());
            Add(tar, "b.jpg", Png(8, 8));
            Add(tar, "b.cls", "4"u8.ToArray());
        }
        var ds = WebDatasetShards.Open(shard);
        var loader = new DataLoader(ds, new DataLoaderOptions { BatchSize = 1, Workers = 1, Shuffle = false });

        var samples = loader.Samples(0).Select(s => s.Sample).ToList();

        Assert.Equal([4], samples.Select(s => s.Label).ToArray());
        var skip = Assert.Single(loader.Skips.Entries);
        Assert.Equal($"{shard}:a.cls", skip.Source);
        Assert.Equal(SkipReason.BadLabel, skip.Reason);
        Assert.Equal("the label is 'cat', not a class index (an integer >= 0)", skip.Detail);
    }
}
