using System.Globalization;
using System.Text.Json;
using FFMpegCore;
using ViTok.Data;

namespace ViTok.IO;

/// <summary>Video files to and from tensors through Debian's ffmpeg: metadata via ffprobe (FFMpegCore), frames as raw
/// RGB24 piped from ffmpeg's stdout, MP4 (H.264) written by piping raw frames into ffmpeg's stdin. Clips are float
/// tensors [3, T, H, W] in [-1, 1]. Every ffmpeg call has a deadline, after which the process is killed.</summary>
public static class VideoIO
{
    /// <summary>Default deadline for one ffprobe/ffmpeg call.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>File extensions read as videos (lower case, with the dot).</summary>
    public static IReadOnlyList<string> Extensions { get; } =
        [".mp4", ".avi", ".mkv", ".webm", ".mov", ".m4v", ".mpg", ".mpeg", ".ogv", ".flv", ".wmv", ".gif"];

    /// <summary>True when ffmpeg and ffprobe both run.</summary>
    public static bool IsAvailable => FfmpegProcess.MissingTool is null;

    /// <summary>Throws a <see cref="ViTokException"/> that names the install command when ffmpeg or ffprobe is missing.</summary>
    public static void RequireFfmpeg() => FfmpegProcess.Require();

    /// <summary>Probes the first video stream (size, frame count, fps, duration). Throws <see cref="BadItemException"/>
    /// (empty, io-error, unreadable-video) for a file that has none.</summary>
    public static VideoInfo Probe(string path, TimeSpan? timeout = null)
    {
        FfmpegProcess.Require();
        CheckFile(path);
        IMediaAnalysis analysis;
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            analysis = FFProbe.AnalyseAsync(path, null, "-count_packets", cts.Token).GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            string why = cts.IsCancellationRequested ? $"ffprobe timed out after {(timeout ?? DefaultTimeout).TotalSeconds:0} s" : FirstLine(e.Message);
            throw new BadItemException(path, SkipReason.UnreadableVideo, $"ffprobe cannot read it ({why})");
        }
        var v = analysis.PrimaryVideoStream;
        if (v is null || v.Width is not > 0 || v.Height is not > 0)
            throw new BadItemException(path, SkipReason.UnreadableVideo, "no video stream");
        var raw = analysis.Raw?.Streams?.FirstOrDefault(s => s.Index == v.Index);
        double fps = v.AverageFrameRate > 0 && double.IsFinite(v.AverageFrameRate) ? v.AverageFrameRate : v.RealFrameRate;
        double duration = v.Duration > TimeSpan.Zero ? v.Duration.TotalSeconds : analysis.Duration.TotalSeconds;
        int frames = ExtensionInt(raw, "nb_read_packets") ?? ExtensionInt(raw, "nb_frames") ?? 0;
        if (frames <= 0 && fps > 0 && duration > 0) frames = (int)Math.Floor(duration * fps + 1e-6);
        if (frames <= 0 || !(fps > 0)) throw new BadItemException(path, SkipReason.UnreadableVideo, "ffprobe finds no frames or no frame rate");
        bool swap = Math.Abs(v.Rotation) % 180 == 90;
        int w = swap ? v.Height.Value : v.Width.Value, h = swap ? v.Width.Value : v.Height.Value;
        return new VideoInfo(path, w, h, frames, fps, duration, v.CodecName ?? "?");
    }

    /// <summary>Decodes up to <paramref name="count"/> frames, every <paramref name="stride"/>-th frame from frame
    /// <paramref name="startFrame"/>, as RGB bytes [n, H, W, 3]. Returns fewer frames when the video ends first.</summary>
    public static (byte[] Rgb, int Frames) ReadFramesRgb(VideoInfo info, int startFrame, int count, int stride = 1,
        TimeSpan? timeout = null)
    {
        if (count <= 0 || stride <= 0) throw new ArgumentException("count and stride must be positive");
        var args = new List<string> { "-nostdin", "-hide_banner", "-loglevel", "error" };
        // Seek half a frame early: accurate seeking drops frames stamped before the position, so frame k is the first kept.
        if (startFrame > 0) args.AddRange(["-ss", Seconds((startFrame - 0.5) / info.Fps)]);
        args.AddRange(["-i", info.Path, "-map", "0:v:0", "-an", "-sn"]);
        if (stride > 1) args.AddRange(["-vf", $"select=not(mod(n\\,{stride}))"]);
        return Pipe(info.Path, args, count, info.Height, info.Width, timeout);
    }

    /// <summary>Decodes up to <paramref name="count"/> frames resampled to <paramref name="fps"/> frames per second
    /// (ffmpeg's fps filter) from <paramref name="startSeconds"/>, as RGB bytes [n, H, W, 3].</summary>
    public static (byte[] Rgb, int Frames) ReadFramesRgbAtFps(VideoInfo info, double startSeconds, int count, double fps,
        TimeSpan? timeout = null)
    {
        if (count <= 0 || !(fps > 0)) throw new ArgumentException("count and fps must be positive");
        var args = new List<string> { "-nostdin", "-hide_banner", "-loglevel", "error" };
        if (startSeconds > 0) args.AddRange(["-ss", Seconds(startSeconds)]);
        args.AddRange(["-i", info.Path, "-map", "0:v:0", "-an", "-sn", "-vf", $"fps={fps.ToString(CultureInfo.InvariantCulture)}"]);
        return Pipe(info.Path, args, count, info.Height, info.Width, timeout);
    }

    /// <summary>Renders <paramref name="count"/> frames of an ffmpeg synthetic source (lavfi graph such as
    /// <c>testsrc2=size=64x64:rate=8</c>) as RGB bytes [n, H, W, 3], starting <paramref name="startSeconds"/> in.</summary>
    public static (byte[] Rgb, int Frames) ReadSyntheticRgb(string lavfiGraph, int width, int height, int count,
        double startSeconds = 0, TimeSpan? timeout = null)
    {
        FfmpegProcess.Require();
        var args = new List<string> { "-nostdin", "-hide_banner", "-loglevel", "error", "-f", "lavfi" };
        if (startSeconds > 0) args.AddRange(["-ss", Seconds(startSeconds)]);
        args.AddRange(["-i", lavfiGraph]);
        return Pipe($"lavfi:{lavfiGraph}", args, count, height, width, timeout);
    }

    /// <summary>Reads a clip as a float tensor [3, T, H, W] in [-1, 1]: <paramref name="frames"/> frames (0 = all) taken
    /// every <paramref name="stride"/>-th frame from <paramref name="startFrame"/>. Throws <see cref="ViTokException"/>
    /// for an unreadable file or a video too short for the request.</summary>
    public static Tensor ReadClip(string path, int frames = 0, int startFrame = 0, int stride = 1)
    {
        try
        {
            var info = Probe(path);
            int want = frames > 0 ? frames : Math.Max(1, (info.FrameCount - startFrame + stride - 1) / stride);
            var (rgb, n) = ReadFramesRgb(info, startFrame, want, stride);
            if (n < want && frames > 0)
                throw new ViTokException($"{path}: only {n} frames from frame {startFrame} at stride {stride}; {frames} needed. Use a shorter clip or an earlier start.");
            if (n == 0) throw new ViTokException($"{path}: no frame could be decoded.");
            return FromRgb8Frames(rgb, n, info.Height, info.Width);
        }
        catch (BadItemException e)
        {
            throw new ViTokException(e.Message + ". Check that the file plays (ffprobe) or re-encode it.", e);
        }
    }

    /// <summary>Converts RGB bytes [T, H, W, 3] into a float tensor [3, T, H, W] in [-1, 1].</summary>
    public static Tensor FromRgb8Frames(byte[] rgb, int frames, int height, int width)
    {
        using var scope = torch.NewDisposeScope();
        var t = torch.tensor(rgb, ScalarType.Byte)[..(frames * height * width * 3)].reshape(frames, height, width, 3)
            .permute(3, 0, 1, 2).to(ScalarType.Float32).div(Scalars.Of(127.5)).sub(Scalars.Of(1.0));
        return t.contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Quantises a clip [3, T, H, W] in [-1, 1] to RGB bytes [T, H, W, 3].</summary>
    public static byte[] ToRgb8Frames(Tensor clip)
    {
        if (clip.dim() != 4 || clip.shape[0] != 3)
            throw new ArgumentException($"expected a clip tensor [3, T, H, W], got [{string.Join(", ", clip.shape)}]");
        using var scope = torch.NewDisposeScope();
        var q = clip.detach().to(ScalarType.Float32).cpu().clamp(Scalars.Of(-1), Scalars.Of(1)).add(Scalars.Of(1), Scalars.One).div(Scalars.Of(2)).mul(Scalars.Of(255)).round()
            .to(ScalarType.Byte).permute(1, 2, 3, 0).contiguous();
        return q.bytes.ToArray();
    }

    /// <summary>Writes a clip [3, T, H, W] in [-1, 1] as an H.264 MP4 at <paramref name="fps"/> (atomically).
    /// <paramref name="lossless"/> keeps RGB exactly (libx264rgb, crf 0); otherwise yuv420p at <paramref name="crf"/>.</summary>
    public static void WriteMp4(Tensor clip, string path, double fps = 8, int crf = 18, bool lossless = false) =>
        WriteMp4(ToRgb8Frames(clip), (int)clip.shape[1], (int)clip.shape[2], (int)clip.shape[3], path, fps, crf, lossless);

    /// <summary>Writes RGB bytes [T, H, W, 3] as an H.264 MP4 (atomically). Odd sizes are padded by one pixel for
    /// yuv420p.</summary>
    public static void WriteMp4(byte[] rgb, int frames, int height, int width, string path, double fps = 8, int crf = 18,
        bool lossless = false)
    {
        FfmpegProcess.Require();
        if ((long)frames * height * width * 3 > rgb.LongLength) throw new ArgumentException("fewer bytes than frames × height × width × 3");
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string tmp = full + ".tmp-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8];
        var args = new List<string>
        {
            "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", $"{width}x{height}", "-framerate", fps.ToString(CultureInfo.InvariantCulture),
            "-i", "pipe:0", "-an",
        };
        if (lossless) args.AddRange(["-c:v", "libx264rgb", "-crf", "0", "-preset", "veryfast", "-pix_fmt", "rgb24"]);
        else
            args.AddRange(["-c:v", "libx264", "-crf", crf.ToString(CultureInfo.InvariantCulture), "-preset", "medium",
                "-pix_fmt", "yuv420p", "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2"]);
        args.AddRange(["-movflags", "+faststart", "-f", "mp4", tmp]);
        try
        {
            var input = rgb.Length == frames * height * width * 3 ? rgb : rgb[..(frames * height * width * 3)];
            var (_, _, code, err) = FfmpegProcess.Run("ffmpeg", args, input, 1 << 16, DefaultTimeout + TimeSpan.FromSeconds(frames / 10.0));
            if (code != 0) throw new ViTokException($"{full}: ffmpeg could not write the MP4 (exit {code}): {FirstLine(err)}");
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    private static (byte[] Rgb, int Frames) Pipe(string source, List<string> args, int count, int height, int width, TimeSpan? timeout)
    {
        FfmpegProcess.Require();
        int frameBytes = height * width * 3;
        args.AddRange(["-frames:v", count.ToString(CultureInfo.InvariantCulture), "-fps_mode", "passthrough",
            "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"]);
        byte[] buf;
        int n, code;
        string err;
        try
        {
            (buf, n, code, err) = FfmpegProcess.Run("ffmpeg", args, null, checked(count * frameBytes), timeout ?? DefaultTimeout);
        }
        catch (TimeoutException e)
        {
            throw new BadItemException(source, SkipReason.UnreadableVideo, e.Message);
        }
        int frames = n / frameBytes;
        if (frames == 0)
            throw new BadItemException(source, SkipReason.UnreadableVideo,
                code != 0 ? $"ffmpeg failed (exit {code}): {FirstLine(err)}" : "ffmpeg decoded no frame");
        return (buf, frames);
    }

    private static void CheckFile(string path)
    {
        try
        {
            var fi = new FileInfo(path);
            if (!fi.Exists) throw new BadItemException(path, SkipReason.IoError, "file not found");
            if (fi.Length == 0) throw new BadItemException(path, SkipReason.Empty, "zero-byte file");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BadItemException(path, SkipReason.IoError, e.Message);
        }
    }

    private static int? ExtensionInt(FFProbeStream? s, string key)
    {
        if (s?.ExtensionData is null || !s.ExtensionData.TryGetValue(key, out var v)) return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i)) return i;
        return v.ValueKind == JsonValueKind.String && int.TryParse(v.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out i) ? i : null;
    }

    private static string Seconds(double s) => Math.Max(0, s).ToString("0.######", CultureInfo.InvariantCulture);

    private static string FirstLine(string s)
    {
        var line = s.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";
        return line.Length > 200 ? line[..200] + "…" : line;
    }
}
