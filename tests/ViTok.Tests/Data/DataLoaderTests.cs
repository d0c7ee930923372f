using SkiaSharp;
using ViTok.Data;
using ViTok.Tests.Support;

namespace ViTok.Tests.Data;

[Collection(TorchCollection.Name)]
public sealed class DataLoaderTests : IDisposable
{
    private readonly TempDir _dir = new();

    public DataLoaderTests()
    {
        // 3 classes × 9 PNGs of varied sizes, plus two bad files in class b.
        for (int c = 0; c < 3; c++)
        {
            for (int i = 0; i < 9; i++)
            {
                int h = 24 + 3 * i, w = 30 + 2 * c;
                File.WriteAllBytes(_dir.File($"{(char)('a' + c)}/img{i:00}.png"),
                    ImageFixtures.Encode(ImageFixtures.RandomRgb(h, w, 100 * c + i), h, w, SKEncodedImageFormat.Png));
            }
        }
        File.WriteAllBytes(_dir.File("b/zero.png"), []);
        File.WriteAllText(_dir.File("b/notes.jpg"), "hello");
    }

    public void Dispose() => _dir.Dispose();

    private ImageFiles Dataset() => ImageFiles.FromFolder(_dir.Path, ImageTransform.ForTraining(16));

    private static List<(float[] Pixels, int[] Labels, string[] Sources, LoaderPosition Next)> Collect(IEnumerable<Batch> batches) =>
        batches.Select(b => (b.Pixels.data<float>().ToArray(), b.LabelValues.ToArray(), b.Sources.ToArray(), b.Next)).ToList();

    [Fact]
    public void Workers1And3_SameSeed_GiveIdenticalBatches()
    {
        // Arrange
        var ds = Dataset();
        var one = new DataLoader(ds, new DataLoaderOptions { BatchSize = 5, Workers = 1, Seed = 42 });
        var three = new DataLoader(ds, new DataLoaderOptions { BatchSize = 5, Workers = 3, Seed = 42, Prefetch = 4 });
        var inline = new DataLoader(ds, new DataLoaderOptions { BatchSize = 5, Workers = 0, Seed = 42 });

        // Act
        var a = Collect(one.Epoch(0).Concat(one.Epoch(1)));
        var b = Collect(three.Epoch(0).Concat(three.Epoch(1)));
        var c = Collect(inline.Epoch(0));

        // Assert
        Assert.Equal(a.Count, b.Count);
        for (int i = 0; i < a.Count; i++)
        {
            Assert.Equal(a[i].Sources, b[i].Sources);
            Assert.Equal(a[i].Labels, b[i].Labels);
            Assert.Equal(a[i].Pixels, b[i].Pixels);
            Assert.Equal(a[i].Next, b[i].Next);
        }
        for (int i = 0; i < c.Count; i++) Assert.Equal(a[i].Pixels, c[i].Pixels);
    }

    [Fact]
    public void Epoch_ShufflesDifferentlyAndCoversEveryReadableItemOnce()
    {
        // Arrange
        var loader = new DataLoader(Dataset(), new DataLoaderOptions { BatchSize = 4, Workers = 2, Seed = 1 });

        // Act
        var e0 = Collect(loader.Epoch(0)).SelectMany(b => b.Sources).ToList();
        var e1 = Collect(loader.Epoch(1)).SelectMany(b => b.Sources).ToList();

        // Assert: 27 good images, each once per epoch, in a different order; the two bad files skipped and listed once.
        Assert.Equal(27, e0.Count);
        Assert.Equal(27, e0.Distinct().Count());
        Assert.Equal(e0.Order(), e1.Order());
        Assert.NotEqual(e0, e1);
        Assert.Equal(2, loader.Skips.Count);
        Assert.Equal(new Dictionary<string, int> { ["empty"] = 1, ["misnamed"] = 1 }, loader.Skips.CountsByReason);
    }

    [Fact]
    public void Batches_HaveShapeLabelsAndFullSizeDespiteSkips()
    {
        // Arrange
        var loader = new DataLoader(Dataset(), new DataLoaderOptions { BatchSize = 8, Workers = 2, DropLast = true });

        // Act
        var batches = Collect(loader.Epoch(0));
        long[] shape = [];
        foreach (var b in loader.Epoch(0))
        {
            shape = b.Pixels.shape;
            break;
        }

        // Assert
        Assert.Equal(3, batches.Count); // 27 readable → 3 full batches of 8
        Assert.Equal(new long[] { 8, 3, 16, 16 }, shape);
        Assert.All(batches, b => Assert.All(b.Labels, l => Assert.InRange(l, 0, 2)));
        Assert.All(batches, b => Assert.All(b.Pixels, v => Assert.InRange(v, -1f, 1f)));
    }

    [Fact]
    public void Resume_FromBatchNext_ContinuesWithTheSameBatches()
    {
        // Arrange
        var opts = new DataLoaderOptions { BatchSize = 4, Workers = 2, Seed = 7 };
        var full = Collect(new DataLoader(Dataset(), opts).Batches().Take(12));

        // Act: a new loader (a restarted trainer) resumes after batch 4, and after the last batch of epoch 0.
        var resumed = Collect(new DataLoader(Dataset(), opts).Batches(full[4].Next).Take(7));

        // Assert
        for (int i = 0; i < 7; i++)
        {
            Assert.Equal(full[5 + i].Sources, resumed[i].Sources);
            Assert.Equal(full[5 + i].Pixels, resumed[i].Pixels);
        }
        Assert.Contains(full, b => b.Next.Epoch == 1);
    }

    [Fact]
    public void Shards_AreDisjointAndCoverTheEpoch()
    {
        // Arrange
        var ds = Dataset();
        var parts = Enumerable.Range(0, 3).Select(i => new DataLoader(ds, new DataLoaderOptions
        {
            BatchSize = 2, Workers = 1, Seed = 5, Shard = ShardSpec.Parse($"{i}/3"),
        })).ToList();

        // Act
        var sources = parts.Select(l => Collect(l.Epoch(2)).SelectMany(b => b.Sources).ToList()).ToList();

        // Assert
        Assert.Equal(27, sources.Sum(s => s.Count));
        Assert.Equal(27, sources.SelectMany(s => s).Distinct().Count());
        Assert.All(parts, p => Assert.Equal(29 / 3 + (p.Options.Shard.Index < 29 % 3 ? 1 : 0), p.ItemsPerEpoch));
    }

    [Fact]
    public void NoReadableItem_IsAnErrorNamingTheFolderAndReasons()
    {
        // Arrange
        using var bad = new TempDir();
        File.WriteAllBytes(bad.File("x/zero.png"), []);
        File.WriteAllText(bad.File("x/text.jpg"), "text");
        var loader = new DataLoader(ImageFiles.FromFolder(bad.Path), new DataLoaderOptions { BatchSize = 2 });

        // Act
        var e = Assert.Throws<ViTokException>(() => loader.Epoch(0).ToList());

        // Assert
        Assert.Contains(bad.Path, e.Message);
        Assert.Contains("empty", e.Message);
        Assert.Contains("misnamed", e.Message);
    }

    [Fact]
    public void EmptyFolder_IsAnErrorSayingWhatWasFound()
    {
        // Arrange
        using var dir = new TempDir();
        File.WriteAllText(dir.File("readme.txt"), "x");
        File.WriteAllText(dir.File("clip.mp4"), "x");

        // Act
        var e = Assert.Throws<ViTokException>(() => ImageFiles.FromFolder(dir.Path));

        // Assert
        Assert.Contains(dir.Path, e.Message);
        Assert.Contains("2 files", e.Message);
        Assert.Contains(".txt", e.Message);
    }

    [Fact]
    public void ListFile_ReadsPathsWithOptionalLabels()
    {
        // Arrange
        string list = _dir.File("list.txt");
        File.WriteAllLines(list, ["# comment", "a/img00.png\t3", "c/img01.png 1", "b/img02.png", ""]);

        // Act
        var ds = ImageFiles.FromList(list, ImageTransform.ForEval(8));

        // Assert
        Assert.Equal(3, ds.Count);
        Assert.Equal(new[] { 3, 1, -1 }, ds.Labels);
        Assert.EndsWith(Path.Combine("c", "img01.png"), ds.Paths[1]);
        Assert.Equal(new long[] { 3, 8, 8 }, ds.Get(1, new DataRng(0)).Shape);
    }
}
