using System.CommandLine;
using ViTok.Data;

namespace ViTok.Cli.Commands;

/// <summary>The options that name and prepare a data source for the generation commands: <c>--data</c>, <c>--kind</c>,
/// <c>--size</c> (eval resize + centre crop), <c>--frames</c>, <c>--frame-stride</c>, <c>--fps</c>, <c>--test</c>,
/// <c>--count</c>, <c>--data-seed</c>.</summary>
public sealed class SourceOptions
{
    /// <summary><c>--data</c>.</summary>
    public Option<string> Data { get; } = new("--data") { Description = "Folder, file list, video, tar shard(s); or fashion-mnist, moving-fashion-mnist, synthetic.", Required = true };

    /// <summary><c>--kind</c>.</summary>
    public Option<string?> Kind { get; } = new("--kind") { Description = $"Source kind: {string.Join("|", DataSources.Kinds)} (default: detect from the path)." };

    /// <summary><c>--size</c>.</summary>
    public Option<int> Size { get; } = new("--size") { Description = "Resize the short side to S and centre-crop S×S (0 = native size).", DefaultValueFactory = _ => 0 };

    /// <summary><c>--frames</c>.</summary>
    public Option<int> Frames { get; } = new("--frames") { Description = "Frames per clip for video sources.", DefaultValueFactory = _ => 16 };

    /// <summary><c>--frame-stride</c>.</summary>
    public Option<int> FrameStride { get; } = new("--frame-stride") { Description = "Take every n-th video frame.", DefaultValueFactory = _ => 1 };

    /// <summary><c>--fps</c>.</summary>
    public Option<double?> Fps { get; } = new("--fps") { Description = "Resample videos to this frame rate instead of striding." };

    /// <summary><c>--test</c>.</summary>
    public Option<bool> Test { get; } = new("--test") { Description = "Fashion-MNIST: the 10k test split." };

    /// <summary><c>--count</c>.</summary>
    public Option<int> Count { get; } = new("--count") { Description = "Generated sources (moving-fashion-mnist, synthetic): number of clips (0 = default).", DefaultValueFactory = _ => 0 };

    /// <summary><c>--data-seed</c>.</summary>
    public Option<ulong> Seed { get; } = new("--data-seed") { Description = "Seed of generated sources' content.", DefaultValueFactory = _ => 0UL };

    /// <summary>Adds the options to a command.</summary>
    public void AddTo(Command cmd)
    {
        foreach (var o in new Option[] { Data, Kind, Size, Frames, FrameStride, Fps, Test, Count, Seed }) cmd.Options.Add(o);
    }

    /// <summary>Opens the source the parsed options name (clips start at the first frame: encodings are deterministic).</summary>
    public IDataSource Open(ParseResult parse)
    {
        int size = parse.GetValue(Size);
        if (size < 0) throw new ViTokException($"--size must be 0 or positive (got {size}).");
        var source = DataSources.Open(parse.GetValue(Data)!, new DataSourceOptions
        {
            Kind = parse.GetValue(Kind),
            Transform = size > 0 ? ImageTransform.ForEval(size) : ImageTransform.None,
            Clip = new ClipOptions { Frames = parse.GetValue(Frames), FrameStride = parse.GetValue(FrameStride), Fps = parse.GetValue(Fps), Start = ClipStart.Even },
            TestSplit = parse.GetValue(Test),
            Count = parse.GetValue(Count),
            Seed = parse.GetValue(Seed),
        });
        // Files the source does not take are counted and named, never dropped silently.
        if (IgnoredFile.Summary(source.Ignored) is { } ignored)
            Console.Error.WriteLine($"note: {source.Location}: {ignored} ({string.Join("; ", source.Ignored.Take(3).Select(i => $"{Path.GetFileName(i.Path)}: {i.Why}"))}{(source.Ignored.Count > 3 ? "; …" : "")}); `vitok data inspect` lists them all.");
        return source;
    }

    /// <summary>A description of the transform, stored with the latents.</summary>
    public string Describe(ParseResult parse)
    {
        int size = parse.GetValue(Size);
        return size > 0 ? $"short side to {size} (bilinear, antialiased) + centre crop {size}x{size}" : "none";
    }
}
