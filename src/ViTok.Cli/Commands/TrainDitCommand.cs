using System.CommandLine;
using ViTok.Training;

namespace ViTok.Cli.Commands;

/// <summary><c>vitok train-dit</c>: train a class-conditional DiT on latent shards, or resume a run.</summary>
public static class TrainDitCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "Run config JSON (snake_case keys of DitTrainConfig)." };
        var latents = new Option<string?>("--latents") { Description = "Folder of latent shards from encode-dataset." };
        var output = new Option<string?>("--out") { Description = "New run folder (config.json, metrics.jsonl, log.txt, samples/, checkpoints/, model.safetensors)." };
        var resume = new Option<string?>("--resume") { Description = "Resume the newest checkpoint of this run folder." };
        var set = new Option<string[]>("--set") { Description = "Override a config key: --set steps=2000 --set diffusion.kind=flow.", AllowMultipleArgumentsPerToken = false, DefaultValueFactory = _ => [] };
        var cmd = new Command("train-dit", "Train the latent DiT (DDPM ε-prediction or rectified flow) with AdamW, warmup + cosine, EMA, label dropout " +
                                           "for guidance, atomic checkpoints and exact resume.") { config, latents, output, resume, set };
        cmd.SetAction(parse => CommandRunner.Run(() =>
        {
            string? resumeDir = parse.GetValue(resume);
            var overrides = parse.GetValue(set) ?? [];
            DitTrainer trainer;
            if (resumeDir is not null)
            {
                if (parse.GetValue(output) is not null || parse.GetValue(config) is not null)
                    throw new ViTokException("--resume takes the run folder's own config; use --set for steps and cadence, not --config/--out.");
                // --latents with --resume points the run at its moved latents (checked to be the same encoding).
                if (parse.GetValue(latents) is string moved) overrides = [.. overrides, "latents=" + System.Text.Json.JsonSerializer.Serialize(moved)];
                trainer = DitTrainer.Resume(resumeDir, overrides, log: Console.WriteLine);
            }
            else
            {
                string outDir = parse.GetValue(output) ?? throw new ViTokException("give --out runs/NAME for a new run, or --resume runs/NAME.");
                var cfg = DitTrainConfigLoader.Load(parse.GetValue(config), overrides);
                if (parse.GetValue(latents) is string l) cfg = cfg with { Latents = l };
                trainer = DitTrainer.Create(cfg, outDir, log: Console.WriteLine);
            }
            int exit;
            using (trainer) exit = TrainingConsole.Run(trainer);
            Console.WriteLine($"{(exit == 0 ? "done" : "stopped")} at step {trainer.Step}: {trainer.Run.ModelPath}");
            return exit;
        }));
        return cmd;
    }
}
