using ViTok.IO;
using ViTok.Models;
using ViTok.Tests.Support;
using ViTok.Models.Paper;

namespace ViTok.Tests.Cli;

[Collection(TorchCollection.Name)]
public class VideoReconstructTests
{
    [Fact]
    public void ReconstructVideoChunksPadsAndCropsBack()
    {
        torch.manual_seed(3);
        using var model = new PaperAutoencoder(TinyConfigs.Video());          // q = 2, p = 4
        var clip = torch.rand(3, 7, 10, 13) * 2 - 1;
        using var recon = model.ReconstructVideo(clip, chunkFrames: 4);
        Assert.Equal(clip.shape, recon.shape);
        // The first chunk (frames 0..3) equals the padded 4-frame clip reconstructed alone.
        var first = F.pad(clip.narrow(1, 0, 4).unsqueeze(0), [0, 3, 0, 2, 0, 0], PaddingModes.Replicate);
        using var expected = model.Reconstruct(first);
        TensorAssert.Close(expected[0, .., .., ..10, ..13], recon.narrow(1, 0, 4), 1e-5);
    }

    [Fact]
    public void ReconstructCommandTakesMp4AndWritesMp4()
    {
        // Arrange
        Assert.True(VideoIO.IsAvailable, "ffmpeg is missing: apt-get install -y ffmpeg");
        string dir = Path.Combine(Path.GetTempPath(), $"vid-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        torch.manual_seed(4);
        var clip = torch.rand(3, 9, 16, 24) * 2 - 1;
        string input = Path.Combine(dir, "clip.mp4"), ckpt = Path.Combine(dir, "video.safetensors");
        VideoIO.WriteMp4(clip, input, fps: 8);
        using (var model = new PaperAutoencoder(TinyConfigs.Video())) PaperCheckpoint.Save(model, ckpt);

        // Act
        var (exit, output, err) = CliRunner.Run("reconstruct", input, "--checkpoint", ckpt, "-o", Path.Combine(dir, "out"), "--frames", "4");

        // Assert
        Assert.True(exit == 0, err);
        Assert.Contains("9 frames", output);
        var info = VideoIO.Probe(Path.Combine(dir, "out", "clip.mp4"));
        Assert.Equal((9, 16, 24), (info.FrameCount, info.Height, info.Width));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void VideoWithAV2ImageModelIsRefusedClearly()
    {
        Assert.True(VideoIO.IsAvailable, "ffmpeg is missing: apt-get install -y ffmpeg");
        string dir = Path.Combine(Path.GetTempPath(), $"vid-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        string input = Path.Combine(dir, "clip.mp4");
        VideoIO.WriteMp4(torch.zeros(3, 4, 16, 16), input);
        string v2 = Path.Combine(AppContext.BaseDirectory, "Fixtures", "vitok-v2", "tiny-v2");
        var (exit, _, err) = CliRunner.Run("reconstruct", input, "--checkpoint", v2, "--variant", "w64_d2_h4-w96_d3_h4/1x8x16", "-o", dir);
        Assert.Equal(1, exit);
        Assert.Contains("needs a paper-family video model", err);
        Directory.Delete(dir, true);
    }
}
