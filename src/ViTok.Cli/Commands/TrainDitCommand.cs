using System.CommandLine;
using System.Globalization;
using ViTok.Training;
using ViTok.Generation;

namespace ViTok.Cli.Commands;

/// <summary><c>vitok train-dit</c>: train a class-conditional DiT on latent shards, or resume a run. Its help lists
/// every config key with its default, generated from <see cref="DitTrainConfig"/>.</summary>
public static class TrainDitCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "Run config JSON (snake_case keys of DitTrainConfig, listed above)." };
        var latents = new Option<string?>("--latents") { Description = "Folder of latent shards from encode-dataset." };
        var output = CommonOptions.Output("New run folder (config.json, metrics.jsonl, loss.png, log.txt, samples/, checkpoints/, model.safetensors).", required: false);
        var resume = new Option<string?>("--resume") { Description = "Resume the newest checkpoint of this run folder." };
        var set = new Option<string[]>("--set") { Description = "Override a config key: --set steps=2000 --set diffusion.kind=flow.", AllowMultipleArgumentsPerToken = false, DefaultValueFactory = _ => [] };
        var seed = CommonOptions.SeedOverride();
        var device = CommonOptions.DeviceOverride();
        var dtype = CommonOptions.DTypeOverride();
        var json = CommonOptions.TrainingJson();
        var distributed = new DistributedOption();
        var cmd = new Command("train-dit", "Train the latent DiT (DDPM ε-prediction or rectified flow) with AdamW, warmup + cosine, EMA, label dropout " +
                                           "for guidance, atomic checkpoints and exact resume.\n\n" +
                                           ConfigHelp.Block<DitTrainConfig>("Example (in the repository's configs/): dit-cpu.json."))
        {
            config, latents, resume, set, seed, device, dtype, json, distributed.Option,
        };
        output.AddTo(cmd);
        cmd.SetAction(parse => CommandRunner.Run(() =>
        {
            string? resumeDir = parse.GetValue(resume);
            var overrides = (parse.GetValue(set) ?? []).ToList();
            if (parse.GetValue(seed) is long s) overrides.Add("seed=" + s.ToString(CultureInfo.InvariantCulture));
            if (parse.GetValue(device) is string d) overrides.Add("device=" + d);
            if (parse.GetValue(dtype) is string t) overrides.Add("dtype=" + t);
            bool asJson = parse.GetValue(json);
            var (sync, mpi) = DistributedOption.Start(parse.GetValue(distributed.Option)!);
            bool leader = sync.Rank == 0;
            var log = leader ? JsonOut.Log(asJson) : null;
            DitTrainer trainer;
            if (resumeDir is not null)
            {
                if (output.IsGiven(parse) || parse.GetValue(config) is not null)
                    throw new ViTokException("--resume takes the run folder's own config; use --set for steps and cadence, not --config/--output.");
                // --latents with --resume points the run at its moved latents (checked to be the same encoding).
                if (parse.GetValue(latents) is string moved) overrides.Add("latents=" + System.Text.Json.JsonSerializer.Serialize(moved));
                trainer = DitTrainer.Resume(resumeDir, [.. overrides], log: log, sync: sync);
            }
            else
            {
                string outDir = output.Get(parse) ?? throw new ViTokException("give -o/--output runs/NAME for a new run, or --resume runs/NAME.");
                var cfg = DitTrainConfigLoader.Load(parse.GetValue(config), [.. overrides]);
                if (parse.GetValue(latents) is string l) cfg = cfg with { Latents = l };
                trainer = DitTrainer.Create(cfg, outDir, log: log, sync: sync);
            }
            int exit;
            using (trainer) exit = TrainingConsole.Run(trainer, asJson, quiet: !leader);
            DistributedOption.Finish(mpi);
            if (!leader) return exit;
            if (asJson) JsonOut.Print(TrainCommand.Summary(trainer.Run, trainer.Step, trainer.Config.Steps));
            else Console.WriteLine($"{(exit == 0 ? "done" : "stopped")} at step {trainer.Step}: {trainer.Run.ModelPath}");
            return exit;
        }));
        return cmd;
    }
}
