using ViTok.IO;
using ViTok.Models.Paper;
using ViTok.Tests.Support;

namespace ViTok.Tests.Cli;

/// <summary><c>vitok reconstruct --window</c> (ViTok-v2 sliding-window attention) and <c>--chunk-overlap</c>
/// (overlapping video chunks).</summary>
[Collection(TorchCollection.Name)]
public sealed class LargeInputCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Fixture(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);

    [Fact]
    public void Window_OnAV2Model_ReconstructsAtFullSize_AndOnAPaperModelIsAOneLineError()
    {
        // Arrange
        string image = Fixture("vitok-v2", "pipeline", "coffee-30x44.png");          // 4×6 tokens of p = 8
        string paper = _dir.File("tiny.safetensors");
        Assert.Equal(0, CliRunner.Run("init", "Sw32d1h2-Bw32d1h2/4", "--channels", "4", "-o", paper).Exit);

        // Act
        var v2 = CliRunner.Run("reconstruct", image, "--checkpoint", Fixture("vitok-v2", "tiny-v2"), "--variant", "w64_d2_h4-w96_d3_h4/1x8x16",
                               "--max-tokens", "64", "--window", "3", "-o", Path.Combine(_dir.Path, "v2"), "--json");
        var refused = CliRunner.Run("reconstruct", image, "--checkpoint", paper, "--window", "3", "-o", Path.Combine(_dir.Path, "p"));

        // Assert
        Assert.True(v2.Exit == 0, v2.Err);
        Assert.Contains("\"processed_width\":44", v2.Out);
        var (_, h, w) = ImageIO.LoadRgb8(Path.Combine(_dir.Path, "v2", "coffee-30x44.png"));
        Assert.Equal((30, 44), (h, w));
        Assert.Equal(1, refused.Exit);
        Assert.Contains("--window is for ViTok-v2 models", refused.Err);
        Assert.DoesNotContain("   at ", refused.Err);
        Assert.Single(refused.Err.Trim().Split('\n'));
    }

    [Fact]
    public void ChunkOverlap_BlendsVideoChunks_AndRefusesAnOverlapOffTheTubelet()
    {
        // Arrange: 9 frames, q = 2, chunks of 4 overlapping by 2.
        Assert.True(VideoIO.IsAvailable, "ffmpeg is missing: apt-get install -y ffmpeg");
        torch.manual_seed(5);
        string input = _dir.File("clip.mp4"), ckpt = _dir.File("video.safetensors");
        VideoIO.WriteMp4(torch.rand(3, 9, 16, 24) * 2 - 1, input, fps: 8);
        using (var model = new PaperAutoencoder(TinyConfigs.Video())) PaperCheckpoint.Save(model, ckpt);

        // Act
        var run = CliRunner.Run("reconstruct", input, "--checkpoint", ckpt, "--frames", "4", "--chunk-overlap", "2", "-o", Path.Combine(_dir.Path, "out"), "--json");
        var odd = CliRunner.Run("reconstruct", input, "--checkpoint", ckpt, "--frames", "4", "--chunk-overlap", "1", "-o", Path.Combine(_dir.Path, "odd"));

        // Assert: origins 0, 2, 4, 6 over the 10 padded frames.
        Assert.True(run.Exit == 0, run.Err);
        Assert.Contains("chunk 4/4", run.Err);
        Assert.Contains("\"chunk_overlap\":2", run.Out);
        var info = VideoIO.Probe(Path.Combine(_dir.Path, "out", "clip.mp4"));
        Assert.Equal((9, 16, 24), (info.FrameCount, info.Height, info.Width));
        Assert.Equal(1, odd.Exit);
        Assert.Contains("--chunk-overlap 1", odd.Err);
        Assert.DoesNotContain("   at ", odd.Err);
    }
}
