using ViTok.Data;
using ViTok.IO;
using ViTok.Models;
using ViTok.Tests.Support;

namespace ViTok.Tests.IO;

/// <summary>Issue 19.1: a file name is data, never syntax. Every command that reads videos gets the hostile names, in a
/// working folder holding a victim file; nothing there may be created or overwritten, and every video must be read.</summary>
[Collection(TorchCollection.Name)]
public sealed class HostileFileNameTests
{
    private static readonly byte[] VictimBytes = "precious data\n"u8.ToArray();

    // Runs act with the current folder set to a fresh folder holding victim.bin; asserts the folder is unchanged.
    private static void InWorkingFolder(TempDir dir, Action act)
    {
        string cwd = Path.Combine(dir.Path, "cwd");
        Directory.CreateDirectory(cwd);
        File.WriteAllBytes(Path.Combine(cwd, "victim.bin"), VictimBytes);
        string old = Environment.CurrentDirectory;
        Environment.CurrentDirectory = cwd;
        try
        {
            act();
        }
        finally
        {
            Environment.CurrentDirectory = old;
        }
        Assert.Equal(["victim.bin"], Directory.GetFileSystemEntries(cwd).Select(p => Path.GetFileName(p)).ToArray());
        Assert.Equal(VictimBytes, File.ReadAllBytes(Path.Combine(cwd, "victim.bin")));
    }

    private static string HostileFolder(TempDir dir)
    {
        Assert.True(VideoIO.IsAvailable, "ffmpeg is missing: apt-get install -y ffmpeg");
        string videos = Path.Combine(dir.Path, "videos");
        Directory.CreateDirectory(videos);
        foreach (string name in VideoFixtures.HostileNames) VideoFixtures.Make(Path.Combine(videos, name), 16, 16, 8);
        return videos;
    }

    [Fact]
    public void Reconstruct_ReadsEveryHostileName_AndTouchesNothingElse()
    {
        using var dir = new TempDir();
        string videos = HostileFolder(dir);
        string ckpt = dir.File("video.safetensors"), outDir = dir.File("out/x");
        using (var model = new PaperAutoencoder(TinyConfigs.Video())) PaperCheckpoint.Save(model, ckpt);
        var inputs = VideoFixtures.HostileNames.Select(n => Path.Combine(videos, n)).ToArray();

        (int Exit, string Out, string Err) r = (-1, "", "");
        InWorkingFolder(dir, () => r = CliRunner.Run(["reconstruct", .. inputs, "--checkpoint", ckpt, "-o", Path.GetDirectoryName(outDir)!, "--frames", "4"]));

        Assert.True(r.Exit == 0, r.Err);
        foreach (string name in VideoFixtures.HostileNames)
        {
            var info = VideoIO.Probe(Path.Combine(Path.GetDirectoryName(outDir)!, Path.GetFileNameWithoutExtension(name) + ".mp4"));
            Assert.Equal((8, 16, 16), (info.FrameCount, info.Width, info.Height));
        }
    }

    [Fact]
    public void DataInspect_CountsAndReadsEveryHostileName()
    {
        using var dir = new TempDir();
        string videos = HostileFolder(dir);

        (int Exit, string Out, string Err) r = (-1, "", "");
        InWorkingFolder(dir, () => r = CliRunner.Run("data", "inspect", videos, "--frames", "4", "--json"));

        Assert.True(r.Exit == 0, r.Err);
        using var doc = System.Text.Json.JsonDocument.Parse(r.Out);
        Assert.Equal("video", doc.RootElement.GetProperty("kind").GetString());
        Assert.Equal(VideoFixtures.HostileNames.Length, doc.RootElement.GetProperty("items").GetInt32());
        Assert.Equal(VideoFixtures.HostileNames.Length, doc.RootElement.GetProperty("readable").GetInt32());
        Assert.Equal(0, doc.RootElement.GetProperty("skipped").GetInt32());
    }

    [Fact]
    public void Eval_EvaluatesEveryHostileName()
    {
        using var dir = new TempDir();
        string videos = HostileFolder(dir);
        string ckpt = dir.File("video.safetensors");
        using (var model = new PaperAutoencoder(TinyConfigs.Video())) PaperCheckpoint.Save(model, ckpt);

        (int Exit, string Out, string Err) r = (-1, "", "");
        InWorkingFolder(dir, () => r = CliRunner.Run("eval", "--checkpoint", ckpt, "--data", videos, "--frames", "4", "--n", "100",
            "--metrics", "psnr", "--batch-size", "2", "--json"));

        Assert.True(r.Exit == 0, r.Err);
        using var doc = System.Text.Json.JsonDocument.Parse(r.Out[r.Out.IndexOf('{')..]);
        Assert.Equal(VideoFixtures.HostileNames.Length, doc.RootElement.GetProperty("n").GetInt32());
    }

    [Fact]
    public void TrainingDataSource_ReadsEveryHostileName()
    {
        using var dir = new TempDir();
        string videos = HostileFolder(dir);

        List<Sample> samples = [];
        var skips = new SkipLog();
        InWorkingFolder(dir, () =>
        {
            var source = DataSources.Open(videos, new DataSourceOptions { Clip = new ClipOptions { Frames = 4 } });
            var loader = new DataLoader(source, new DataLoaderOptions { BatchSize = 1, Workers = 1, Shuffle = false });
            samples = loader.Samples(0).Select(s => s.Sample).ToList();
            skips = loader.Skips;
        });

        Assert.Equal(0, skips.Count);
        Assert.Equal(VideoFixtures.HostileNames.Select(n => Path.Combine(videos, n)).Order(StringComparer.Ordinal), samples.Select(s => s.Source));
        Assert.All(samples, s => Assert.Equal(new long[] { 3, 4, 16, 16 }, s.Shape));
    }

    [Fact]
    public void FakeFfprobeAndFfmpeg_ReceiveTheNameAsOneFileUrlArgument()
    {
        // Arrange: recorder scripts stand in for ffprobe and ffmpeg (VITOK_FFPROBE / VITOK_FFMPEG).
        using var dir = new TempDir();
        string videos = HostileFolder(dir);
        string probeLog = dir.File("ffprobe.log"), mpegLog = dir.File("ffmpeg.log");
        string fakeProbe = VideoFixtures.Recorder(dir.File("fake-ffprobe"), VideoFixtures.Which("ffprobe"), probeLog);
        string fakeMpeg = VideoFixtures.Recorder(dir.File("fake-ffmpeg"), VideoFixtures.Which("ffmpeg"), mpegLog);
        string hostile = Path.Combine(videos, VideoFixtures.HostileNames[0]);
        Environment.SetEnvironmentVariable("VITOK_FFPROBE", fakeProbe);
        Environment.SetEnvironmentVariable("VITOK_FFMPEG", fakeMpeg);
        Tensor clip;
        try
        {
            // Act
            clip = VideoIO.ReadClip(hostile, frames: 4, startFrame: 2);
        }
        finally
        {
            Environment.SetEnvironmentVariable("VITOK_FFPROBE", null);
            Environment.SetEnvironmentVariable("VITOK_FFMPEG", null);
        }

        // Assert: ffprobe got exactly this list; ffmpeg got the name once, as file:<absolute path> after -i.
        using (clip) Assert.Equal(new long[] { 3, 4, 16, 16 }, clip.shape);
        var probe = VideoFixtures.Calls(probeLog).Single(c => c[0] != "-version");
        Assert.Equal(["-v", "error", "-count_packets", "-show_streams", "-show_format", "-of", "json", "-i", "file:" + hostile], probe);
        var decode = VideoFixtures.Calls(mpegLog).Single(c => c[0] != "-version");
        Assert.Equal("file:" + hostile, decode[Array.IndexOf(decode, "-i") + 1]);
        Assert.Single(decode, a => a.Contains("victim", StringComparison.Ordinal));
        Assert.Equal(["-nostdin", "-hide_banner", "-loglevel", "error", "-ss", "0.1875", "-i", "file:" + hostile, "-map", "0:v:0", "-an", "-sn",
            "-frames:v", "4", "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"], decode);
    }
}
