using System.Text.Json.Nodes;
using ViTok.Evaluation;
using ViTok.IO;
using ViTok.Models.Paper;
using ViTok.Tests.Support;

namespace ViTok.Tests.Cli;

[Collection(TorchCollection.Name)]
public sealed class EvalShardCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    // A tiny random paper checkpoint and `count` smooth 32×32 images.
    private (string Checkpoint, string Data) Fixture(int count)
    {
        torch.manual_seed(5);
        string ckpt = _dir.File("tiny.safetensors");
        using (var init = new PaperAutoencoder(PaperConfig.FromVariant("Sw32d1h2-Bw32d1h2/4", 4)))
            PaperCheckpoint.Save(init, ckpt);
        for (int i = 0; i < count; i++)
        {
            using var coarse = torch.rand(1, 3, 4, 4) * 2 - 1;
            using var image = F.interpolate(coarse, [32, 32], mode: InterpolationMode.Bilinear, align_corners: false)[0];
            ImageIO.SavePng(image, _dir.File($"data/img{i:00}.png"));
        }
        return (ckpt, Path.Combine(_dir.Path, "data"));
    }

    private static string[] Eval(string ckpt, string data, params string[] more) =>
        ["eval", "--checkpoint", ckpt, "--data", data, "--n", "14", "--batch-size", "4", "--metrics", "psnr,ssim,fd_resnet18", "--json", .. more];

    [Fact]
    public void ThreeShardsMergedEqualOneRun()
    {
        // Arrange: 14 items in batches of 4 (4 batches, the last one short) over 3 shards.
        var (ckpt, data) = Fixture(15);

        // Act: one run, then the three shards and their merge.
        var (exit, stdout, stderr) = CliRunner.Run(Eval(ckpt, data));
        Assert.True(exit == 0, stderr);
        var whole = JsonNode.Parse(stdout)!.AsObject();
        var parts = new List<string>();
        long items = 0;
        for (int i = 0; i < 3; i++)
        {
            string part = _dir.File($"stats/part_{i}.json");
            var (e, o, err) = CliRunner.Run(Eval(ckpt, data, "--shard", $"{i}/3", "--stats-out", part));
            Assert.True(e == 0, err);
            Assert.Contains($"shard {i}/3", err);
            var shardJson = JsonNode.Parse(o)!.AsObject();
            Assert.False(shardJson.ContainsKey("fd_resnet18"), "a shard alone reports no Fréchet distance");
            items += shardJson["n"]!.GetValue<long>();
            parts.Add(part);
        }
        var (mergeExit, mergeOut, mergeErr) = CliRunner.Run(["eval", "merge", .. parts, "--json"]);

        // Assert: the shards cover the 14 items once; PSNR/SSIM to 1e-9, the Fréchet distance to 1e-6 relative.
        Assert.True(mergeExit == 0, mergeErr);
        Assert.Equal(14, items);
        var merged = JsonNode.Parse(mergeOut)!.AsObject();
        Assert.Equal(14, merged["n"]!.GetValue<long>());
        Assert.Equal(whole["psnr"]!.GetValue<double>(), merged["psnr"]!.GetValue<double>(), 1e-9);
        Assert.Equal(whole["ssim"]!.GetValue<double>(), merged["ssim"]!.GetValue<double>(), 1e-9);
        double fd = whole["fd_resnet18"]!.GetValue<double>(), fdMerged = merged["fd_resnet18"]!.GetValue<double>();
        Assert.True(fd > 0, $"fd {fd}");
        Assert.True(Math.Abs(fd - fdMerged) <= 1e-6 * fd, $"fd {fd} vs merged {fdMerged}");
    }

    [Fact]
    public void MergeNamesAMissingOrRepeatedShardAndShardNeedsStatsOut()
    {
        // Arrange
        var (ckpt, data) = Fixture(8);
        string p0 = _dir.File("p0.json"), p1 = _dir.File("p1.json");
        string[] Shard(int i, string path) => ["eval", "--checkpoint", ckpt, "--data", data, "--n", "8", "--batch-size", "4",
            "--metrics", "psnr", "--shard", $"{i}/2", "--stats-out", path];
        Assert.Equal(0, CliRunner.Run(Shard(0, p0)).Exit);

        // Act
        var missing = CliRunner.Run("eval", "merge", p0);
        var repeated = CliRunner.Run("eval", "merge", p0, p0);
        var noStats = CliRunner.Run("eval", "--checkpoint", ckpt, "--data", data, "--shard", "1/2");
        var tooMany = CliRunner.Run("eval", "--checkpoint", ckpt, "--data", data, "--n", "8", "--batch-size", "4", "--shard", "2/3", "--stats-out", p1);
        var notAShard = CliRunner.Run("eval", "merge", ckpt);

        // Assert: one line each, exit 1.
        Assert.Equal(1, missing.Exit);
        Assert.Contains("shards 1/2 are missing", missing.Err);
        Assert.Equal(1, repeated.Exit);
        Assert.Contains("shard 0/2 is also", repeated.Err);
        Assert.Equal(1, noStats.Exit);
        Assert.Contains("--shard needs --stats-out", noStats.Err);
        Assert.Equal(1, tooMany.Exit);
        Assert.Contains("use at most 2 shards", tooMany.Err);
        Assert.Equal(1, notAShard.Exit);
        Assert.Contains("not a readable evaluation shard", notAShard.Err);
    }
}
