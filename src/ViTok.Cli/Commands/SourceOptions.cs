using System.CommandLine;
using ViTok.Data;

namespace ViTok.Cli.Commands;

/// <summary>The options that name and prepare a data source for the generation commands: <c>--data</c>, <c>--kind</c>,
/// <c>--size</c> (eval resize + centre crop), <c>--frames</c>, <c>--frame-stride</c>, <c>--fps</c>, <c>--split</c>
/// (old <c>--test</c>). The command's <c>--seed</c> and <c>--count</c> seed and size generated sources.</summary>
public sealed class SourceOptions
{
    /// <summary><c>--data</c>.</summary>
    public Option<string> Data { get; } = NewData();

    /// <summary><c>--kind</c>.</summary>
    public Option<string?> Kind { get; } = new("--kind") { Description = $"Source kind: {string.Join("|", DataSources.Kinds)} (default: detect from the path)." };

    /// <summary><c>--size</c>.</summary>
    public Option<int> Size { get; } = new Option<int>("--size") { Description = "Resize the short side to S and centre-crop S×S (0 = native size).", DefaultValueFactory = _ => 0 }.Range(0, 16384);

    /// <summary><c>--frames</c>.</summary>
    public Option<int> Frames { get; } = new Option<int>("--frames") { Description = "Frames per clip for video sources.", DefaultValueFactory = _ => 16 }.Range(1, 4096);

    /// <summary><c>--frame-stride</c>.</summary>
    public Option<int> FrameStride { get; } = new Option<int>("--frame-stride") { Description = "Take every n-th video frame.", DefaultValueFactory = _ => 1 }.Range(1, 10000);

    /// <summary><c>--fps</c>.</summary>
    public Option<double?> Fps { get; } = new Option<double?>("--fps") { Description = "Resample videos to this frame rate instead of striding." }.Range(0.01, 1000);

    /// <summary><c>--split</c> (old <c>--test</c>).</summary>
    public SplitOption Split { get; } = new("train");

    /// <summary>Adds the options to a command.</summary>
    public void AddTo(Command cmd)
    {
        foreach (var o in new Option[] { Data, Kind, Size, Frames, FrameStride, Fps }) cmd.Options.Add(o);
        Split.AddTo(cmd);
    }

    /// <summary>Opens the source the parsed options name (clips start at the first frame: encodings are deterministic).</summary>
    /// <param name="parse">The parse.</param>
    /// <param name="count">Generated sources: how many items to generate (0 = their default).</param>
    /// <param name="seed">Generated sources: the seed of their content.</param>
    public IDataSource Open(ParseResult parse, int count, long seed)
    {
        int size = parse.GetValue(Size);
        var source = DataSources.Open(parse.GetValue(Data)!, new DataSourceOptions
        {
            Kind = parse.GetValue(Kind),
            Transform = size > 0 ? ImageTransform.ForEval(size) : ImageTransform.None,
            Clip = new ClipOptions { Frames = parse.GetValue(Frames), FrameStride = parse.GetValue(FrameStride), Fps = parse.GetValue(Fps), Start = ClipStart.Even },
            TestSplit = Split.IsTest(parse),
            Count = count,
            Seed = (ulong)seed,
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

    private static Option<string> NewData()
    {
        var o = new Option<string>("--data") { Description = "Folder, file list, video, tar shard(s); or fashion-mnist, moving-fashion-mnist, synthetic.", Required = true };
        o.Validators.Add(r => { if (r.Tokens.Count > 0 && string.IsNullOrWhiteSpace(r.Tokens[0].Value)) r.AddError("--data: the value is empty; name a folder, file list, video, tar shard or a built-in source"); });
        return o;
    }
}
