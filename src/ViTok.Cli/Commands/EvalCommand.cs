using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ViTok.Data;
using ViTok.Evaluation;
using ViTok.IO;

namespace ViTok.Cli.Commands;

/// <summary><c>vitok eval --checkpoint M --data D [--n N] [--size S] [--frames T] [--metrics ...] [--json] [--out r.md]</c>:
/// the paper's reconstruction metrics over the first N items of a source (or, with <c>--generated</c>, the
/// distribution metrics between generated samples and the data).</summary>
public static class EvalCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = new ModelOptions();
        model.Checkpoint.Required = false;
        var source = new SourceOptions("test", workers: new EvalOptions().Workers);
        var n = CommonOptions.Count("Items (images or clips) to evaluate: the first N of the source.", new EvalOptions().Count, 1, "--n");
        var seed = CommonOptions.Seed("Seed of generated sources' content (moving-fashion-mnist, synthetic).");
        var metrics = new Option<string[]>("--metrics")
        {
            Description = $"Metrics to compute (comma or space separated): {string.Join(", ", EvalMetrics.All)}. Default: every metric whose weights are available.",
            AllowMultipleArgumentsPerToken = true,
        };
        var fid = new Option<string?>("--fid-weights") { Description = "pytorch-fid's pt_inception-2015-12-05-6726825d.pth: enables FID and the Inception Score." };
        var lpips = new Option<string?>("--lpips-weights") { Description = "Folder holding vgg16-397923af.pth and LPIPS's vgg.pth: enables LPIPS." };
        var i3d = new Option<string?>("--i3d") { Description = "StyleGAN-V's i3d_torchscript.pt: enables FVD for videos." };
        var generated = new Option<string?>("--generated") { Description = "Compare these generated samples with --data (gFID/gIS/gFVD) instead of reconstructing." };
        var batch = new Option<int>("--batch-size") { Description = "Items per reconstruction batch.", DefaultValueFactory = _ => new EvalOptions().BatchSize }.Range(1, 65536);
        var json = CommonOptions.Json("Print one JSON object (keys: the metrics, identical, n, items_per_second, gmacs, wall_seconds, family, variant, ...); numbers are numbers or null (psnr is null when identical > 0).");
        var output = CommonOptions.Output("Write a Markdown report here, with the best/worst grid PNG beside it (checked before the evaluation starts).", required: false);
        var overwrite = OutputOptions.Overwrite();
        var shard = new Option<string?>("--shard") { Description = "Evaluate only shard i of N (i/N, whole batches of the single run); needs --stats-out. Merge the N files with `vitok eval merge`." };
        var statsOut = new Option<string?>("--stats-out") { Description = "With --shard: write this shard's metric sums and Fréchet statistics here (JSON) for `vitok eval merge`." };
        var cmd = new Command("eval", "Reconstruction metrics of a tokenizer (PSNR, SSIM, FID/IS or fd_resnet18, LPIPS, perceptual_resnet18, FVD), " +
                                      "its throughput and GMACs, and a Markdown report.")
        {
            metrics, fid, lpips, i3d, generated, batch, json, overwrite, shard, statsOut,
        };
        cmd.Subcommands.Add(CreateMerge());
        source.AddTo(cmd);
        n.AddTo(cmd);
        seed.AddTo(cmd);
        output.AddTo(cmd);
        model.AddTo(cmd);
        cmd.SetAction(parse => CommandRunner.Run(() =>
        {
            string? checkpoint = parse.GetValue(model.Checkpoint), generatedPath = parse.GetValue(generated);
            if (checkpoint is null == generatedPath is null)
                throw new ViTokException("give either --checkpoint (reconstruction metrics) or --generated (generated samples vs --data).");
            int count = n.Get(parse);
            string? shardText = parse.GetValue(shard), stats = parse.GetValue(statsOut);
            var shardSpec = shardText is null ? ShardSpec.Whole : ShardSpec.Parse(shardText);
            if (shardText is not null && stats is null)
                throw new ViTokException("--shard needs --stats-out part_i.json: the shard's sums are what `vitok eval merge` combines.");
            if (stats is not null && shardText is null)
                throw new ViTokException("--stats-out goes with --shard i/N (one shard of a split evaluation).");
            if (shardText is not null && generatedPath is not null)
                throw new ViTokException("--shard: only reconstruction evaluations (--checkpoint) can be split; drop --shard with --generated.");
            if (stats is not null)
            {
                var statsFull = OutputPaths.RequireFile(stats, "--stats-out");
                new OverwriteGuard(parse.GetValue(overwrite)).Protect(checkpoint, "the checkpoint").Protect(source.Location(parse), "the data")
                    .Check(statsFull, EvalShard.IsOwnFile);
            }
            var options = new EvalOptions
            {
                Count = count,
                BatchSize = parse.GetValue(batch),
                Workers = parse.GetValue(source.Workers!),
                Metrics = parse.GetValue(metrics)?.SelectMany(m => m.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList(),
                FidWeights = parse.GetValue(fid),
                LpipsWeights = parse.GetValue(lpips),
                I3dWeights = parse.GetValue(i3d),
                Progress = Progress(),
                Shard = shardSpec,
            };
            // The report's place is checked before the evaluation: writable, not an input, not a file vitok did not write.
            string? report = output.Get(parse);
            if (report is not null) CheckReportPlace(report, source.Location(parse), generatedPath, checkpoint, parse.GetValue(overwrite));

            using var evaluator = new ReconstructionEvaluator(options);
            EvalResult result;
            if (checkpoint is not null)
            {
                using var ae = model.Load(parse);
                result = evaluator.Evaluate(ae, source.Open(parse, count, seed.Get(parse)));
            }
            else
            {
                var device = CommonOptions.ParseDevice(parse.GetValue(model.Device)!);
                result = evaluator.CompareSets(source.Open(parse, count, seed.Get(parse)), source.Open(parse, count, seed.Get(parse), location: generatedPath), device);
            }
            ProgressLine.End();

            if (stats is not null && result.ShardStats is { } part)
            {
                part.Write(stats);
                Console.Error.WriteLine($"shard {part.Shard}: {part.Items} items, sums written to {stats}");
            }
            return Finish(result, report, checkpoint, parse.GetValue(json));
        }));
        return cmd;
    }

    // `vitok eval merge part_*.json [--json]`: one evaluation's numbers from its shards' sums.
    private static Command CreateMerge()
    {
        var parts = new Argument<string[]>("parts") { Description = "The --stats-out files of every shard (part_*.json).", Arity = ArgumentArity.OneOrMore };
        var json = CommonOptions.Json("Print one JSON object, with the keys of `vitok eval --json`.");
        var cmd = new Command("merge", "Merge the --stats-out files of `vitok eval --shard i/N` into the numbers of one evaluation " +
                                       "(per-image means and Fréchet distances exactly as one run; no best/worst grid).") { parts, json };
        cmd.SetAction(parse => CommandRunner.Run(() =>
        {
            var paths = parse.GetValue(parts)!;
            var shards = paths.Select(EvalShard.Read).ToList();
            EvalShard.CheckComplete(shards, paths);
            var result = ReconstructionEvaluator.Merge(shards);
            return Finish(result, null, null, parse.GetValue(json));
        }));
        return cmd;
    }

    /// <summary>Writes the report (when <paramref name="report"/> is set) and prints the result (JSON or text) on
    /// stdout. A report that cannot be written after all does not lose the result: the result is printed first, then
    /// the error is thrown (exit 1 through <see cref="CommandRunner"/>), and a grid written for it is removed.</summary>
    /// <exception cref="ViTokException">The report could not be written; the message names its path.</exception>
    public static int Finish(EvalResult result, string? report, string? checkpoint, bool json)
    {
        string? grid = null;
        ViTokException? reportError = null;
        try
        {
            grid = report is null ? null : EvalReport.Write(result, report, checkpoint);
        }
        catch (ViTokException e)
        {
            reportError = e;
        }
        if (json)
            Console.WriteLine(JsonSerializer.Serialize(result.ToDictionary(), ViTok.IO.Json.Compact));
        else
            PrintText(result);
        if (reportError is not null) throw new ViTokException($"-o: the results above were computed, but {reportError.Message}", reportError);
        if (report is not null)
            Console.Error.WriteLine($"report: {report}" + (grid is null ? "" : $" (grid: {grid})"));
        return 0;
    }

    // --out: a writable file place; neither it nor its grid may replace the data, the checkpoint or a file vitok did not
    // write, nor land inside a data folder (where the grid PNG would become one of its images).
    private static void CheckReportPlace(string report, string data, string? generated, string? checkpoint, bool overwrite)
    {
        string full = OutputPaths.RequireFile(report, "-o");
        string grid = EvalReport.GridPathFor(full);
        var guard = new OverwriteGuard(overwrite).Protect(checkpoint, "the checkpoint");
        foreach (string? d in new[] { data, generated })
        {
            if (d is null || !(File.Exists(d) || Directory.Exists(d))) continue;
            guard.Protect(d, "the data");
            if (overwrite || !Directory.Exists(d)) continue;
            string folder = OutputPaths.Canonical(d) + Path.DirectorySeparatorChar;
            if (OutputPaths.Canonical(full).StartsWith(folder, StringComparison.Ordinal))
                throw new ViTokException($"-o {report}: inside the data folder {d}; the report and its grid PNG would become part of the data. " +
                                         "Write the report elsewhere (or pass --overwrite).");
        }
        guard.Check(full, EvalReport.IsOwnReport);
        guard.Check(grid, ImageIO.IsOwnPng);
    }

    // One carriage-returned progress line on stderr.
    private static Action<long, long> Progress() => (done, total) =>
        ProgressLine.Write($"{done}/{total} items");

    private static void PrintText(EvalResult r)
    {
        static string F(double? v) => v is double d ? d.ToString("G6", CultureInfo.InvariantCulture) : "-";
        string shape = r.Frames > 0 ? $"{r.Frames}-frame {r.Width}x{r.Height} clips" : $"{r.Width}x{r.Height} images";
        if (r.Variant is not null) Console.WriteLine($"model     {r.Family} {r.Variant}");
        Console.WriteLine($"data      {r.Data} ({r.Kind}): {r.Count} {shape}");
        foreach (var m in r.Metrics) Console.WriteLine($"{m.Key,-20} {F(m.Value),12}   {m.Description}");
        if (r.Variant is not null)
        {
            Console.WriteLine($"{"items_per_second",-20} {F(r.ItemsPerSecond),12}   reconstruct step only ({F(r.ReconstructSeconds)} s)");
            Console.WriteLine($"{"gmacs",-20} {F(r.Gmacs),12}   per item, encoder + decoder");
        }
        Console.WriteLine($"{"wall_seconds",-20} {F(r.WallSeconds),12}   loading, reconstruction and metrics");
        foreach (var note in r.Notes) Console.WriteLine($"note: {note}");
    }
}
