using System.Globalization;
using System.Text.Json;

namespace ViTok.IO;

/// <summary>Video files to and from tensors through Debian's ffmpeg: metadata via ffprobe's JSON, frames as raw
/// RGB24 piped from ffmpeg's stdout, MP4 (H.264) written by piping raw frames into ffmpeg's stdin. Clips are float
/// tensors [3, T, H, W] in [-1, 1]. Every ffmpeg call has a deadline, after which the process is killed.</summary>
public static class VideoIO
{
    /// <summary>Default deadline for one ffprobe/ffmpeg call.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>File extensions taken as videos without opening the file in a folder scan (lower case, with the dot).
    /// Other names are recognised by content (<see cref="FileContent"/>) and, failing that, by ffprobe. GIFs are
    /// images (their first frame), not videos.</summary>
    public static IReadOnlyList<string> Extensions { get; } =
        [".mp4", ".avi", ".mkv", ".webm", ".mov", ".m4v", ".mpg", ".mpeg", ".ogv", ".flv", ".wmv", ".ts", ".mts", ".m2ts", ".3gp", ".3g2", ".vob"];

    /// <summary>True when ffprobe finds a video stream in <paramref name="path"/> (used for files whose first bytes
    /// name no known container). Never throws for an unreadable file.</summary>
    public static bool HasVideoStream(string path, TimeSpan? timeout = null)
    {
        if (!IsAvailable) return false;
        try
        {
            Probe(path, timeout ?? TimeSpan.FromSeconds(20));
            return true;
        }
        catch (BadItemException)
        {
            return false;
        }
    }

    /// <summary>True when ffmpeg and ffprobe both run.</summary>
    public static bool IsAvailable => FfmpegProcess.MissingTool is null;

    /// <summary>Throws a <see cref="ViTokException"/> that names the install command when ffmpeg or ffprobe is missing.</summary>
    public static void RequireFfmpeg() => FfmpegProcess.Require();

    /// <summary>Probes the first video stream (size, frame count, fps, duration, start time) by running ffprobe with
    /// an argument list and reading its JSON. Throws <see cref="BadItemException"/> (empty, io-error, unreadable-video)
    /// for a file that has none (audio only, truncated, not a video).</summary>
    public static VideoInfo Probe(string path, TimeSpan? timeout = null)
    {
        FfmpegProcess.Require();
        CheckFile(path);
        var limit = timeout ?? DefaultTimeout;
        List<string> args = ["-v", "error", "-count_packets", "-show_streams", "-show_format", "-of", "json", "-i", FfmpegProcess.FileUrl(path)];
        byte[] buf;
        int n, code;
        string err;
        try
        {
            (buf, n, code, err) = FfmpegProcess.Run(FfmpegProcess.Ffprobe, args, null, 1 << 24, limit);
        }
        catch (TimeoutException)
        {
            throw new BadItemException(path, SkipReason.UnreadableVideo, $"ffprobe timed out after {limit.TotalSeconds:0} s");
        }
        if (code != 0)
            throw new BadItemException(path, SkipReason.UnreadableVideo, $"ffprobe cannot read it ({(err.Length > 0 ? FirstLine(err) : $"exit {code}")})");
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(buf.AsMemory(0, n));
            root = doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new BadItemException(path, SkipReason.UnreadableVideo, $"ffprobe printed no JSON ({FirstLine(e.Message)})");
        }
        JsonElement? video = null;
        if (root.TryGetProperty("streams", out var streams) && streams.ValueKind == JsonValueKind.Array)
        {
            foreach (var st in streams.EnumerateArray())
            {
                if (Str(st, "codec_type") != "video") continue;
                // Cover art in audio files is a one-picture "video" stream: not a video.
                if (st.TryGetProperty("disposition", out var disp) && Num(disp, "attached_pic") == 1) continue;
                video = st;
                break;
            }
        }
        var format = root.TryGetProperty("format", out var f) ? f : default;
        string container = format.ValueKind == JsonValueKind.Object ? Str(format, "format_name") ?? "?" : "?";
        if (video is not { } v)
            throw new BadItemException(path, SkipReason.UnreadableVideo, $"no video stream (ffprobe sees a {container} file without one, e.g. audio only)");
        int width = (int)(Num(v, "width") ?? 0), height = (int)(Num(v, "height") ?? 0);
        if (width <= 0 || height <= 0) throw new BadItemException(path, SkipReason.UnreadableVideo, "the video stream has no frame size");
        double fps = Rate(Str(v, "avg_frame_rate"));
        if (!(fps > 0)) fps = Rate(Str(v, "r_frame_rate"));
        double duration = Num(v, "duration") ?? (format.ValueKind == JsonValueKind.Object ? Num(format, "duration") : null) ?? 0;
        int frames = (int)(Num(v, "nb_read_packets") ?? Num(v, "nb_frames") ?? 0);
        if (frames <= 0 && fps > 0 && duration > 0) frames = (int)Math.Floor(duration * fps + 1e-6);
        if (frames <= 0 || !(fps > 0)) throw new BadItemException(path, SkipReason.UnreadableVideo, "ffprobe finds no frames or no frame rate (empty or truncated video)");
        bool swap = Math.Abs(Rotation(v)) % 180 == 90;
        int w = swap ? height : width, h = swap ? width : height;
        double start = Num(v, "start_time") ?? (format.ValueKind == JsonValueKind.Object ? Num(format, "start_time") : null) ?? 0;
        return new VideoInfo(path, w, h, frames, fps, duration, Str(v, "codec_name") ?? "?")
        {
            Container = container,
            StartSeconds = double.IsFinite(start) ? start : 0,
        };
    }

    // ffprobe's JSON prints most numbers as strings ("8/1", "1.525000", "16").
    private static string? Str(JsonElement e, string key) =>
        e.TryGetProperty(key, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            _ => null,
        } : null;

    private static double? Num(JsonElement e, string key) =>
        Str(e, key) is { } s && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d) ? d : null;

    private static double Rate(string? r)
    {
        if (r is null) return 0;
        int slash = r.IndexOf('/');
        if (slash < 0) return double.TryParse(r, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) ? x : 0;
        return double.TryParse(r[..slash], NumberStyles.Float, CultureInfo.InvariantCulture, out double a)
               && double.TryParse(r[(slash + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out double b) && b != 0 ? a / b : 0;
    }

    // Rotation from the display matrix (side data) or the legacy "rotate" tag, in degrees.
    private static double Rotation(JsonElement v)
    {
        if (v.TryGetProperty("side_data_list", out var sd) && sd.ValueKind == JsonValueKind.Array)
            foreach (var d in sd.EnumerateArray())
                if (Num(d, "rotation") is { } r) return r;
        return v.TryGetProperty("tags", out var tags) && tags.ValueKind == JsonValueKind.Object && Num(tags, "rotate") is { } t ? t : 0;
    }

    // Containers whose seek index is exact: an input seek lands on the right frame. Others (MPEG-TS, MPEG-PS, raw
    // streams) seek by byte position and can land past the target, so they are decoded from the start and cut after.
    private static bool SeeksExactly(VideoInfo info) =>
        info.Container.Split(',').Any(c => c is "mov" or "mp4" or "m4a" or "3gp" or "3g2" or "mj2" or "matroska" or "webm" or "avi");

    /// <summary>Decodes up to <paramref name="count"/> frames, every <paramref name="stride"/>-th frame from frame
    /// <paramref name="startFrame"/>, as RGB bytes [n, H, W, 3]. Returns fewer frames when the video ends first.</summary>
    public static (byte[] Rgb, int Frames) ReadFramesRgb(VideoInfo info, int startFrame, int count, int stride = 1,
        TimeSpan? timeout = null)
    {
        if (count <= 0 || stride <= 0) throw new ArgumentException("count and stride must be positive");
        var args = new List<string> { "-nostdin", "-hide_banner", "-loglevel", "error" };
        bool seek = startFrame > 0 && SeeksExactly(info);
        // Seek half a frame early: accurate seeking drops frames stamped before the position, so frame k is the first kept.
        // The position is relative to the file's start time (ffmpeg adds it), so streams that start at 1.4 s seek right.
        if (seek) args.AddRange(["-ss", Seconds((startFrame - 0.5) / info.Fps)]);
        args.AddRange(["-i", FfmpegProcess.FileUrl(info.Path), "-map", "0:v:0", "-an", "-sn"]);
        int skip = seek ? 0 : startFrame;
        if (stride > 1 || skip > 0)
            args.AddRange(["-vf", skip > 0 ? $"select=gte(n\\,{skip})*not(mod(n-{skip}\\,{stride}))" : $"select=not(mod(n\\,{stride}))"]);
        return Pipe(info.Path, args, count, info.Height, info.Width, timeout);
    }

    /// <summary>Decodes up to <paramref name="count"/> frames resampled to <paramref name="fps"/> frames per second
    /// (ffmpeg's fps filter) from <paramref name="startSeconds"/>, as RGB bytes [n, H, W, 3].</summary>
    public static (byte[] Rgb, int Frames) ReadFramesRgbAtFps(VideoInfo info, double startSeconds, int count, double fps,
        TimeSpan? timeout = null)
    {
        if (count <= 0 || !(fps > 0)) throw new ArgumentException("count and fps must be positive");
        var args = new List<string> { "-nostdin", "-hide_banner", "-loglevel", "error" };
        bool seek = startSeconds > 0 && SeeksExactly(info);
        if (seek) args.AddRange(["-ss", Seconds(startSeconds)]);
        args.AddRange(["-i", FfmpegProcess.FileUrl(info.Path), "-map", "0:v:0", "-an", "-sn", "-vf", $"fps={fps.ToString(CultureInfo.InvariantCulture)}"]);
        // Without an exact seek index: decode from the start and drop frames before the position (an output seek).
        if (startSeconds > 0 && !seek) args.AddRange(["-ss", Seconds(startSeconds)]);
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
    /// <exception cref="ViTokException">The video cannot be decoded or has too few frames.</exception>
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
    /// <paramref name="lossless"/> keeps RGB exactly (libx264rgb, crf 0); otherwise yuv420p at <paramref name="crf"/>
    /// (yuv444p when a side is odd, so the file keeps the clip's exact size).</summary>
    /// <exception cref="ViTokException">ffmpeg is missing or cannot write the file.</exception>
    public static void WriteMp4(Tensor clip, string path, double fps = 8, int crf = 18, bool lossless = false) =>
        WriteMp4(ToRgb8Frames(clip), (int)clip.shape[1], (int)clip.shape[2], (int)clip.shape[3], path, fps, crf, lossless);

    /// <summary>Writes RGB bytes [T, H, W, 3] as an H.264 MP4 (atomically) of exactly W×H: yuv420p when both sides are
    /// even, yuv444p (H.264 High 4:4:4, which allows odd sides) when one is odd.</summary>
    /// <exception cref="ViTokException">ffmpeg is missing or cannot write the file.</exception>
    public static void WriteMp4(byte[] rgb, int frames, int height, int width, string path, double fps = 8, int crf = 18,
        bool lossless = false)
    {
        FfmpegProcess.Require();
        if ((long)frames * height * width * 3 > rgb.LongLength) throw new ArgumentException("fewer bytes than frames × height × width × 3");
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string tmp = AtomicFile.TempPathFor(full);
        var args = new List<string>
        {
            "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", $"{width}x{height}", "-framerate", fps.ToString(CultureInfo.InvariantCulture),
            "-i", "pipe:0", "-an",
        };
        if (lossless) args.AddRange(["-c:v", "libx264rgb", "-crf", "0", "-preset", "veryfast", "-pix_fmt", "rgb24"]);
        else
            args.AddRange(["-c:v", "libx264", "-crf", crf.ToString(CultureInfo.InvariantCulture), "-preset", "medium",
                "-pix_fmt", width % 2 == 0 && height % 2 == 0 ? "yuv420p" : "yuv444p"]);
        args.AddRange(["-movflags", "+faststart", "-f", "mp4", FfmpegProcess.FileUrl(tmp)]);
        try
        {
            var input = rgb.Length == frames * height * width * 3 ? rgb : rgb[..(frames * height * width * 3)];
            var (_, _, code, err) = FfmpegProcess.Run(FfmpegProcess.Ffmpeg, args, input, 1 << 16, DefaultTimeout + TimeSpan.FromSeconds(frames / 10.0));
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
            (buf, n, code, err) = FfmpegProcess.Run(FfmpegProcess.Ffmpeg, args, null, checked(count * frameBytes), timeout ?? DefaultTimeout);
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

    private static string Seconds(double s) => Math.Max(0, s).ToString("0.######", CultureInfo.InvariantCulture);

    private static string FirstLine(string s)
    {
        var line = s.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";
        return line.Length > 200 ? line[..200] + "…" : line;
    }
}
