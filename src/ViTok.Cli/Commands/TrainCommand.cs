using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using ViTok.Losses;
using ViTok.Training;

namespace ViTok.Cli.Commands;

/// <summary><c>vitok train</c>: trains an auto-encoder (stage 1 or 2) into a run folder, or resumes one. Its help
/// lists every config key with its default, generated from <see cref="TrainConfig"/>.</summary>
public static class TrainCommand
{
    /// <summary>Where example configs are (shown in help).</summary>
    public const string Examples = "Examples (in the repository's configs/): tiny.json (CPU-sized stage 1 on Fashion-MNIST), demo-stage2.json (stage 2 with the GAN).\n" +
                                   "Own images: vitok train --config configs/tiny.json --set data=photos/ --set image_size=64 -o runs/mine";

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "Run config (JSON, snake_case keys; the keys are listed above)." };
        var set = new Option<string[]>("--set") { Description = "Override a config key: --set steps=200 --set loss.kl_weight=0.", AllowMultipleArgumentsPerToken = false, DefaultValueFactory = _ => [] };
        var output = CommonOptions.Output("Run folder for a new run (e.g. runs/NAME).", required: false);
        var resume = new Option<string?>("--resume") { Description = "Resume the run in this folder from its newest checkpoint." };
        var seed = CommonOptions.SeedOverride();
        var device = CommonOptions.DeviceOverride();
        var dtype = CommonOptions.DTypeOverride();
        var json = CommonOptions.TrainingJson();
        var distributed = new DistributedOption();
        var cmd = new Command("train", "Train a tokenizer (paper recipe, stage 1 or 2) or resume a run.\n\n" + ConfigHelp.Block<TrainConfig>(Examples))
        {
            config, set, resume, seed, device, dtype, json, distributed.Option,
        };
        output.AddTo(cmd);
        cmd.SetAction(parse => CommandRunner.Run(() =>
        {
            string? resumeDir = parse.GetValue(resume), outDir = output.Get(parse);
            var overrides = (parse.GetValue(set) ?? []).ToList();
            if (parse.GetValue(seed) is long s) overrides.Add("seed=" + s.ToString(CultureInfo.InvariantCulture));
            if (parse.GetValue(device) is string d) overrides.Add("device=" + d);
            if (parse.GetValue(dtype) is string t) overrides.Add("dtype=" + t);
            if ((resumeDir is null) == (outDir is null))
                throw new ViTokException("give either -o/--output runs/NAME (a new run) or --resume runs/NAME (continue one).");
            bool asJson = parse.GetValue(json);
            var (sync, mpi) = DistributedOption.Start(parse.GetValue(distributed.Option)!);
            bool leader = sync.Rank == 0;
            var log = leader ? JsonOut.Log(asJson) : null;
            int exit;
            using (var trainer = resumeDir is null
                       ? AutoencoderTrainer.Create(TrainConfigLoader.Load(parse.GetValue(config), [.. overrides]), outDir!, Data, Perceptual, log, sync)
                       : AutoencoderTrainer.Resume(resumeDir, [.. overrides], Data, Perceptual, log, sync))
            {
                exit = TrainingConsole.Run(trainer, asJson, quiet: !leader);
                if (leader && asJson) JsonOut.Print(Summary(trainer.Run, trainer.Step, trainer.Config.Steps));
                else if (leader) Console.WriteLine($"run folder: {trainer.Run.Root} (model.safetensors, checkpoints/, samples/, metrics.jsonl, loss.png, log.txt)");
            }
            DistributedOption.Finish(mpi);
            return exit;
        }));
        return cmd;
    }

    /// <summary>The <c>--json</c> object of the training commands.</summary>
    internal static JsonObject Summary(RunDirectory run, int step, int steps)
    {
        string curve = Path.Combine(run.Root, ViTok.Plots.LossCurve.FileName);
        return new JsonObject
        {
            ["run_folder"] = Path.GetFullPath(run.Root),
            ["model"] = File.Exists(run.ModelPath) ? Path.GetFullPath(run.ModelPath) : null,
            ["step"] = step,
            ["steps"] = steps,
            ["metrics"] = Path.GetFullPath(run.MetricsPath),
            ["loss_curve"] = File.Exists(curve) ? Path.GetFullPath(curve) : null,
        };
    }

    internal static ITrainingData Data(TrainConfig c) => LoaderTrainingData.Open(c, Console.Error);

    internal static IPerceptualDistance? Perceptual(TrainConfig c) =>
        PerceptualLosses.Create(c.Loss.Perceptual, c.Loss.PerceptualWeight, c.Loss.LpipsWeights, c.InputSize, new Device(c.Device));
}
