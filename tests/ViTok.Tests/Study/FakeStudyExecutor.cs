using System.Text.Json.Nodes;
using ViTok.Study;

namespace ViTok.Tests.Study;

/// <summary>A study executor that trains nothing: it writes a checkpoint file per "training", can fail on chosen
/// attempts, and evaluates to PSNR = 10 + 2·log₂E (+ a per-seed offset) so fits have known answers.</summary>
internal sealed class FakeStudyExecutor : IStudyExecutor
{
    public List<(string Folder, bool Resume)> Trains { get; } = [];
    public List<JsonObject> Configs { get; } = [];
    public Func<string, int, bool> FailOn { get; init; } = (_, _) => false;

    public bool Train(JsonObject config, string runFolder, bool resume, Action<int, int> progress, CancellationToken ct)
    {
        Trains.Add((runFolder, resume));
        Configs.Add((JsonObject)config.DeepClone());
        int attempt = Trains.Count(t => t.Folder == runFolder);
        Directory.CreateDirectory(Path.Combine(runFolder, "checkpoints"));
        File.WriteAllText(Path.Combine(runFolder, "checkpoints", $"step_{attempt:D7}.safetensors"), "x");
        if (FailOn(Path.GetFileName(runFolder), attempt)) throw new ViTokException($"simulated crash on attempt {attempt}");
        progress(1, 1);
        return true;
    }

    public JsonObject Evaluate(JsonObject config, string runFolder, StudyEval eval, CancellationToken ct)
    {
        int channels = config["channels"]!.GetValue<int>();
        string variant = config["variant"]!.GetValue<string>();
        int patch = int.Parse(variant[(variant.LastIndexOf('/') + 1)..]);
        long tokens = (16 / patch) * (16 / patch);
        long e = tokens * channels;
        double seed = config["seed"]!.GetValue<long>();
        return new JsonObject
        {
            ["e"] = e, ["tokens"] = tokens, ["channels"] = channels, ["steps"] = 3,
            ["metrics"] = new JsonObject { ["psnr"] = 10 + 2 * Math.Log2(e) + 0.1 * seed, ["ssim"] = 0.5 + 0.01 * Math.Log2(e) },
        };
    }

    public List<(string Folder, string? InitFrom)> Generations { get; } = [];

    public JsonObject? Generate(JsonObject config, string runFolder, StudyGeneration generation, StudyEval eval, CancellationToken ct)
    {
        Generations.Add((runFolder, config["init_from"]?.GetValue<string>()));
        int channels = config["channels"]!.GetValue<int>();
        // gFD with an optimum at c = 8: |log2 c − 3| · 10 + 20.
        return new JsonObject { ["metrics"] = new JsonObject { [StudyGeneration.Metric] = 20 + 10 * Math.Abs(Math.Log2(channels) - 3) }, ["dit_steps"] = 3 };
    }
}
