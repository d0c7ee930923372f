using System.Collections.Concurrent;
using ViTok.IO;

namespace ViTok.Data;

/// <summary>Video files as a map-style dataset of clips [3, T, H, W]: a folder read recursively (any container ffprobe
/// reads: by name, by content or by probing; files of other kinds are listed in <see cref="Ignored"/>; the class is the
/// first-level subfolder, as in UCF-101's layout) or given files. Each item is one clip; with
/// <see cref="ClipStart.Even"/> a video gives <see cref="ClipOptions.ClipsPerVideo"/> items. Probes are cached per file.
/// Unreadable videos and videos shorter than the clip are skipped by the loader.</summary>
public sealed class VideoFiles : IDataset
{
    private readonly string[] _paths;
    private readonly int[] _labels;
    private readonly string[] _classes;
    private readonly ConcurrentDictionary<int, Lazy<VideoInfo>> _probes = new();

    private VideoFiles(string location, string[] paths, int[] labels, string[] classes, ClipOptions clip, ImageTransform transform)
    {
        if (clip.Frames <= 0 || clip.FrameStride <= 0 || clip.ClipsPerVideo <= 0 || clip.Fps is <= 0)
            throw new ViTokException("clip options: frames, frame stride, clips per video and fps must be positive.");
        Location = location;
        _paths = paths;
        _labels = labels;
        _classes = classes;
        Clip = clip;
        Transform = transform;
    }

    /// <inheritdoc/>
    public string Location { get; }

    /// <inheritdoc/>
    public string Kind => "video";

    /// <inheritdoc/>
    public IReadOnlyList<string> Classes => _classes;

    /// <inheritdoc/>
    public int Count => _paths.Length * ClipsPer;

    /// <inheritdoc/>
    public IReadOnlyList<IgnoredFile> Ignored { get; private init; } = [];

    /// <summary>How clips are cut.</summary>
    public ClipOptions Clip { get; }

    /// <summary>The transform applied to every clip (one crop and flip for all its frames).</summary>
    public ImageTransform Transform { get; }

    /// <summary>The video paths.</summary>
    public IReadOnlyList<string> Paths => _paths;

    private int ClipsPer => Clip.Start == ClipStart.Even ? Clip.ClipsPerVideo : 1;

    /// <summary>Lists the videos under <paramref name="root"/> recursively, sorted by path; the first-level subfolder
    /// is the class. A single video file is also accepted.</summary>
    /// <exception cref="ViTokException">The folder does not exist or holds no videos.</exception>
    public static VideoFiles FromFolder(string root, ClipOptions? clip = null, ImageTransform? transform = null)
    {
        root = Path.GetFullPath(root);
        if (File.Exists(root)) return FromPaths([root], null, clip, transform);
        if (!Directory.Exists(root)) throw new ViTokException($"{root}: folder not found. Give a folder of videos or a video file.");
        var scan = FolderScan.Of(root);
        var videos = scan.OfKind(ContentKind.Video);
        if (videos.Length == 0)
            throw new ViTokException($"{root}: no videos found (looked recursively for {string.Join(", ", VideoIO.Extensions)} and any container ffprobe reads; "
                + $"found {ImageFiles.DescribeFiles(scan.Files.Select(f => f.Path).ToList())}).");
        string? ClassOf(string p)
        {
            string rel = Path.GetRelativePath(root, p);
            int sep = rel.IndexOf(Path.DirectorySeparatorChar);
            return sep > 0 ? rel[..sep] : null;
        }
        var classes = videos.Select(ClassOf).OfType<string>().Distinct().OrderBy(c => c, StringComparer.Ordinal).ToArray();
        var index = classes.Select((c, i) => (c, i)).ToDictionary(t => t.c, t => t.i);
        var labels = videos.Select(p => ClassOf(p) is { } c ? index[c] : -1).ToArray();
        return new VideoFiles(root, videos, labels, classes, clip ?? new ClipOptions(), transform ?? ImageTransform.None)
        {
            Ignored = scan.Ignored(ContentKind.Video),
        };
    }

    /// <summary>A dataset over given video paths and labels (-1 = none).</summary>
    /// <exception cref="ViTokException">No paths are given.</exception>
    public static VideoFiles FromPaths(IReadOnlyList<string> paths, IReadOnlyList<int>? labels = null, ClipOptions? clip = null,
        ImageTransform? transform = null)
    {
        if (paths.Count == 0) throw new ViTokException("no video paths given.");
        var l = labels?.ToArray() ?? Enumerable.Repeat(-1, paths.Count).ToArray();
        int max = l.DefaultIfEmpty(-1).Max();
        return new VideoFiles(paths.Count == 1 ? paths[0] : $"{paths.Count} videos", paths.ToArray(), l,
            Enumerable.Range(0, max + 1).Select(i => i.ToString()).ToArray(), clip ?? new ClipOptions(), transform ?? ImageTransform.None);
    }

    /// <summary>The probe of video <paramref name="video"/> (cached; throws <see cref="BadItemException"/>).</summary>
    public VideoInfo Probe(int video) =>
        _probes.GetOrAdd(video, v => new Lazy<VideoInfo>(() => VideoIO.Probe(_paths[v], Clip.Timeout))).Value;

    /// <inheritdoc/>
    public string SourceOf(int index) => _paths[index / ClipsPer];

    /// <inheritdoc/>
    public Sample Get(int index, DataRng rng)
    {
        int video = index / ClipsPer, k = index % ClipsPer;
        string path = _paths[video];
        var info = Probe(video);
        if ((long)info.Width * info.Height > Clip.MaxPixels)
            throw new BadItemException(path, SkipReason.TooLarge, $"frames are {info.Width}x{info.Height}, over the {Clip.MaxPixels / 1e6:0.#} MP limit");
        int t = Clip.Frames;
        byte[] rgb;
        int n;
        if (Clip.Fps is { } fps)
        {
            double need = t / fps, avail = info.DurationSeconds - need;
            if (avail < -0.5 / fps)
                throw new BadItemException(path, SkipReason.TooShort, $"{info.DurationSeconds:0.##} s long; a clip of {t} frames at {fps} fps needs {need:0.##} s");
            double start = Pick(Math.Max(avail, 0), k, rng);
            (rgb, n) = VideoIO.ReadFramesRgbAtFps(info, start, t, fps, Clip.Timeout);
        }
        else
        {
            int span = (t - 1) * Clip.FrameStride + 1, avail = info.FrameCount - span;
            if (avail < 0)
                throw new BadItemException(path, SkipReason.TooShort, $"{info.FrameCount} frames; a clip of {t} frames at stride {Clip.FrameStride} needs {span}");
            int start = (int)Math.Round(Pick(avail, k, rng, integer: true));
            (rgb, n) = VideoIO.ReadFramesRgb(info, start, t, Clip.FrameStride, Clip.Timeout);
        }
        if (n < t)
            throw new BadItemException(path, SkipReason.TooShort, $"ffmpeg decoded {n} of the {t} frames the clip needs ({info.FrameCount} probed)");
        var pixels = Transform.ApplyClip(rgb, t, info.Height, info.Width, rng, out var plan);
        return new Sample(pixels, t, plan.OutHeight, plan.OutWidth, _labels[video], path)
        {
            SourceHeight = info.Height,
            SourceWidth = info.Width,
            SourceFrames = info.FrameCount,
        };
    }

    // A start in [0, avail]: random, k-th of evenly spaced, centre of a single even clip, or 0.
    private double Pick(double avail, int k, DataRng rng, bool integer = false) => Clip.Start switch
    {
        ClipStart.Random => integer ? rng.NextInt((int)avail + 1) : rng.Uniform(0, avail),
        ClipStart.Even => ClipsPer == 1 ? (integer ? Math.Floor(avail / 2) : avail / 2) : avail * k / (ClipsPer - 1),
        _ => 0,
    };

}
