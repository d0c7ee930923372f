using System.CommandLine;
using ViTok.Data;

namespace ViTok.Cli.Commands;

/// <summary>The one set of options that name and prepare a data source, shared by every command that reads one
/// (<c>eval</c>, <c>eval-gen</c>, <c>encode-dataset</c>, <c>data inspect</c>, <c>data bench</c>): the source
/// (<c>--data</c>, or the <c>path</c> argument of <c>vitok data</c>), <c>--kind</c>, <c>--size</c> (eval resize +
/// centre crop; left out where a command's <c>--size</c> means something else), <c>--frames</c>,
/// <c>--frame-stride</c>, <c>--fps</c>, <c>--split</c> (old <c>--test</c>) and, where the command decodes in
/// parallel, <c>--workers</c>. The command's <c>--seed</c> and <c>--count</c> seed and size generated sources.</summary>
public sealed class SourceOptions
{
    /// <summary>The options of a command.</summary>
    /// <param name="defaultSplit">Default of <c>--split</c> ("train" or "test").</param>
    /// <param name="asArgument">Name the source with a <c>path</c> argument instead of <c>--data</c>.</param>
    /// <param name="withSize">Add <c>--size</c> (the eval transform).</param>
    /// <param name="workers">Default of <c>--workers</c>; null leaves the option out.</param>
    public SourceOptions(string defaultSplit = "train", bool asArgument = false, bool withSize = true, int? workers = null)
    {
        Split = new SplitOption(defaultSplit);
        if (asArgument)
        {
            Path = new Argument<string>("path") { Description = "Folder, file list, video, tar shard(s); 'fashion-mnist', 'moving-fashion-mnist' or 'synthetic' for built-in sources." };
            Path.Validators.Add(r => { if (r.Tokens.Count > 0 && string.IsNullOrWhiteSpace(r.Tokens[0].Value)) r.AddError("path: the value is empty; name a folder, file list, video, tar shard or a built-in source"); });
        }
        else
        {
            Data = new Option<string>("--data") { Description = "Folder, file list, video, tar shard(s); or fashion-mnist, moving-fashion-mnist, synthetic.", Required = true };
            Data.Validators.Add(r => { if (r.Tokens.Count > 0 && string.IsNullOrWhiteSpace(r.Tokens[0].Value)) r.AddError("--data: the value is empty; name a folder, file list, video, tar shard or a built-in source"); });
        }
        if (withSize)
            Size = new Option<int>("--size") { Description = $"Eval transform: resize the short side to S and centre-crop S×S (0 = native size; at most {InfoCommand.MaxSide}).", DefaultValueFactory = _ => 0 }.Range(0, InfoCommand.MaxSide);
        if (workers is int w)
            Workers = new Option<int>("--workers") { Description = "Decoding threads (0 = decode on the calling thread).", DefaultValueFactory = _ => w }.Range(0, 256);
    }

    /// <summary><c>--data</c>; null where the source is the <see cref="Path"/> argument.</summary>
    public Option<string>? Data { get; }

    /// <summary>The <c>path</c> argument; null where the source is <see cref="Data"/>.</summary>
    public Argument<string>? Path { get; }

    public Option<string?> Kind { get; } = new("--kind") { Description = $"Source kind: {string.Join("|", DataSources.Kinds)} (default: detect from the path)." };

    /// <summary><c>--size</c>, the eval transform; null where the command leaves it out.</summary>
    public Option<int>? Size { get; }

    public Option<int> Frames { get; } = new Option<int>("--frames") { Description = "Frames per clip T for video sources.", DefaultValueFactory = _ => 16 }.Range(1, 4096);

    public Option<int> FrameStride { get; } = new Option<int>("--frame-stride") { Description = "Take every n-th video frame.", DefaultValueFactory = _ => 1 }.Range(1, 10000);

    public Option<double?> Fps { get; } = new Option<double?>("--fps") { Description = "Resample videos to this frame rate instead of striding." }.Range(0.01, 1000);

    /// <summary><c>--split</c> (old <c>--test</c>).</summary>
    public SplitOption Split { get; }

    /// <summary><c>--workers</c>; null where the command leaves it out.</summary>
    public Option<int>? Workers { get; }

    /// <summary>Adds the options to a command.</summary>
    public void AddTo(Command cmd)
    {
        if (Path is not null) cmd.Arguments.Add(Path);
        foreach (var o in new Option?[] { Data, Kind, Size, Frames, FrameStride, Fps }) if (o is not null) cmd.Options.Add(o);
        Split.AddTo(cmd);
        if (Workers is not null) cmd.Options.Add(Workers);
    }

    /// <summary>The source as given (<c>--data</c> or <c>path</c>).</summary>
    public string Location(ParseResult parse) => (Path is not null ? parse.GetValue(Path) : parse.GetValue(Data!))!;

    /// <summary>Opens the source the parsed options name. Files the source does not take are named on stderr unless
    /// <paramref name="noteIgnored"/> is false (a command that reports them itself).</summary>
    /// <param name="parse">The parse.</param>
    /// <param name="count">Generated sources: how many items to generate (0 = their default).</param>
    /// <param name="seed">Generated sources: the seed of their content.</param>
    /// <param name="transform">The transform; null = the eval transform of <c>--size</c>.</param>
    /// <param name="start">Where clips start (default: evenly, so that encodings are deterministic).</param>
    /// <param name="noteIgnored">Name the files the source does not take on stderr.</param>
    /// <param name="location">Another source to open with the same options (e.g. <c>eval --generated</c>'s samples);
    /// null = the one the options name.</param>
    /// <exception cref="ViTokException">The source cannot be opened; the message names it and the fix.</exception>
    public IDataSource Open(ParseResult parse, int count, long seed, ImageTransform? transform = null, ClipStart start = ClipStart.Even, bool noteIgnored = true,
        string? location = null)
    {
        int size = Size is null ? 0 : parse.GetValue(Size);
        var source = DataSources.Open(location ?? Location(parse), new DataSourceOptions
        {
            Kind = parse.GetValue(Kind),
            Transform = transform ?? (size > 0 ? ImageTransform.ForEval(size) : ImageTransform.None),
            Clip = new ClipOptions { Frames = parse.GetValue(Frames), FrameStride = parse.GetValue(FrameStride), Fps = parse.GetValue(Fps), Start = start },
            TestSplit = Split.IsTest(parse),
            Count = count,
            Seed = (ulong)seed,
        });
        // Files the source does not take are counted and named, never dropped silently.
        if (noteIgnored && IgnoredFile.Summary(source.Ignored) is { } ignored)
            Console.Error.WriteLine($"note: {source.Location}: {ignored} ({string.Join("; ", source.Ignored.Take(3).Select(i => $"{System.IO.Path.GetFileName(i.Path)}: {i.Why}"))}{(source.Ignored.Count > 3 ? "; …" : "")}); `vitok data inspect` lists them all.");
        return source;
    }

    /// <summary>A description of the transform, stored with the latents.</summary>
    public string Describe(ParseResult parse)
    {
        int size = Size is null ? 0 : parse.GetValue(Size);
        return size > 0 ? $"short side to {size} (bilinear, antialiased) + centre crop {size}x{size}" : "none";
    }
}
