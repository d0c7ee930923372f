using System.CommandLine;
using ViTok.Losses;
using ViTok.Training;

namespace ViTok.Cli.Commands;

/// <summary><c>vitok train</c>: trains an auto-encoder (stage 1 or 2) into a run folder, or resumes one.</summary>
public static class TrainCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "Run config (JSON, snake_case keys)." };
        var set = new Option<string[]>("--set") { Description = "Override a config key: --set steps=200 --set loss.kl_weight=0.", AllowMultipleArgumentsPerToken = false, DefaultValueFactory = _ => [] };
        var output = new Option<string?>("--out") { Description = "Run folder for a new run (e.g. runs/NAME)." };
        var resume = new Option<string?>("--resume") { Description = "Resume the run in this folder from its newest checkpoint." };
        var cmd = new Command("train", "Train a tokenizer (paper recipe, stage 1 or 2) or resume a run.") { config, set, output, resume };
        cmd.SetAction(parse => CommandRunner.Run(() =>
        {
            string? resumeDir = parse.GetValue(resume), outDir = parse.GetValue(output);
            string[] overrides = parse.GetValue(set) ?? [];
            if ((resumeDir is null) == (outDir is null))
                throw new ViTokException("give either --out runs/NAME (a new run) or --resume runs/NAME (continue one).");
            using var trainer = resumeDir is null
                ? AutoencoderTrainer.Create(TrainConfigLoader.Load(parse.GetValue(config), overrides), outDir!, Data, Perceptual, Console.WriteLine)
                : AutoencoderTrainer.Resume(resumeDir, overrides, Data, Perceptual, Console.WriteLine);
            int exit = TrainingConsole.Run(trainer);
            Console.WriteLine($"run folder: {trainer.Run.Root} (model.safetensors, checkpoints/, samples/, metrics.jsonl, log.txt)");
            return exit;
        }));
        return cmd;
    }

    internal static ITrainingData Data(TrainConfig c) => LoaderTrainingData.Open(c, Console.Error);

    internal static IPerceptualDistance? Perceptual(TrainConfig c) =>
        PerceptualLosses.Create(c.Loss.Perceptual, c.Loss.PerceptualWeight, c.Loss.LpipsWeights, c.ImageSize, new Device(c.Device));
}
