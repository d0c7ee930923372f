using System.CommandLine;
using System.Globalization;
using ViTok.Training;

namespace ViTok.Cli.Commands;

/// <summary><c>vitok demo</c>: the README's main job (see <see cref="TokenizerDemo"/>).</summary>
public static class DemoCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var defaults = new DemoOptions();
        var minutes = new Option<double>("--minutes") { Description = "Training time in minutes (the evaluation on the 10k test images follows).", DefaultValueFactory = _ => defaults.Minutes };
        var output = new Option<string>("--out") { Description = "Output folder.", DefaultValueFactory = _ => defaults.Out };
        var data = new Option<string>("--data") { Description = "Fashion-MNIST folder (apt-get install dataset-fashion-mnist).", DefaultValueFactory = _ => defaults.Data };
        var seed = new Option<long>("--seed") { Description = "Seed.", DefaultValueFactory = _ => defaults.Seed };
        var generate = new Option<bool>("--generate") { Description = "Then encode the training set, train a small class-conditional DiT on the latents and write generation.json and a 10×8 sample grid." };
        var genMinutes = new Option<double>("--generate-minutes") { Description = "DiT training time in minutes (with --generate).", DefaultValueFactory = _ => 20.0 };
        var cmd = new Command("demo", "Train a small ViTok on Fashion-MNIST on the CPU, evaluate it against bicubic at the same floats, write recon.png, report.md, metrics.json.")
        {
            minutes, output, data, seed, generate, genMinutes,
        };
        cmd.SetAction(parse => CommandRunner.Run(() =>
        {
            var o = defaults with { Minutes = parse.GetValue(minutes), Out = parse.GetValue(output)!, Data = parse.GetValue(data)!, Seed = parse.GetValue(seed) };
            if (!Directory.Exists(o.Data))
                throw new ViTokException($"{o.Data}: Fashion-MNIST not found. Install it with `sudo apt-get install dataset-fashion-mnist`, or pass --data <folder with the IDX files>.");
            var r = TokenizerDemo.Run(o, t => TrainingConsole.Run(t), Console.WriteLine);
            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Format(inv, "test set ({0} images): ViTok PSNR {1:F2} dB, SSIM {2:F4} with {3} floats/image; bicubic RGB ({4} floats) {5:F2} dB, {6:F4}; bicubic grey ({7} floats) {8:F2} dB, {9:F4}",
                r.EvalItems, r.Psnr, r.Ssim, r.LatentFloats, r.BaselineBicubicFloats, r.BaselineBicubicPsnr, r.BaselineBicubicSsim, r.BaselineBicubicGreyFloats, r.BaselineBicubicGreyPsnr, r.BaselineBicubicGreySsim));
            string dir = Path.GetFullPath(o.Out);
            Console.WriteLine($"wrote {Path.Combine(dir, "recon.png")}, {Path.Combine(dir, "report.md")}, {Path.Combine(dir, "metrics.json")} (tokenizer: {Path.Combine(dir, "model.safetensors")})");
            if (parse.GetValue(generate))
            {
                var g = ViTok.Generation.GenerationDemo.Run(Path.Combine(dir, "model.safetensors"), Path.Combine(dir, "generation"), parse.GetValue(genMinutes), null, Console.WriteLine);
                Console.WriteLine(string.Format(inv, "{0}: model {1:F3}, noise {2:F3}, real latents {3:F3} → gap ratio {4:F3} (target < 0.25); grid {5}",
                    g.Metric, g.FdModel, g.FdNoise, g.FdRealLatents, g.GapRatio, g.Grid));
            }
            return 0;
        }));
        return cmd;
    }
}
