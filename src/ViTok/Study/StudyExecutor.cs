using System.Diagnostics;
using System.Text.Json.Nodes;
using ViTok.Data;
using ViTok.Evaluation;
using ViTok.Generation;
using ViTok.Losses;
using ViTok.Models;
using ViTok.Training;

namespace ViTok.Study;

/// <summary>The project's <see cref="IStudyExecutor"/>: trains with the <c>vitok train</c> trainer into an ordinary run
/// folder and evaluates <c>model.safetensors</c> with the <c>vitok eval</c> evaluator (posterior mean, 8-bit
/// quantised outputs, as <c>vitok eval</c> reports).</summary>
public sealed class StudyExecutor : IStudyExecutor
{
    private readonly TextWriter _log;

    /// <summary>An executor logging data notes to <paramref name="log"/>.</summary>
    public StudyExecutor(TextWriter log) => _log = log;

    /// <inheritdoc />
    public bool Train(JsonObject config, string runFolder, bool resume, Action<int, int> progress, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        using var trainer = resume
            ? AutoencoderTrainer.Resume(runFolder, [], Data, Perceptual)
            : AutoencoderTrainer.Create(TrainConfigLoader.FromJson((JsonObject)config.DeepClone(), runFolder), runFolder, Data, Perceptual);
        int steps = trainer.Config.Steps, every = Math.Max(1, steps / 10);
        trainer.OnStep = s => { if ((s.Step + 1) % every == 0) progress(s.Step + 1, steps); };
        trainer.RunLoop(ct);
        Plots.LossCurve.Write(runFolder);
        AddSeconds(runFolder, clock.Elapsed.TotalSeconds);
        return trainer.Step >= steps;
    }

    /// <inheritdoc />
    public JsonObject Evaluate(JsonObject config, string runFolder, StudyEval eval, CancellationToken ct)
    {
        var c = TrainConfigLoader.FromJson((JsonObject)config.DeepClone(), runFolder);
        var spec = DataSpec.From(eval.Data is string d ? JsonValue.Create(d) : c.Data, $"{runFolder}: the study's data");
        var options = spec.Options(ImageTransform.ForEval(c.ImageSize), c.Frames, 0, testSplit: eval.Split == "test", count: eval.Count);
        var source = DataSources.Open(spec.Path, options with { Clip = options.Clip with { Start = ClipStart.Even } });
        var clock = Stopwatch.StartNew();
        using var evaluator = new ReconstructionEvaluator(new EvalOptions { Count = eval.Count, Metrics = eval.Metrics, PadTo = c.PadTo });
        using var model = Autoencoders.Load(Path.Combine(runFolder, "model.safetensors"));
        var result = evaluator.Evaluate(model, source, ct);
        var info = model.Info(c.Frames, c.InputSize, c.InputSize);
        var metrics = new JsonObject();
        foreach (var m in result.Metrics) metrics[m.Key] = IO.Json.FiniteOrNull(m.Value);
        return new JsonObject
        {
            ["e"] = info.LatentFloats, ["tokens"] = info.Tokens, ["channels"] = info.Channels,
            ["frames"] = c.Frames, ["e_per_frame"] = info.LatentFloats / (double)Math.Max(1, c.Frames),
            ["params_encoder"] = info.ParamsEncoder, ["params_decoder"] = info.ParamsDecoder,
            ["gmacs_encoder"] = info.GmacsEncoder, ["gmacs_decoder"] = info.GmacsDecoder,
            ["steps"] = c.Steps, ["train_seconds"] = ReadSeconds(runFolder), ["eval_seconds"] = clock.Elapsed.TotalSeconds,
            ["eval_items"] = result.Count, ["metrics"] = metrics,
        };
    }

    /// <inheritdoc />
    public JsonObject? Generate(JsonObject config, string runFolder, StudyGeneration generation, StudyEval eval, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var c = TrainConfigLoader.FromJson((JsonObject)config.DeepClone(), runFolder);
        string tokenizerPath = Path.Combine(runFolder, "model.safetensors");
        using var tokenizer = Autoencoders.Load(tokenizerPath);
        tokenizer.Module.eval();

        // ---- 1. the run's training data → latents (finished shards are skipped on a rerun) ----
        var trainSpec = DataSpec.From(c.Data, $"{runFolder}: the study's data");
        var trainSource = DataSources.Open(trainSpec.Path, trainSpec.Options(ImageTransform.ForEval(c.ImageSize), c.Frames, (ulong)c.Seed, testSplit: false,
            count: generation.EncodeCount));
        string latentDir = Path.Combine(runFolder, "latents");
        LatentDatasetEncoder.Run(tokenizer, tokenizerPath, trainSource, new EncodeDatasetOptions
        {
            Output = latentDir, PadTo = c.PadTo, Limit = generation.EncodeCount, BatchSize = 64, Workers = c.Workers,
            Preprocessing = $"{trainSource.Kind}: eval transform at {c.ImageSize}{(c.PadTo > 0 ? $", padded to {c.PadTo}" : "")}",
        }, null, ct);
        if (ct.IsCancellationRequested) return null;

        // ---- 2. the DiT (resumes from its newest checkpoint) ----
        using var latents = LatentShards.Load(latentDir);
        var ditJson = (JsonObject)generation.Dit.DeepClone();
        ditJson["latents"] = Path.GetFullPath(latentDir);
        ditJson["seed"] = c.Seed;
        var ditConfig = DitTrainConfigLoader.FromJson(ditJson, $"{runFolder}: generation.dit");
        string ditDir = Path.Combine(runFolder, "dit");
        var ditRun = new RunDirectory(ditDir);
        int ditSteps;
        using (var trainer = ditRun.Checkpoints().Count > 0 ? DitTrainer.Resume(ditDir, [], latents) : DitTrainer.Create(ditConfig, ditDir, latents))
        {
            trainer.RunLoop(ct);
            if (trainer.Step < trainer.Config.Steps) return null;
            ditSteps = trainer.Step;
        }

        // ---- 3. generated samples against the evaluation data (the eval-gen path) ----
        var evalSpec = DataSpec.From(eval.Data is string d ? JsonValue.Create(d) : c.Data, $"{runFolder}: the study's data");
        var real = DataSources.Open(evalSpec.Path, evalSpec.Options(ImageTransform.ForEval(c.ImageSize), c.Frames, 0, testSplit: eval.Split == "test",
            count: generation.Samples));
        using var gen = DitCheckpoint.Load(ditRun.ModelPath);
        var report = GenerationEvaluator.Run(gen, tokenizer, real, new GenerationEvalOptions
        {
            Samples = generation.Samples, Cfg = generation.Cfg, Steps = generation.SampleSteps, Seed = c.Seed, PerClass = false,
        });
        string metric = report.Metric == "fid" ? "gfid" : StudyGeneration.Metric;
        return new JsonObject
        {
            ["metrics"] = new JsonObject { [metric] = IO.Json.FiniteOrNull(report.Overall) },
            ["dit_params"] = gen.Model.ParameterCount, ["dit_steps"] = ditSteps, ["latent_scale"] = gen.Space.Scale,
            ["generation_seconds"] = clock.Elapsed.TotalSeconds,
        };
    }

    private ITrainingData Data(TrainConfig c) => LoaderTrainingData.Open(c, _log);

    private static IPerceptualDistance? Perceptual(TrainConfig c) =>
        PerceptualLosses.Create(c.Loss.Perceptual, c.Loss.PerceptualWeight, c.Loss.LpipsWeights, c.InputSize, new Device(c.Device));

    // Training wall time summed over attempts (a resumed run adds its time): study-seconds.txt in the run folder.
    private static void AddSeconds(string runFolder, double seconds) =>
        IO.AtomicFile.WriteAllText(Path.Combine(runFolder, "study-seconds.txt"),
            (ReadSeconds(runFolder) + seconds).ToString("R", System.Globalization.CultureInfo.InvariantCulture) + "\n");

    private static double ReadSeconds(string runFolder)
    {
        string p = Path.Combine(runFolder, "study-seconds.txt");
        return File.Exists(p) && double.TryParse(File.ReadAllText(p).Trim(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double s) ? s : 0;
    }
}
