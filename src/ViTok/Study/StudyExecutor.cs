using System.Diagnostics;
using System.Text.Json.Nodes;
using ViTok.Data;
using ViTok.Evaluation;
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
        var (path, kind) = eval.Data is string d ? (d, (string?)null) : DataOf(c.Data);
        var source = DataSources.Open(path, new DataSourceOptions
        {
            Kind = kind,
            Transform = ImageTransform.ForEval(c.ImageSize),
            Clip = new ClipOptions { Frames = c.Frames, Start = ClipStart.Even },
            TestSplit = eval.Split == "test",
            Count = eval.Count,
        });
        var clock = Stopwatch.StartNew();
        using var evaluator = new ReconstructionEvaluator(new EvalOptions { Count = eval.Count, Metrics = eval.Metrics });
        using var model = Autoencoders.Load(Path.Combine(runFolder, "model.safetensors"));
        var result = evaluator.Evaluate(model, source, ct);
        var info = model.Info(c.Frames, c.ImageSize, c.ImageSize);
        var metrics = new JsonObject();
        foreach (var m in result.Metrics) metrics[m.Key] = IO.Json.FiniteOrNull(m.Value);
        return new JsonObject
        {
            ["e"] = info.LatentFloats, ["tokens"] = info.Tokens, ["channels"] = info.Channels,
            ["params_encoder"] = info.ParamsEncoder, ["params_decoder"] = info.ParamsDecoder,
            ["gmacs_encoder"] = info.GmacsEncoder, ["gmacs_decoder"] = info.GmacsDecoder,
            ["steps"] = c.Steps, ["train_seconds"] = ReadSeconds(runFolder), ["eval_seconds"] = clock.Elapsed.TotalSeconds,
            ["eval_items"] = result.Count, ["metrics"] = metrics,
        };
    }

    private ITrainingData Data(TrainConfig c) => LoaderTrainingData.Open(c, _log);

    private static IPerceptualDistance? Perceptual(TrainConfig c) =>
        PerceptualLosses.Create(c.Loss.Perceptual, c.Loss.PerceptualWeight, c.Loss.LpipsWeights, c.ImageSize, new Device(c.Device));

    private static (string Path, string? Kind) DataOf(JsonNode? data) => data switch
    {
        JsonValue v => (v.GetValue<string>(), null),
        JsonObject o => (o["path"]?.GetValue<string>() ?? "", o["kind"]?.GetValue<string>()),
        _ => throw new ViTokException("the study's base config has no data and its eval names none: set \"data\" in one of them."),
    };

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
