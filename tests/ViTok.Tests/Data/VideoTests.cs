using ViTok.Data;
using ViTok.IO;
using ViTok.Tests.Support;

namespace ViTok.Tests.Data;

[Collection(TorchCollection.Name)]
public sealed class VideoTests : IDisposable
{
    private const int Frames = 20, W = 64, H = 48, Side = 8;
    private readonly TempDir _dir = new();

    public VideoTests()
    {
        Requirements.Ffmpeg();
    }

    public void Dispose() => _dir.Dispose();

    // A white 8×8 square on black moving 2 px right and 1 px down per frame, drawn by ffmpeg's overlay filter.
    private static (int X, int Y) SquareAt(int n) => (2 + 2 * n, 4 + n);

    private string MakeSquareClip(string name, int frames = Frames)
    {
        string path = _dir.File(name);
        Requirements.RunFfmpeg("-f", "lavfi", "-i",
            $"color=c=black:s={W}x{H}:r=10[bg];color=c=white:s={Side}x{Side}:r=10[sq];[bg][sq]overlay=x=2+20*t:y=4+10*t:shortest=1:format=rgb[out0]",
            "-frames:v", frames.ToString(), "-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "12", path);
        return path;
    }

    // Centre of the bright pixels of frame t of a clip [3, T, H, W] in [-1, 1].
    private static (double X, double Y) Centroid(float[] clip, int t, int frames, int h, int w)
    {
        double sx = 0, sy = 0, n = 0;
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                float v = clip[(0 * frames + t) * h * w + y * w + x];
                if (v > 0)
                {
                    sx += x;
                    sy += y;
                    n++;
                }
            }
        }
        Assert.True(n > 0, $"frame {t}: no square found");
        return (sx / n, sy / n);
    }

    [Fact]
    public void MovingSquare_DecodesAllFramesWithTheSquareWhereItWasDrawn()
    {
        // Arrange
        var ds = VideoFiles.FromPaths([MakeSquareClip("square.mp4")], null, new ClipOptions { Frames = Frames, Start = ClipStart.First });

        // Act
        var info = ds.Probe(0);
        var sample = ds.Get(0, new DataRng(0));

        // Assert
        Assert.Equal((Frames, W, H, 10.0), (info.FrameCount, info.Width, info.Height, info.Fps));
        Assert.Equal(new long[] { 3, Frames, H, W }, sample.Shape);
        for (int t = 0; t < Frames; t++)
        {
            var (x, y) = Centroid(sample.Pixels, t, Frames, H, W);
            var (ex, ey) = SquareAt(t);
            Assert.True(Math.Abs(x - (ex + 3.5)) <= 1 && Math.Abs(y - (ey + 3.5)) <= 1, $"frame {t}: square at ({x:0.0},{y:0.0}), drawn at ({ex + 3.5},{ey + 3.5})");
        }
    }

    [Theory]
    [InlineData(0, 3, 6)]
    [InlineData(5, 2, 7)]
    [InlineData(13, 1, 7)]
    public void FrameStrideAndStart_PickTheRightFrames(int start, int stride, int count)
    {
        // Arrange
        var info = VideoIO.Probe(MakeSquareClip($"s{start}-{stride}.mp4"));

        // Act
        var (rgb, n) = VideoIO.ReadFramesRgb(info, start, count, stride);
        using var clip = VideoIO.FromRgb8Frames(rgb, n, H, W);
        var pixels = clip.contiguous().data<float>().ToArray();

        // Assert
        Assert.Equal(count, n);
        for (int t = 0; t < n; t++)
        {
            var (x, y) = Centroid(pixels, t, n, H, W);
            var (ex, ey) = SquareAt(start + t * stride);
            Assert.True(Math.Abs(x - (ex + 3.5)) <= 1 && Math.Abs(y - (ey + 3.5)) <= 1, $"clip frame {t} (source {start + t * stride}): square at ({x:0.0},{y:0.0})");
        }
    }

    [Fact]
    public void TargetFps_ResamplesTheClip()
    {
        // Arrange: 10 fps source read at 5 fps → the square moves two source steps per frame.
        var ds = VideoFiles.FromPaths([MakeSquareClip("fps.mp4")], null, new ClipOptions { Frames = 8, Fps = 5, Start = ClipStart.First });

        // Act
        var s = ds.Get(0, new DataRng(0));

        // Assert
        Assert.Equal(8, s.Frames);
        for (int t = 1; t < 8; t++)
            Assert.InRange(Centroid(s.Pixels, t, 8, H, W).X - Centroid(s.Pixels, t - 1, 8, H, W).X, 3, 5);
    }

    [Fact]
    public void BadVideos_AreSkippedForTheirReason()
    {
        // Arrange: a good clip per class folder (UCF-101 layout), a short clip, a corrupt file and a zero-byte file.
        string root = Path.Combine(_dir.Path, "ucf");
        MakeSquareClip("ucf/Juggling/v_01.mp4");
        MakeSquareClip("ucf/Surfing/v_02.mp4");
        MakeSquareClip("ucf/Surfing/short.mp4", frames: 5);
        File.WriteAllBytes(_dir.File("ucf/Surfing/corrupt.mp4"), ImageFixtures.RandomRgb(10, 100, 1));
        File.WriteAllBytes(_dir.File("ucf/Juggling/zero.avi"), []);
        var ds = VideoFiles.FromFolder(root, new ClipOptions { Frames = 8 }, ImageTransform.ForTraining(16));

        // Act
        var report = DataInspector.Inspect(ds, workers: 2);
        var loader = new DataLoader(ds, new DataLoaderOptions { BatchSize = 2, Workers = 2 });
        var batch = loader.Epoch(0).Select(b => (Shape: b.Pixels.shape, Labels: b.LabelValues.Order().ToArray())).Single();

        // Assert
        Assert.Equal(new[] { "Juggling", "Surfing" }, ds.Classes);
        Assert.Equal(5, report.Items);
        Assert.Equal(2, report.Readable);
        Assert.Equal(new Dictionary<string, int> { ["empty"] = 1, ["too-short"] = 1, ["unreadable-video"] = 1 }, report.SkippedByReason);
        Assert.Equal(new long[] { 2, 3, 8, 16, 16 }, batch.Shape);
        Assert.Equal(new[] { 0, 1 }, batch.Labels);
    }

    [Fact]
    public void WriteMp4_LosslessRoundTripIsExact_LossyIsClose()
    {
        // Arrange: a clip on 8-bit levels.
        torch.manual_seed(3);
        using var clip = torch.rand(3, 6, 24, 32).mul(255).round().div(127.5).sub(1);
        using var smooth = torch.linspace(-1, 1, 32).expand(3, 6, 24, 32).contiguous();
        string lossless = _dir.File("out/lossless.mp4"), lossy = _dir.File("out/lossy.mp4");

        // Act
        VideoIO.WriteMp4(clip, lossless, fps: 8, lossless: true);
        VideoIO.WriteMp4(smooth, lossy, fps: 8);
        using var back = VideoIO.ReadClip(lossless);
        using var backLossy = VideoIO.ReadClip(lossy, frames: 6);

        // Assert
        Assert.Equal(clip.shape, back.shape);
        Assert.Equal(0f, back.sub(clip).abs().max().item<float>());
        Assert.True(backLossy.sub(smooth).abs().mean().item<float>() < 0.03f);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(lossless)!, "*.tmp-*"));
    }

    [Fact]
    public void SyntheticSources_RenderMovingClips()
    {
        // Arrange
        var ds = new SyntheticVideos(count: 4, frames: 6, size: 32);

        // Act
        var samples = Enumerable.Range(0, 4).Select(i => ds.Get(i, new DataRng(0))).ToList();

        // Assert: each source moves (first and last frames differ) and items differ from each other.
        foreach (var s in samples)
        {
            Assert.Equal(new long[] { 3, 6, 32, 32 }, s.Shape);
            int plane = 32 * 32;
            double diff = 0;
            for (int i = 0; i < plane; i++) diff += Math.Abs(s.Pixels[i] - s.Pixels[5 * plane + i]);
            Assert.True(diff / plane > 0.01, $"{s.Source} does not move");
        }
        Assert.Equal(4, samples.Select(s => s.Source).Distinct().Count());
    }
}
