using System.Text.Json.Nodes;
using ViTok.Data;
using ViTok.IO;
using ViTok.Tests.Support;

namespace ViTok.Tests.Data;

public class PhotoCropsTests
{
    // Two "photos" of distinct content: 48 × 100 and 48 × 80 (height × width), every pixel a function of (y, x, c).
    private static string Photos(TempDir dir)
    {
        foreach (var (name, w) in new[] { ("a.png", 100), ("b.png", 80) })
        {
            const int h = 48;
            var rgb = new byte[h * w * 3];
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    for (int c = 0; c < 3; c++)
                        rgb[(y * w + x) * 3 + c] = (byte)((y * 7 + x * 3 + c * 50 + w) % 256);
            ImageIO.SavePng(rgb, h, w, dir.File("photos/" + name));
        }
        return Path.Combine(dir.Path, "photos");
    }

    private static byte Pixel(int w, int y, int x, int c) => (byte)((y * 7 + x * 3 + c * 50 + w) % 256);

    [Fact]
    public void TrainingCrops_AreSeeded_CopyThePhoto_AndStayLeftOfTheHeldOutStrip()
    {
        using var dir = new TempDir();
        // short_side 48 = the photos' height: no resampling, so a crop must equal the photo's pixels exactly.
        var train = PhotoCrops.Open(Photos(dir), ImageTransform.ForEval(16), test: false, count: 40, shortSide: 48, testFraction: 0.25);
        Assert.Equal(40, train.Count);
        Assert.Equal("photo-crops", train.Kind);
        var seen = new HashSet<(int, int, int)>();
        for (int i = 0; i < 40; i++)
        {
            var box = train.Box(i, DataRng.For(7, 0, i));
            Assert.Equal(i % 2, box.Photo);
            int width = box.Photo == 0 ? 100 : 80, strip = (int)Math.Round(width * 0.25);
            Assert.InRange(box.Left, 0, width - strip - 16);                 // wholly inside the training part
            Assert.InRange(box.Top, 0, 48 - 16);
            seen.Add(box);
            var s = train.Get(i, DataRng.For(7, 0, i));
            Assert.Equal([3, 16, 16], s.Shape);
            for (int c = 0; c < 3; c++)
                Assert.Equal(Pixel(width, box.Top + 5, box.Left + 9, c) / 127.5f - 1f, s.Pixels[c * 256 + 5 * 16 + 9], 5);
            Assert.Equal(s.Pixels, train.Get(i, DataRng.For(7, 0, i)).Pixels);          // same (seed, epoch, index): same crop
        }
        Assert.True(seen.Count > 30, $"{seen.Count} distinct boxes of 40");
        Assert.NotEqual(train.Box(0, DataRng.For(7, 0, 0)), train.Box(0, DataRng.For(7, 1, 0)));   // a new epoch: new positions
    }

    [Fact]
    public void TestCrops_AreFixed_AndInsideTheHeldOutStrip()
    {
        using var dir = new TempDir();
        var test = PhotoCrops.Open(Photos(dir), ImageTransform.ForEval(16), test: true, count: 12, shortSide: 48, testFraction: 0.25);
        for (int i = 0; i < 12; i++)
        {
            var box = test.Box(i, DataRng.For(1, 0, i));
            Assert.Equal(box, test.Box(i, DataRng.For(99, 5, i)));             // the generator is ignored
            int width = box.Photo == 0 ? 100 : 80, strip = (int)Math.Round(width * 0.25);
            Assert.InRange(box.Left, width - strip, width - 16);
            Assert.Equal(test.Get(i, new DataRng(1)).Pixels, test.Get(i, new DataRng(2)).Pixels);
        }
    }

    [Fact]
    public void Resized_ShortSideIsHonoured_AndFlipsOnlyWithTheTrainingTransform()
    {
        using var dir = new TempDir();
        var crops = PhotoCrops.Open(Photos(dir), ImageTransform.ForTraining(8), test: false, count: 64, shortSide: 24);
        var s = crops.Get(3, DataRng.For(0, 0, 3));
        Assert.Equal(24, s.SourceHeight);                                    // 48 × 80 → 24 × 40
        Assert.Equal(40, s.SourceWidth);
        Assert.All(s.Pixels, v => Assert.InRange(v, -1f, 1f));
        // Over many items some are mirrored: a mirrored crop is the reverse of the unflipped crop at the same box.
        var plain = PhotoCrops.Open(Photos(dir), ImageTransform.ForEval(8), test: false, count: 64, shortSide: 24);
        int flipped = 0;
        for (int i = 0; i < 64; i++)
        {
            var a = crops.Get(i, DataRng.For(0, 0, i)).Pixels;
            var b = plain.Get(i, DataRng.For(0, 0, i)).Pixels;
            if (!a.SequenceEqual(b))
            {
                flipped++;
                Assert.Equal(b.AsSpan(0, 8).ToArray().Reverse(), a.AsSpan(0, 8).ToArray());
            }
        }
        Assert.InRange(flipped, 10, 54);
    }

    [Theory]
    [InlineData(0, 48, 0.2, "needs a crop size")]
    [InlineData(32, 16, 0.2, "short_side 16 is smaller than the crop (32)")]
    [InlineData(32, 48, 0.9, "too small for a 32² training crop")]
    public void BadSettings_AreOneLineErrors(int crop, int shortSide, double fraction, string expected)
    {
        using var dir = new TempDir();
        var e = Assert.Throws<ViTokException>(() => PhotoCrops.Open(Photos(dir), ImageTransform.ForEval(crop), false, 0, shortSide, fraction));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void OpensThroughDataSources_WithTheSpecOfAConfig()
    {
        using var dir = new TempDir();
        string folder = Photos(dir);
        var spec = DataSpec.From(JsonNode.Parse($"{{ \"path\": \"{folder}\", \"kind\": \"photo-crops\", \"short_side\": 40, \"count\": 30 }}"), "c.json");
        var source = (IDataset)DataSources.Open(spec.Path, spec.Options(ImageTransform.ForEval(16), 1, 0, testSplit: true, count: 9));
        Assert.Equal("photo-crops", source.Kind);
        Assert.Equal(9, source.Count);
        Assert.Equal(40, ((PhotoCrops)source).ShortSide);
    }

    [Theory]
    [InlineData("{ \"path\": \"x\", \"kind\": \"photos\" }", "data.kind \"photos\" is not known")]
    [InlineData("{ \"path\": \"x\", \"kind\": \"photo-crops\", \"crop\": 64 }", "unknown key \"data.crop\"")]
    [InlineData("{ \"path\": \"x\", \"short_side\": 256 }", "belong to kind \"photo-crops\"")]
    [InlineData("{ \"path\": \"x\", \"kind\": \"photo-crops\", \"test_fraction\": 1.5 }", "data.test_fraction")]
    [InlineData("{ \"path\": \"x\", \"count\": \"many\" }", "data.count")]
    public void DataSpec_RefusesBadEntries_NamingTheKey(string json, string expected)
    {
        var e = Assert.Throws<ViTokException>(() => DataSpec.From(JsonNode.Parse(json), "run.json"));
        Assert.StartsWith("run.json: ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void ARealWallpaper_GivesCropsOfTheAskedSize()
    {
        const string photo = "/usr/share/backgrounds/Wine_by_Jakkub_Mede.jpg";       // lomiri-wallpapers-16.04 (.ci/run installs it)
        if (!File.Exists(photo)) return;
        using var dir = new TempDir();
        File.WriteAllText(dir.File("list.txt"), photo + "\n");
        var crops = PhotoCrops.Open(dir.File("list.txt"), ImageTransform.ForEval(64), test: true, count: 4);
        var s = crops.Get(0, new DataRng(0));
        Assert.Equal([3, 64, 64], s.Shape);
        Assert.Equal(PhotoCrops.DefaultShortSide, Math.Min(s.SourceHeight, s.SourceWidth));
        Assert.True(s.Pixels.Max() - s.Pixels.Min() > 0.05f, "a photo crop has some contrast");
    }
}
