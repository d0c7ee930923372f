using ViTok.IO;

namespace ViTok.Data;

/// <summary>Clips rendered by ffmpeg's synthetic sources (lavfi) for quick runs without data: item i uses source
/// i mod k with a per-item variation (a seed for life/cellauto, a start time for the others). Output [3, T, S, S].</summary>
public sealed class SyntheticVideos : IDataset
{
    /// <summary>The sources used by default: all of them move.</summary>
    public static IReadOnlyList<string> DefaultSources { get; } = ["testsrc2", "mandelbrot", "life", "cellauto"];

    private readonly string[] _sources;

    /// <summary>Creates <paramref name="count"/> clips of <paramref name="frames"/> frames at <paramref name="size"/>²
    /// and <paramref name="rate"/> fps from <paramref name="sources"/> (default <see cref="DefaultSources"/>).</summary>
    /// <exception cref="ViTokException">A pattern name is unknown or a size is out of range.</exception>
    public SyntheticVideos(int count = 64, int frames = 16, int size = 64, double rate = 8, IReadOnlyList<string>? sources = null,
        ImageTransform? transform = null, TimeSpan? timeout = null)
    {
        _sources = (sources is { Count: > 0 } ? sources : DefaultSources).ToArray();
        foreach (var s in _sources)
        {
            if (!DefaultSources.Contains(s) && s is not ("testsrc" or "rgbtestsrc" or "smptebars" or "gradients"))
                throw new ViTokException($"synthetic source '{s}' is not known; use {string.Join(", ", DefaultSources)}.");
        }
        if (count <= 0 || frames <= 0 || size < 8 || !(rate > 0)) throw new ViTokException("synthetic videos: count, frames, rate must be positive and size at least 8.");
        Count = count;
        Frames = frames;
        Size = size;
        Rate = rate;
        Transform = transform ?? ImageTransform.None;
        Timeout = timeout ?? VideoIO.DefaultTimeout;
    }

    /// <inheritdoc/>
    public string Location => $"synthetic({string.Join(",", _sources)}; {Frames}x{Size}x{Size} at {Rate} fps)";

    /// <inheritdoc/>
    public string Kind => "synthetic";

    /// <inheritdoc/>
    public IReadOnlyList<string> Classes => _sources;

    /// <inheritdoc/>
    public int Count { get; }

    /// <summary>Frames per clip.</summary>
    public int Frames { get; }

    /// <summary>Rendered frame side.</summary>
    public int Size { get; }

    /// <summary>Frame rate of the sources.</summary>
    public double Rate { get; }

    /// <summary>Transform applied to each clip.</summary>
    public ImageTransform Transform { get; }

    /// <summary>Deadline per ffmpeg call.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>The lavfi graph and start time of item <paramref name="index"/>.</summary>
    public (string Graph, double StartSeconds) GraphOf(int index)
    {
        int k = index % _sources.Length, round = index / _sources.Length;
        string src = _sources[k], rate = Rate.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string common = $"size={Size}x{Size}:rate={rate}";
        return src switch
        {
            "life" => ($"life={common}:seed={round + 1}:mold=10:ratio=0.3:life_color=#00ff88:death_color=#802010", 0),
            "cellauto" => ($"cellauto={common}:seed={round + 1}:random_fill_ratio=0.5:scroll=1", 0),
            // mandelbrot barely changes during its first seconds: start it 5 s into the zoom.
            "mandelbrot" => ($"{src}={common}", 5 + round * Frames / Rate),
            _ => ($"{src}={common}", round * Frames / Rate),
        };
    }

    /// <inheritdoc/>
    public string SourceOf(int index) => $"lavfi:{GraphOf(index).Graph}@{GraphOf(index).StartSeconds:0.##}s";

    /// <inheritdoc/>
    public Sample Get(int index, DataRng rng)
    {
        var (graph, start) = GraphOf(index);
        var (rgb, n) = VideoIO.ReadSyntheticRgb(graph, Size, Size, Frames, start, Timeout);
        if (n < Frames) throw new BadItemException(SourceOf(index), SkipReason.TooShort, $"rendered {n} of {Frames} frames");
        var pixels = Transform.ApplyClip(rgb, Frames, Size, Size, rng, out var plan);
        return new Sample(pixels, Frames, plan.OutHeight, plan.OutWidth, index % _sources.Length, SourceOf(index))
        {
            SourceHeight = Size,
            SourceWidth = Size,
            SourceFrames = Frames,
        };
    }
}
