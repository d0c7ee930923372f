using ViTok.IO;
using ViTok.Tests.Support;
using ViTok.Generation;

namespace ViTok.Tests.Generation;

[Collection(TorchCollection.Name)]
public class VideoGenerationTests
{
    [Fact]
    public void MovingFashionMnistEndToEndThroughTheCli()
    {
        // Arrange: a (random, tiny) video tokenizer with q = 2, p = 8 on 4-frame 64×64 clips → a 2×8×8 latent grid.
        Requirements.FashionMnist();
        Requirements.Ffmpeg();
        using var tmp = new TempDir();
        string tok = GenerationFixtures.Tokenizer(tmp.File("tok.safetensors"), "Sw32d1h2-Bw32d1h2/2x8");
        string lat = tmp.File("lat"), run = tmp.File("run"), outDir = tmp.File("out");

        // Act: encode 12 clips, train an unconditional DiT for 3 steps, sample two clips.
        var enc = CliRunner.Run("encode-dataset", "--checkpoint", tok, "--data", "moving-fashion-mnist", "--frames", "4", "--count", "12",
            "-o", lat, "--shard-size", "8", "--batch-size", "4", "--workers", "0");
        var train = CliRunner.Run("train-dit", "--latents", lat, "--out", run, "--set", "variant=Bw32d1h2", "--set", "batch_size=4", "--set", "steps=3",
            "--set", "diffusion.kind=flow", "--set", "diffusion.sample_steps=2", "--set", "sample_every=3", "--set", "samples_per_class=2");
        var sample = CliRunner.Run("sample", "--dit", Path.Combine(run, "model.safetensors"), "--n", "2", "--steps", "2", "-o", outDir);

        // Assert
        Assert.True(enc.Exit == 0, enc.Err + enc.Out);
        Assert.Contains("grid 2×8×8 of c = 4", enc.Out);
        Assert.True(train.Exit == 0, train.Err + train.Out);
        Assert.True(sample.Exit == 0, sample.Err + sample.Out);
        var info = DitCheckpoint.ReadInfo(Path.Combine(run, "model.safetensors"));
        Assert.Equal(new[] { 2, 8, 8 }, info.Space.Grid);
        Assert.False(info.Space.IsImage);
        Assert.Equal(0, info.Config.NumClasses);
        Assert.True(File.Exists(Path.Combine(run, "samples", "step_0000003.png")));
        Assert.True(File.Exists(Path.Combine(outDir, "strip.png")));
        foreach (var name in new[] { "sample_0000.mp4", "sample_0001.mp4" })
        {
            var v = VideoIO.Probe(Path.Combine(outDir, name));
            Assert.Equal((4, 64, 64), (v.FrameCount, v.Height, v.Width));
        }
    }
}
