using ViTok.Data;
using ViTok.IO;
using ViTok.Models;
using ViTok.Tests.Support;

namespace ViTok.Tests.IO;

/// <summary>Issues 11.2 and 19.10: odd sizes come back exactly; MPEG-TS/MTS/3GP are videos, found by content, and
/// clips after frame 0 decode the right frames in streams that do not start at time 0.</summary>
[Collection(TorchCollection.Name)]
public sealed class VideoContainerTests
{
    [Fact]
    public void MpegTs_StartsAt1Point4Seconds_AndAClipFromFrame4IsFrames4To6()
    {
        Assert.True(VideoIO.IsAvailable, "ffmpeg is missing: apt-get install -y ffmpeg");
        using var dir = new TempDir();
        string ts = VideoFixtures.Make(dir.File("clip.MTS"), 32, 16, 16, "mpeg2video", "yuv420p", "mpegts");

        var info = VideoIO.Probe(ts);
        var (all, n) = VideoIO.ReadFramesRgb(info, 0, 16);
        var (late, m) = VideoIO.ReadFramesRgb(info, 4, 3);
        var (strided, k) = VideoIO.ReadFramesRgb(info, 5, 3, stride: 2);

        int frame = 32 * 16 * 3;
        Assert.Equal("mpegts", info.Container);
        Assert.True(info.StartSeconds > 1, $"start {info.StartSeconds}");
        Assert.Equal((16, 32, 16, 16), (info.FrameCount, info.Width, info.Height, n));
        Assert.Equal(3, m);
        Assert.Equal(all.AsSpan(4 * frame, 3 * frame).ToArray(), late.AsSpan(0, 3 * frame).ToArray());
        Assert.Equal(3, k);
        for (int i = 0; i < 3; i++)
            Assert.Equal(all.AsSpan((5 + 2 * i) * frame, frame).ToArray(), strided.AsSpan(i * frame, frame).ToArray());
    }

    [Fact]
    public void Containers_AreVideosByContent_CountedInFolders_AndReconstructed()
    {
        // Arrange: .MTS (MPEG-TS), .3gp, and an MP4 under a name no list knows (.dat).
        Assert.True(VideoIO.IsAvailable, "ffmpeg is missing: apt-get install -y ffmpeg");
        using var dir = new TempDir();
        VideoFixtures.Make(dir.File("v/a.MTS"), 16, 16, 8, "mpeg2video", "yuv420p", "mpegts");
        VideoFixtures.Make(dir.File("v/b.3gp"), 16, 16, 8, "libx264", "yuv420p", "3gp");
        VideoFixtures.Make(dir.File("v/c.dat"), 16, 16, 8, "libx264", "yuv420p", "mp4");
        string ckpt = dir.File("video.safetensors");
        using (var model = new PaperAutoencoder(TinyConfigs.Video())) PaperCheckpoint.Save(model, ckpt);

        // Act
        string kind = DataSources.Detect(dir.File("v"));
        string single = DataSources.Detect(dir.File("v/a.MTS"));
        var videos = VideoFiles.FromFolder(dir.File("v"), new ClipOptions { Frames = 4, Start = ClipStart.Random });
        var loader = new DataLoader(videos, new DataLoaderOptions { BatchSize = 1, Workers = 1, Seed = 5 });
        var samples = loader.Samples(0).Select(s => s.Sample).ToList();
        var r = CliRunner.Run("reconstruct", dir.File("v/a.MTS"), dir.File("v/b.3gp"), dir.File("v/c.dat"), "--checkpoint", ckpt,
            "-o", dir.File("out"), "--frames", "4");

        // Assert
        Assert.Equal("video", kind);
        Assert.Equal("video", single);
        Assert.Equal(["a.MTS", "b.3gp", "c.dat"], videos.Paths.Select(p => Path.GetFileName(p)).ToArray());
        Assert.Empty(videos.Ignored);
        Assert.Equal(0, loader.Skips.Count);
        Assert.Equal(3, samples.Count);
        Assert.True(r.Exit == 0, r.Err);
        foreach (string name in new[] { "a", "b", "c" })
            Assert.Equal((8, 16, 16), (VideoIO.Probe(dir.File($"out/{name}.mp4")) is var i ? (i.FrameCount, i.Width, i.Height) : default));
    }

    [Fact]
    public void OddSizedVideo_ComesBackAtItsExactSize_AndSizesPrintAsWxH()
    {
        // Arrange: 33×17 yuv420p (FFV1 in Matroska allows odd 4:2:0 sizes).
        Assert.True(VideoIO.IsAvailable, "ffmpeg is missing: apt-get install -y ffmpeg");
        using var dir = new TempDir();
        string input = VideoFixtures.Make(dir.File("odd.mkv"), 33, 17, 8, "ffv1", "yuv420p", "matroska");
        string ckpt = dir.File("video.safetensors");
        using (var model = new PaperAutoencoder(TinyConfigs.Video())) PaperCheckpoint.Save(model, ckpt);

        // Act
        var r = CliRunner.Run("reconstruct", input, "--checkpoint", ckpt, "-o", dir.File("out"), "--frames", "4");

        // Assert
        Assert.True(r.Exit == 0, r.Err);
        var i = VideoIO.Probe(input);
        var o = VideoIO.Probe(dir.File("out/odd.mp4"));
        Assert.Equal((33, 17), (i.Width, i.Height));
        Assert.Equal((33, 17, 8), (o.Width, o.Height, o.FrameCount));
        Assert.Contains("8 frames 33x17", r.Out);
    }

    [Fact]
    public void WriteMp4_KeepsOddSizes()
    {
        Assert.True(VideoIO.IsAvailable, "ffmpeg is missing: apt-get install -y ffmpeg");
        using var dir = new TempDir();
        VideoIO.WriteMp4(torch.zeros(3, 2, 17, 33), dir.File("a.mp4"));
        VideoIO.WriteMp4(torch.zeros(3, 2, 16, 32), dir.File("b.mp4"));
        var a = VideoIO.Probe(dir.File("a.mp4"));
        var b = VideoIO.Probe(dir.File("b.mp4"));
        Assert.Equal((33, 17), (a.Width, a.Height));
        Assert.Equal((32, 16), (b.Width, b.Height));
    }
}
