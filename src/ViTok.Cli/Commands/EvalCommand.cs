using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ViTok.Data;
using ViTok.Evaluation;

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
        var data = new Option<string>("--data") { Description = "Data: a folder of images or videos, a file list, tar shards, or fashion-mnist / moving-fashion-mnist / synthetic.", Required = true };
        var kind = new Option<string?>("--kind") { Description = $"Source kind: {string.Join("|", DataSources.Kinds)} (default: detect from the path)." };
        var n = new Option<int>("--n") { Description = "Items (images or clips) to evaluate: the first N of the source.", DefaultValueFactory = _ => new EvalOptions().Count };
        var size = new Option<int>("--size") { Description = "Eval transform: resize the short side to S and centre-crop S×S (0 = native size).", DefaultValueFactory = _ => 0 };
        var frames = new Option<int>("--frames") { Description = "Frames per clip T for video sources.", DefaultValueFactory = _ => 16 };
        var split = new Option<string>("--split") { Description = "Fashion-MNIST split: test (10k) or train (60k).", DefaultValueFactory = _ => "test" };
        var metrics = new Option<string[]>("--metrics")
        {
            Description = $"Metrics to compute (comma or space separated): {string.Join(", ", EvalMetrics.All)}. Default: every metric whose weights are available.",
            AllowMultipleArgumentsPerToken = true,
        };
        var fid = new Option<string?>("--fid-weights") { Description = "pytorch-fid's pt_inception-2015-12-05-6726825d.pth: enables FID and the Inception Score." };
        var lpips = new Option<string?>("--lpips-weights") { Description = "Folder holding vgg16-397923af.pth and LPIPS's vgg.pth: enables LPIPS." };
        var i3d = new Option<string?>("--i3d") { Description = "StyleGAN-V's i3d_torchscript.pt: enables FVD for videos." };
        var generated = new Option<string?>("--generated") { Description = "Compare these generated samples with --data (gFID/gIS/gFVD) instead of reconstructing." };
        var batch = new Option<int>("--batch-size") { Description = "Items per reconstruction batch.", DefaultValueFactory = _ => new EvalOptions().BatchSize };
        var workers = new Option<int>("--workers") { Description = "Data decoding threads.", DefaultValueFactory = _ => new EvalOptions().Workers };
        var json = new Option<bool>("--json") { Description = "Print one JSON object (keys: the metrics, n, items_per_second, gmacs, wall_seconds, family, variant, ...)." };
        var output = new Option<string?>("--out") { Description = "Write a Markdown report here, with the best/worst grid PNG beside it." };
        var cmd = new Command("eval", "Reconstruction metrics of a tokenizer (PSNR, SSIM, FID/IS or fd_resnet18, LPIPS, perceptual_resnet18, FVD), " +
                                      "its throughput and GMACs, and a Markdown report.")
        {
            data, kind, n, size, frames, split, metrics, fid, lpips, i3d, generated, batch, workers, json, output,
        };
        model.AddTo(cmd);
        cmd.SetAction(parse => CommandRunner.Run(() =>
        {
            string? checkpoint = parse.GetValue(model.Checkpoint), generatedPath = parse.GetValue(generated);
            if (checkpoint is null == generatedPath is null)
                throw new ViTokException("give either --checkpoint (reconstruction metrics) or --generated (generated samples vs --data).");
            int s = parse.GetValue(size), t = parse.GetValue(frames), count = parse.GetValue(n);
            if (s < 0) throw new ViTokException($"--size must be 0 (native) or positive (got {s}).");
            if (t < 1) throw new ViTokException($"--frames must be positive (got {t}).");
            string splitName = parse.GetValue(split)!;
            if (splitName is not ("test" or "train")) throw new ViTokException($"--split '{splitName}': expected test or train.");
            var options = new EvalOptions
            {
                Count = count,
                BatchSize = parse.GetValue(batch),
                Workers = parse.GetValue(workers),
                Metrics = parse.GetValue(metrics)?.SelectMany(m => m.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList(),
                FidWeights = parse.GetValue(fid),
                LpipsWeights = parse.GetValue(lpips),
                I3dWeights = parse.GetValue(i3d),
                Progress = Progress(),
            };
            IDataSource Open(string path)
            {
                var source = DataSources.Open(path, new DataSourceOptions
                {
                    Kind = parse.GetValue(kind),
                    Transform = s > 0 ? ImageTransform.ForEval(s) : ImageTransform.None,
                    Clip = new ClipOptions { Frames = t, Start = ClipStart.Even },
                    TestSplit = splitName == "test",
                    Count = count,
                });
                // Files the source does not take are counted and named, never dropped silently.
                if (IgnoredFile.Summary(source.Ignored) is { } ignored)
                    Console.Error.WriteLine($"note: {source.Location}: {ignored}; `vitok data inspect` lists them.");
                return source;
            }

            using var evaluator = new ReconstructionEvaluator(options);
            EvalResult result;
            if (checkpoint is not null)
            {
                using var ae = model.Load(parse);
                result = evaluator.Evaluate(ae, Open(parse.GetValue(data)!));
            }
            else
            {
                var device = CommonOptions.ParseDevice(parse.GetValue(model.Device)!);
                result = evaluator.CompareSets(Open(parse.GetValue(data)!), Open(generatedPath!), device);
            }
            Console.Error.WriteLine();

            string? report = parse.GetValue(output);
            string? grid = report is null ? null : EvalReport.Write(result, report, checkpoint);
            if (parse.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(result.ToDictionary(), ViTok.IO.Json.Compact));
            else
                PrintText(result);
            if (report is not null)
                Console.Error.WriteLine($"report: {report}" + (grid is null ? "" : $" (grid: {grid})"));
            return 0;
        }));
        return cmd;
    }

    // One carriage-returned progress line on stderr.
    private static Action<long, long> Progress() => (done, total) =>
        Console.Error.Write($"\r{done}/{total} items");

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
