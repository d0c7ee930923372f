using System.IO.Compression;
using ViTok.Data;
using ViTok.Tests.Support;

namespace ViTok.Tests.Data;

[Collection(TorchCollection.Name)]
public sealed class FashionMnistTests
{
    public FashionMnistTests()
    {
        Requirements.FashionMnist();
    }

    [Fact]
    public void Load_TrainAndTest_HaveTheirSizesAndLabels()
    {
        // Act
        var train = FashionMnist.Load();
        var test = FashionMnist.Load(train: false);

        // Assert
        Assert.Equal(60_000, train.Count);
        Assert.Equal(10_000, test.Count);
        Assert.Equal((28, 28), (train.Rows, train.Cols));
        var counts = Enumerable.Range(0, train.Count).GroupBy(train.LabelOf).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(Enumerable.Range(0, 10), counts.Keys.Order());
        Assert.All(counts.Values, c => Assert.Equal(6000, c)); // Fashion-MNIST train is balanced
        Assert.Equal("Ankle boot", train.Classes[9]);
    }

    [Fact]
    public void Get_ReplicatesGreyToRgb_BitExactAgainstTheIdxFile()
    {
        // Arrange: read image 0's bytes straight from the gzip (16-byte IDX header).
        using var gz = new GZipStream(File.OpenRead(Path.Combine(FashionMnist.DefaultFolder, "train-images-idx3-ubyte.gz")), CompressionMode.Decompress);
        var head = new byte[16 + 784];
        gz.ReadExactly(head);
        var ds = FashionMnist.Load();

        // Act
        var s = ds.Get(0, new DataRng(0));

        // Assert
        Assert.Equal(new long[] { 3, 28, 28 }, s.Shape);
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < 784; i++)
                Assert.Equal(head[16 + i] / 127.5f - 1f, s.Pixels[c * 784 + i]);
        Assert.Equal(9, s.Label); // the first training item is an ankle boot
    }

    [Fact]
    public void Loader_ResizesToTrainingSize()
    {
        // Arrange
        var ds = FashionMnist.Load(train: false, transform: ImageTransform.ForTraining(32));
        var loader = new DataLoader(ds, new DataLoaderOptions { BatchSize = 64, Workers = 2 });

        // Act
        long[] shape = [];
        long[] labels = [];
        foreach (var b in loader.Epoch(0))
        {
            shape = b.Pixels.shape;
            labels = b.Labels.data<long>().ToArray();
            break;
        }

        // Assert
        Assert.Equal(new long[] { 64, 3, 32, 32 }, shape);
        Assert.All(labels, l => Assert.InRange(l, 0, 9));
    }

    [Fact]
    public void MovingFashionMnist_IsDeterministicPerSeedAndBounces()
    {
        // Arrange
        var digits = FashionMnist.Load();
        var a = new MovingFashionMnist(digits, count: 8, seed: 1);
        var b = new MovingFashionMnist(digits, count: 8, seed: 1);
        var c = new MovingFashionMnist(digits, count: 8, seed: 2);

        // Act
        var clipA = a.Generate(3);
        var clipB = b.Generate(3);
        var clipC = c.Generate(3);
        var sample = a.Get(3, new DataRng(0));

        // Assert
        Assert.Equal(20 * 64 * 64, clipA.Length);
        Assert.Equal(clipA, clipB);
        Assert.NotEqual(clipA, clipC);
        Assert.Equal(new long[] { 3, 20, 64, 64 }, sample.Shape);
        // Frames differ (motion), and every frame keeps its content inside the canvas (no digit lost at the border).
        int plane = 64 * 64;
        Assert.NotEqual(clipA[..plane], clipA[(19 * plane)..]);
        long first = clipA[..plane].Sum(v => (long)v);
        for (int t = 1; t < 20; t++)
        {
            long sum = clipA[(t * plane)..((t + 1) * plane)].Sum(v => (long)v);
            Assert.True(sum > first / 3, $"frame {t} lost its digits ({sum} vs {first})");
        }
    }
}
