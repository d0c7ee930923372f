using ViTok.Data;
using ViTok.Generation;
using ViTok.IO;
using ViTok.Models;
using ViTok.Tests.Support;

namespace ViTok.Tests.Generation;

[Collection(TorchCollection.Name)]
public class LatentDatasetEncoderTests
{
    private static EncodeDatasetOptions Options(string dir) => new() { Output = dir, ShardSize = 16, BatchSize = 8, Workers = 0, PadTo = 16, Preprocessing = "test" };

    [Fact]
    public void ShardsHoldTheTokenizersPosteriorWithLabelsAndTheContract()
    {
        // Arrange
        using var tmp = new TempDir();
        string tokPath = GenerationFixtures.Tokenizer(tmp.File("tok.safetensors"));
        using var tok = Autoencoders.Load(tokPath);
        var source = new GenerationFixtures.LabelledSquares(50);

        // Act
        var report = LatentDatasetEncoder.Run(tok, tokPath, source, Options(tmp.File("lat")));
        using var set = LatentShards.Load(tmp.File("lat"));

        // Assert: 4 shards (16, 16, 16, 2), the contract, and the same numbers as encoding directly.
        Assert.Equal(4, report.ShardsWritten);
        Assert.Equal(50, set.Count);
        Assert.Equal(new[] { 1, 4, 4 }, set.Space.Grid);
        Assert.Equal(new[] { 1, 16, 16 }, set.Space.InputSize);
        Assert.Equal(Path.GetFullPath(tokPath), set.Space.Tokenizer);
        Assert.Equal("Sw32d1h2-Bw32d1h2/4", set.Space.Contract.Variant);
        Assert.Equal(new[] { "left", "middle", "right" }, set.Space.Classes);
        Assert.Equal("mean+logvar", set.Space.Posterior);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)(i % 3)), set.Labels.data<long>().ToArray());
        var x = LatentDatasetEncoder.Pad(torch.stack([source.Get(37, new DataRng(0)).ToTensor()]), 16);
        using var latents = LatentCodec.EncodeBatch(tok, x);
        var (mean, logVar) = (latents.Posterior.Mean, latents.Posterior.LogVar);
        TensorAssert.Close(mean[0], set.Mean[37], 1e-6, "mean");
        TensorAssert.Close(logVar![0], set.LogVar![37], 1e-6, "logvar");
    }

    [Fact]
    public void AnInterruptedRunResumesSkippingFinishedShards()
    {
        // Arrange: a run cancelled after its first shard, and a temporary file left by a crash.
        using var tmp = new TempDir();
        string tokPath = GenerationFixtures.Tokenizer(tmp.File("tok.safetensors"));
        using var tok = Autoencoders.Load(tokPath);
        var source = new GenerationFixtures.LabelledSquares(50);
        string dir = tmp.File("lat");
        using (var cts = new CancellationTokenSource())
            Assert.Throws<OperationCanceledException>(() => LatentDatasetEncoder.Run(tok, tokPath, source, Options(dir), _ => cts.Cancel(), cts.Token));
        File.WriteAllBytes(Path.Combine(dir, "shard_00001.safetensors.tmp-1-deadbeef"), [1, 2, 3]);
        var e = Assert.Throws<ViTokException>(() => LatentShards.Load(dir));
        Assert.Contains("3 of 4 shards are missing (1, 2, 3)", e.Message);

        // Act
        var report = LatentDatasetEncoder.Run(tok, tokPath, source, Options(dir));

        // Assert
        Assert.Equal((3, 1), (report.ShardsWritten, report.ShardsSkipped));
        using var set = LatentShards.Load(dir);
        Assert.Equal(50, set.Count);
    }

    [Fact]
    public void ProcessesSplitTheShardsAndTogetherCoverTheSource()
    {
        // Arrange
        using var tmp = new TempDir();
        string tokPath = GenerationFixtures.Tokenizer(tmp.File("tok.safetensors"));
        using var tok = Autoencoders.Load(tokPath);
        var source = new GenerationFixtures.LabelledSquares(50);
        string whole = tmp.File("whole"), split = tmp.File("split");

        // Act
        LatentDatasetEncoder.Run(tok, tokPath, source, Options(whole));
        var r0 = LatentDatasetEncoder.Run(tok, tokPath, source, Options(split) with { Shard = new ShardSpec(0, 2) });
        var partial = Assert.Throws<ViTokException>(() => LatentShards.Load(split));
        var r1 = LatentDatasetEncoder.Run(tok, tokPath, source, Options(split) with { Shard = new ShardSpec(1, 2) });

        // Assert
        Assert.Equal((2, 2), (r0.ShardsWritten, r1.ShardsWritten));
        Assert.Contains("missing (1, 3)", partial.Message);
        using var a = LatentShards.Load(whole);
        using var b = LatentShards.Load(split);
        Assert.True(a.Mean.equal(b.Mean).all().item<bool>());
        Assert.True(a.Labels.equal(b.Labels).all().item<bool>());
    }

    [Fact]
    public void AnotherTokenizerOrShardSizeCannotWriteIntoTheSameFolder()
    {
        using var tmp = new TempDir();
        string tokA = GenerationFixtures.Tokenizer(tmp.File("a.safetensors"));
        string tokB = GenerationFixtures.Tokenizer(tmp.File("b.safetensors"), seed: 2);
        var source = new GenerationFixtures.LabelledSquares(20);
        string dir = tmp.File("lat");
        using (var a = Autoencoders.Load(tokA))
        {
            LatentDatasetEncoder.Run(a, tokA, source, Options(dir));
            var size = Assert.Throws<ViTokException>(() => LatentDatasetEncoder.Run(a, tokA, source, Options(dir) with { ShardSize = 8 }));
            Assert.Contains("another --shard-size or --limit", size.Message);
        }
        using var b = Autoencoders.Load(tokB);
        var e = Assert.Throws<ViTokException>(() => LatentDatasetEncoder.Run(b, tokB, source, Options(dir)));
        Assert.Contains("another tokenizer", e.Message);
    }

    [Fact]
    public void AnotherTokenizerIsRefusedEvenWhenItWouldWriteOtherShards()
    {
        // Arrange: tokenizer A writes the even shards (--shard 0/2) of a folder.
        using var tmp = new TempDir();
        string tokA = GenerationFixtures.Tokenizer(tmp.File("a.safetensors"));
        string tokB = GenerationFixtures.Tokenizer(tmp.File("b.safetensors"), seed: 2);
        var source = new GenerationFixtures.LabelledSquares(50);
        string dir = tmp.File("lat");
        using (var a = Autoencoders.Load(tokA)) LatentDatasetEncoder.Run(a, tokA, source, Options(dir) with { Shard = new ShardSpec(0, 2) });
        var before = Directory.GetFiles(dir).Order().ToArray();

        // Act: tokenizer B asked for the odd shards, which are all missing.
        using var b = Autoencoders.Load(tokB);
        var e = Assert.Throws<ViTokException>(() => LatentDatasetEncoder.Run(b, tokB, source, Options(dir) with { Shard = new ShardSpec(1, 2) }));

        // Assert: refused before writing anything.
        Assert.Equal($"{Path.GetFullPath(dir)}: holds latents of another tokenizer ({Path.GetFullPath(tokA)}) (shard_00000.safetensors); a latent folder holds one tokenizer's latents of one source. " +
                     "Use another -o folder, or delete its shard_*.safetensors first.", e.Message);
        Assert.Equal(before, Directory.GetFiles(dir).Order().ToArray());
    }

    [Fact]
    public void RetrainedWeightsAtTheSamePathAreAnotherTokenizer()
    {
        // Arrange: shards of the tokenizer at tok.safetensors, then other weights saved under the same name.
        using var tmp = new TempDir();
        string tok = GenerationFixtures.Tokenizer(tmp.File("tok.safetensors"));
        var source = new GenerationFixtures.LabelledSquares(50);
        string dir = tmp.File("lat");
        using (var a = Autoencoders.Load(tok))
        {
            LatentDatasetEncoder.Run(a, tok, source, Options(dir) with { Shard = new ShardSpec(0, 2) });
            Assert.Equal(64, LatentDatasetEncoder.TokenizerDigest(a).Length);
        }
        GenerationFixtures.Tokenizer(tok, seed: 3);

        // Act
        using var b = Autoencoders.Load(tok);
        var e = Assert.Throws<ViTokException>(() => LatentDatasetEncoder.Run(b, tok, source, Options(dir) with { Shard = new ShardSpec(1, 2) }));

        // Assert
        Assert.StartsWith($"{Path.GetFullPath(dir)}: holds latents of another tokenizer (other weights at {Path.GetFullPath(tok)}) (shard_00000.safetensors)", e.Message);
    }
}
