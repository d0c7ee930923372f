using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ViTok.Data;
using ViTok.IO;

namespace ViTok.Cli.Commands;

/// <summary><c>vitok data inspect|bench</c>: check a data source (counts, skipped files by reason, classes, sizes, a
/// contact sheet) and measure the loader's throughput.</summary>
public static class DataCommand
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>Builds the command with its two subcommands.</summary>
    public static Command Create()
    {
        var cmd = new Command("data", "Inspect data sources and benchmark the data loader.");
        cmd.Subcommands.Add(CreateInspect());
        cmd.Subcommands.Add(CreateBench());
        return cmd;
    }

    // The data-source options every command shares (the source as the path argument, no eval --size: here --size is
    // the output side), plus the counts, seed and output of `vitok data`.
    private sealed record DataOptions(SourceOptions Source, AliasedOption<int> Count, AliasedOption<long> Seed, Option<bool> AsJson)
    {
        public IDataSource Open(ParseResult parse, ImageTransform transform, ClipStart start) =>
            Source.Open(parse, Count.Get(parse), Seed.Get(parse), transform, start, noteIgnored: false);
    }

    private static DataOptions AddSourceOptions(Command cmd, int defaultWorkers)
    {
        var o = new DataOptions(
            new SourceOptions("train", asArgument: true, withSize: false, workers: defaultWorkers),
            CommonOptions.Count("Generated sources (moving-fashion-mnist, synthetic): number of clips (0 = default).", 0, 0),
            CommonOptions.Seed("Seed of shuffles, transforms and generated content."),
            CommonOptions.Json("Print JSON instead of text."));
        o.Source.AddTo(cmd);
        o.Count.AddTo(cmd);
        o.Seed.AddTo(cmd);
        cmd.Options.Add(o.AsJson);
        return o;
    }

    private static Command CreateInspect()
    {
        var cmd = new Command("inspect", "Count items, readable and skipped (by reason), classes and sizes; optionally write a contact sheet.");
        var o = AddSourceOptions(cmd, 2);
        var sheet = new Option<string?>("--sheet") { Description = "Write a contact sheet PNG of samples after the transforms." };
        var size = new Option<int>("--size") { Description = "Side of the contact sheet's samples.", DefaultValueFactory = _ => 128 }.Range(1, 4096);
        var eval = new Option<bool>("--eval") { Description = "Show the eval transform on the sheet instead of the training one." };
        var overwrite = OutputOptions.Overwrite();
        cmd.Options.Add(overwrite);
        cmd.Options.Add(sheet);
        cmd.Options.Add(size);
        cmd.Options.Add(eval);
        cmd.SetAction(parse => CommandRunner.Run(() =>
        {
            int s = parse.GetValue(size);
            if (s <= 0) throw new ViTokException($"--size must be positive (got {s}).");
            // Counting decodes at a small size so that huge images do not fill the prefetch queue.
            var source = o.Open(parse, ImageTransform.ForEval(32), ClipStart.Even);
            string? sheetPath = parse.GetValue(sheet);
            if (sheetPath is not null)
            {
                OutputPaths.RequireFile(sheetPath, "--sheet");
                new OverwriteGuard(parse.GetValue(overwrite)).Protect(o.Source.Location(parse), "the data").Check(sheetPath, ImageIO.IsOwnPng);
            }
            IDataSource? sheetSource = sheetPath is null ? null
                : o.Open(parse, parse.GetValue(eval) ? ImageTransform.ForEval(s) : ImageTransform.ForTraining(s), ClipStart.Random);
            var r = DataInspector.Inspect(source, parse.GetValue(o.Source.Workers!), sheetPath, sheetSource, seed: (ulong)o.Seed.Get(parse));
            if (parse.GetValue(o.AsJson)) Console.WriteLine(ToJson(r).ToJsonString(Json));
            else PrintText(r);
            if (r.Readable == 0)
            {
                Console.Error.WriteLine($"error: {r.Location}: no readable {r.Kind} item among {r.Items} ({Reasons(r.SkippedByReason)}).");
                return CommandRunner.UsageError;
            }
            return 0;
        }));
        return cmd;
    }

    private static Command CreateBench()
    {
        var cmd = new Command("bench", "Measure items per second through the whole pipeline (decode, transform, batch tensors).");
        var o = AddSourceOptions(cmd, 2);
        var size = new Option<int>("--size") { Description = "Output side (training transform).", DefaultValueFactory = _ => 256 }.Range(1, InfoCommand.MaxSide);
        var batch = new Option<int>("--batch-size") { Description = "Items per batch.", DefaultValueFactory = _ => 32 }.Range(1, 65536);
        var seconds = new Option<double>("--seconds") { Description = "How long to measure after the first batch.", DefaultValueFactory = _ => 10.0 }.Range(0.1, 86400);
        var shard = new Option<string>("--shard") { Description = "Read only shard i of N (i/N), as one of N processes would.", DefaultValueFactory = _ => "0/1" };
        cmd.Options.Add(shard);
        cmd.Options.Add(size);
        cmd.Options.Add(batch);
        cmd.Options.Add(seconds);
        cmd.SetAction(parse => CommandRunner.Run(() =>
        {
            int s = parse.GetValue(size);
            if (s <= 0) throw new ViTokException($"--size must be positive (got {s}).");
            var source = o.Open(parse, ImageTransform.ForTraining(s), ClipStart.Random);
            var options = new DataLoaderOptions
            {
                Workers = parse.GetValue(o.Source.Workers!),
                BatchSize = parse.GetValue(batch),
                Seed = (ulong)o.Seed.Get(parse),
                DropLast = true,
                Shard = ShardSpec.Parse(parse.GetValue(shard)!),
                Log = Console.Error,
            };
            var r = DataBench.Run(source, options, parse.GetValue(seconds));
            if (parse.GetValue(o.AsJson)) Console.WriteLine(JsonSerializer.Serialize(r, new JsonSerializerOptions(Json) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }));
            else
            {
                string shape = r.Frames > 0 ? $"{r.Frames}x{r.Size}x{r.Size}" : $"{r.Size}x{r.Size}";
                Console.WriteLine($"{r.Kind} {r.Location}");
                Console.WriteLine(FormattableString.Invariant(
                    $"{r.ItemsPerSecond:0.0} items/s at {shape}, {r.Workers} workers, batch {r.BatchSize} ({r.Items} items in {r.Batches} batches; first batch after {r.FirstBatchSeconds:0.00} s; overall {r.ItemsPerSecondOverall:0.0} items/s; skipped {r.Skipped})"));
            }
            return 0;
        }));
        return cmd;
    }

    private static JsonObject ToJson(InspectReport r)
    {
        static JsonNode? Stats(SizeStats? s) => s is null ? null : new JsonObject
        {
            ["min"] = s.Min, ["mean"] = s.Mean, ["median"] = s.Median, ["max"] = s.Max,
        };
        var byReason = new JsonObject();
        foreach (var (k, v) in r.SkippedByReason) byReason[k] = v;
        var perLabel = new JsonObject();
        foreach (var (k, v) in r.ItemsPerLabel) perLabel[k.ToString(CultureInfo.InvariantCulture)] = v;
        var files = new JsonArray();
        foreach (var e in r.SkippedFiles) files.Add(new JsonObject { ["source"] = e.Source, ["reason"] = e.ReasonKey, ["detail"] = e.Detail });
        return new JsonObject
        {
            ["kind"] = r.Kind,
            ["location"] = r.Location,
            ["items"] = r.Items,
            ["readable"] = r.Readable,
            ["skipped"] = r.Skipped,
            ["skipped_by_reason"] = byReason,
            ["classes"] = r.Classes,
            ["class_names"] = new JsonArray(r.ClassNames.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray()),
            ["items_per_label"] = perLabel,
            ["width"] = Stats(r.Width),
            ["height"] = Stats(r.Height),
            ["frames"] = Stats(r.Frames),
            ["skipped_files"] = files,
            ["ignored"] = r.Ignored.Count,
            ["ignored_files"] = new JsonArray(r.Ignored.Select(i => (JsonNode?)new JsonObject { ["path"] = i.Path, ["why"] = i.Why }).ToArray()),
            ["sheet"] = r.Sheet,
            ["seconds"] = r.Seconds,
        };
    }

    private static void PrintText(InspectReport r)
    {
        static string Stats(SizeStats? s) => s is null ? "-" : FormattableString.Invariant($"min {s.Min}, mean {s.Mean:0.#}, median {s.Median}, max {s.Max}");
        Console.WriteLine($"{r.Kind}: {r.Location}");
        Console.WriteLine($"items {r.Items}, readable {r.Readable}, skipped {r.Skipped}{(r.Skipped > 0 ? $" ({Reasons(r.SkippedByReason)})" : "")}");
        Console.WriteLine(r.Classes > 0
            ? $"classes {r.Classes}: {string.Join(", ", r.ClassNames.Take(12))}{(r.Classes > 12 ? ", …" : "")}"
            : "classes 0 (unlabelled)");
        Console.WriteLine($"width  {Stats(r.Width)}");
        Console.WriteLine($"height {Stats(r.Height)}");
        if (r.Frames is not null) Console.WriteLine($"frames {Stats(r.Frames)}");
        if (r.SkippedFiles.Count > 0)
        {
            Console.WriteLine("skipped:");
            foreach (var e in r.SkippedFiles) Console.WriteLine($"  {e.Source}: {e.ReasonKey}: {e.Detail}");
        }
        if (IgnoredFile.Summary(r.Ignored) is { } ignored)
        {
            Console.WriteLine(ignored);
            foreach (var i in r.Ignored.Take(50)) Console.WriteLine($"  {i.Path}: {i.Why}");
            if (r.Ignored.Count > 50) Console.WriteLine($"  … and {r.Ignored.Count - 50} more");
        }
        if (r.Sheet is not null) Console.WriteLine($"sheet: {r.Sheet}");
        Console.WriteLine(FormattableString.Invariant($"({r.Seconds:0.00} s)"));
    }

    private static string Reasons(IReadOnlyDictionary<string, int> byReason) =>
        byReason.Count == 0 ? "none skipped" : string.Join(", ", byReason.Select(kv => $"{kv.Key} {kv.Value}"));
}
