using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using ViTok.Training;
using ViTok.Demos;

namespace ViTok.Cli.Commands;

/// <summary><c>vitok demo</c>: the README's main job (see <see cref="TokenizerDemo"/>), bounded in time as a whole.</summary>
public static class DemoCommand
{
    /// <summary>The default of <c>--generate-minutes</c> (the README's table states it).</summary>
    public const double DefaultGenerateMinutes = 20;

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var defaults = new DemoOptions();
        var minutes = new Option<double>("--minutes")
        {
            Description = $"Time for the whole demo in minutes (calibration, training, test-set evaluation, report; it aims to end within the budget, plus process start-up), 0.25 to 1440.",
            DefaultValueFactory = _ => defaults.Minutes,
        }.Range(0.25, 1440);
        var output = CommonOptions.Output("Output folder.", required: false, defaultValue: defaults.Out);
        var data = new Option<string>("--data") { Description = "Fashion-MNIST folder (apt-get install dataset-fashion-mnist).", DefaultValueFactory = _ => defaults.Data };
        var seed = CommonOptions.Seed("Seed.", defaults.Seed);
        var count = CommonOptions.Count($"At most this many test images are evaluated (as many as fit the budget, up to {defaults.EvalItems}).", defaults.EvalItems, 10, 10_000, "--n");
        var generate = new Option<bool>("--generate") { Description = "Then encode the training set, train a small class-conditional DiT on the latents and write generation.json and a 10×8 sample grid (not counted in --minutes)." };
        var genMinutes = new Option<double>("--generate-minutes") { Description = "DiT training time in minutes (with --generate).", DefaultValueFactory = _ => DefaultGenerateMinutes }.Range(0.1, 1440);
        var json = CommonOptions.Json("Print one JSON object: the keys of metrics.json (psnr, ssim, steps, eval_items, baselines, under_trained, ...), output, wall_seconds and, with --generate, generation.");
        var cmd = new Command("demo", "Train a small ViTok on Fashion-MNIST on the CPU within --minutes, evaluate it against bicubic at the same floats, write recon.png, report.md, metrics.json.")
        {
            minutes, data, generate, genMinutes, json,
        };
        output.AddTo(cmd);
        seed.AddTo(cmd);
        count.AddTo(cmd);
        cmd.SetAction(parse => CommandRunner.Run(() =>
        {
            var wall = System.Diagnostics.Stopwatch.StartNew();
            bool asJson = parse.GetValue(json);
            var log = JsonOut.Log(asJson);
            var o = defaults with { Minutes = parse.GetValue(minutes), Out = output.Get(parse)!, Data = parse.GetValue(data)!, Seed = seed.Get(parse), EvalItems = count.Get(parse) };
            if (!Directory.Exists(o.Data))
                throw new ViTokException($"{o.Data}: Fashion-MNIST not found. Install it with `sudo apt-get install dataset-fashion-mnist`, or pass --data <folder with the IDX files>.");
            var r = TokenizerDemo.Run(o, t => TrainingConsole.Run(t, asJson), log);
            var inv = CultureInfo.InvariantCulture;
            log(string.Format(inv, "test set ({0} images): ViTok PSNR {1:F2} dB, SSIM {2:F4} with {3} floats/image; bicubic RGB ({4} floats) {5:F2} dB, {6:F4}; bicubic grey ({7} floats) {8:F2} dB, {9:F4}",
                r.EvalItems, r.Psnr, r.Ssim, r.LatentFloats, r.BaselineBicubicFloats, r.BaselineBicubicPsnr, r.BaselineBicubicSsim, r.BaselineBicubicGreyFloats, r.BaselineBicubicGreyPsnr, r.BaselineBicubicGreySsim));
            log(r.Verdict);
            string dir = Path.GetFullPath(o.Out);
            log($"wrote {Path.Combine(dir, "recon.png")}, {Path.Combine(dir, "report.md")}, {Path.Combine(dir, "metrics.json")} (tokenizer: {Path.Combine(dir, "model.safetensors")})");
            var result = TokenizerDemo.MetricsJson(r);
            result["output"] = dir;
            if (parse.GetValue(generate))
            {
                var g = ViTok.Demos.GenerationDemo.Run(Path.Combine(dir, "model.safetensors"), Path.Combine(dir, "generation"), parse.GetValue(genMinutes), null, log);
                log(string.Format(inv, "{0}: model {1:F3}, noise {2:F3}, real latents {3:F3} → gap ratio {4:F3} (target < 0.25); grid {5}",
                    g.Metric, g.FdModel, g.FdNoise, g.FdRealLatents, g.GapRatio, g.Grid));
                result["generation"] = System.Text.Json.JsonSerializer.SerializeToNode(g, ViTok.IO.Json.Options);
            }
            result["wall_seconds"] = Math.Round(wall.Elapsed.TotalSeconds, 1);
            if (asJson) JsonOut.Print(result);
            return 0;
        }));
        return cmd;
    }
}
