using System.Formats.Tar;
using System.IO.Compression;
using SkiaSharp;
using ViTok.Data;
using ViTok.Tests.Support;
using ViTok.IO;

namespace ViTok.Tests.Data;

[Collection(TorchCollection.Name)]
public sealed class WebDatasetShardsTests
{
    private static void WriteShard(string path, int first, int count, bool gzip = false, bool badMember = false)
    {
        using var file = File.Create(path);
        using Stream s = gzip ? new GZipStream(file, CompressionLevel.Fastest) : file;
        using var tar = new TarWriter(s, TarEntryFormat.Pax);
        for (int i = first; i < first + count; i++)
        {
            string key = $"sample{i:0000}";
            var jpg = ImageFixtures.Encode(ImageFixtures.SmoothRgb(20 + i % 5, 24), 20 + i % 5, 24, SKEncodedImageFormat.Jpeg);
            Add(tar, $"{key}.jpg", badMember && i == first ? "not a jpeg"u8.ToArray() : jpg);
            Add(tar, $"{key}.cls", System.Text.Encoding.ASCII.GetBytes((i % 4).ToString()));
        }
    }

    private static void Add(TarWriter tar, string name, byte[] data) =>
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });

    [Fact]
    public void Shards_StreamSamplesWithLabels_SameBatchesFor1And3Workers()
    {
        // Arrange: three shards (one gzipped, one with a bad member).
        using var dir = new TempDir();
        WriteShard(dir.File("shard-000.tar"), 0, 10);
        WriteShard(dir.File("shard-001.tar.gz"), 10, 10, gzip: true);
        WriteShard(dir.File("shard-002.tar"), 20, 10, badMember: true);
        var ds = WebDatasetShards.Open(dir.Path, ImageTransform.ForTraining(16));
        DataLoader Loader(int workers) => new(ds, new DataLoaderOptions { BatchSize = 6, Workers = workers, Seed = 3, ShuffleBuffer = 8 });

        // Act
        var one = Loader(1);
        var a = one.Epoch(0).Select(b => (b.Pixels.data<float>().ToArray(), b.LabelValues.ToArray(), b.Sources.ToArray())).ToList();
        var b3 = Loader(3).Epoch(0).Select(b => (b.Pixels.data<float>().ToArray(), b.LabelValues.ToArray(), b.Sources.ToArray())).ToList();

        // Assert
        Assert.Equal(3, ds.PartCount);
        Assert.Equal(29, a.Sum(x => x.Item2.Length));
        Assert.Equal(a.Count, b3.Count);
        for (int i = 0; i < a.Count; i++)
        {
            Assert.Equal(a[i].Item3, b3[i].Item3);
            Assert.Equal(a[i].Item1, b3[i].Item1);
        }
        foreach (var (_, labels, sources) in a)
        {
            for (int j = 0; j < labels.Length; j++)
            {
                int n = int.Parse(sources[j].Split(":sample")[1][..4]);
                Assert.Equal(n % 4, labels[j]);
            }
        }
        var skip = Assert.Single(one.Skips.Entries);
        Assert.Equal(SkipReason.Misnamed, skip.Reason);
        Assert.Contains("sample0020", skip.Source);
    }

    [Fact]
    public void TruncatedShard_KeepsTheSamplesBeforeTheDamage()
    {
        // Arrange
        using var dir = new TempDir();
        string path = dir.File("shard.tar");
        WriteShard(path, 0, 8);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var ds = WebDatasetShards.Open(path, ImageTransform.ForEval(8));

        // Act
        var report = DataInspector.Inspect(ds, workers: 2);

        // Assert
        Assert.InRange(report.Readable, 2, 4);
        Assert.Equal(1, report.SkippedByReason.GetValueOrDefault("truncated"));
        Assert.Contains(report.SkippedFiles, e => e.Source == path);
    }
}
