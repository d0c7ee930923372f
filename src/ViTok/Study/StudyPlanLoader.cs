using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ViTok.Training;

namespace ViTok.Study;

/// <summary>Reads and validates a study plan (JSON, snake_case):
/// <code>
/// { "name": "quick", "description": "…",
///   "base": { …a vitok train config… }            (or "base_config": "configs/tiny.json", relative to the plan)
///   "eval": { "data": null, "split": "test", "count": 500, "metrics": ["psnr", "ssim"] },
///   "axes": [ { "name": "channels", "values": [4, 8, 16] },
///             { "name": "shape", "values": [ { "label": "p4c8", "set": { "variant": "…", "channels": 8 } } ] } ],
///   "seeds": [0, 1], "pairing": "grid" | "zip", "attempts": 3, "colour_by": "patch", "fit_by": "data" }
/// </code>
/// A scalar axis value sets the config key named by the axis (or its "key"); an object value sets several keys and
/// names itself with "label". Unknown or duplicate keys, empty axes, repeated labels and any run whose resolved train
/// config would not validate are errors naming the plan file and the place.</summary>
public static class StudyPlanLoader
{
    private static readonly string[] TopKeys = ["name", "description", "base", "base_config", "eval", "axes", "seeds", "pairing", "attempts", "colour_by", "fit_by"];
    private static readonly string[] EvalKeys = ["data", "split", "count", "metrics"];
    private static readonly string[] AxisKeys = ["name", "key", "values"];
    private static readonly string[] ValueKeys = ["label", "set"];

    /// <summary>Loads a plan file.</summary>
    /// <exception cref="ViTokException">The file is missing or the plan is invalid (the message names the place).</exception>
    public static StudyPlan Load(string path)
    {
        if (!File.Exists(path)) throw new ViTokException($"{path}: plan file not found (or give a preset name; see `vitok study presets`).");
        return Parse(File.ReadAllText(path), path, Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".");
    }

    /// <summary>Parses plan text; <paramref name="baseFolder"/> resolves a relative "base_config".</summary>
    /// <exception cref="ViTokException">The plan is invalid.</exception>
    public static StudyPlan Parse(string text, string source, string baseFolder)
    {
        var root = ConfigFile.Parse(text, source);
        Known(root, TopKeys, source, "");
        string name = Str(root, "name", source, "") ?? throw new ViTokException($"{source}: \"name\" is missing; give the study a short name.");
        if (name.Length == 0 || StudyRuns.Clean(name) != name)
            throw new ViTokException($"{source}: name \"{name}\": use letters, digits, '.', '+' and '-' only.");
        JsonObject baseConfig;
        if (root["base"] is JsonObject inline)
        {
            if (root.ContainsKey("base_config")) throw new ViTokException($"{source}: give \"base\" or \"base_config\", not both.");
            baseConfig = (JsonObject)inline.DeepClone();
        }
        else if (Str(root, "base_config", source, "") is string file)
        {
            string full = Path.IsPathRooted(file) ? file : Path.Combine(baseFolder, file);
            if (!File.Exists(full)) throw new ViTokException($"{source}: base_config \"{file}\" not found (looked at {full}).");
            baseConfig = ConfigFile.Parse(File.ReadAllText(full), full);
        }
        else
        {
            throw new ViTokException($"{source}: \"base\" (a train config object) or \"base_config\" (a config file) is missing.");
        }
        var normalised = (JsonObject)root.DeepClone();
        normalised.Remove("base_config");
        normalised["base"] = baseConfig.DeepClone();
        var plan = new StudyPlan
        {
            Name = name,
            Json = normalised,
            Description = Str(root, "description", source, "") ?? "",
            Base = baseConfig,
            Eval = ParseEval(root["eval"], source),
            Axes = ParseAxes(root["axes"], source),
            Seeds = ParseSeeds(root["seeds"], source),
            Pairing = (Str(root, "pairing", source, "") ?? "grid") switch
            {
                "grid" => StudyPairing.Grid,
                "zip" => StudyPairing.Zip,
                var p => throw new ViTokException($"{source}: pairing \"{p}\": expected \"grid\" or \"zip\"."),
            },
            Attempts = Int(root, "attempts", source, "", 3, 1, 100),
            ColourBy = Str(root, "colour_by", source, ""),
            FitBy = Str(root, "fit_by", source, ""),
        };
        foreach (string? axis in new[] { plan.ColourBy, plan.FitBy })
            if (axis is not null && plan.Axes.All(a => a.Name != axis))
                throw new ViTokException($"{source}: \"{axis}\" in colour_by/fit_by is not an axis (axes: {string.Join(", ", plan.Axes.Select(a => a.Name))}).");
        foreach (var run in StudyRuns.Expand(plan)) Resolve(plan, run, source);
        return plan;
    }

    /// <summary>The resolved train config object of one run: the base with the run's overrides applied.</summary>
    /// <exception cref="ViTokException">The resolved config does not validate (names the run).</exception>
    public static JsonObject Resolve(StudyPlan plan, StudyRunSpec run, string source)
    {
        var config = (JsonObject)plan.Base.DeepClone();
        foreach (string set in run.Overrides) TrainConfigLoader.Apply(config, set);
        TrainConfigLoader.FromJson((JsonObject)config.DeepClone(), $"{source}: run {run.Name}");
        return config;
    }

    private static StudyEval ParseEval(JsonNode? node, string source)
    {
        if (node is null) return new StudyEval(null, "test", 500, ["psnr", "ssim"]);
        if (node is not JsonObject o) throw new ViTokException($"{source}: \"eval\" must be an object with data, split, count, metrics.");
        Known(o, EvalKeys, source, "eval.");
        var metrics = o["metrics"] is null ? ["psnr", "ssim"] : o["metrics"] is JsonArray a && a.Count > 0 && a.All(m => m is JsonValue v && v.TryGetValue(out string? _))
            ? a.Select(m => m!.GetValue<string>()).ToList()
            : throw new ViTokException($"{source}: eval.metrics must be a non-empty list of metric names, e.g. [\"psnr\", \"ssim\"].");
        int count = Int(o, "count", source, "eval.", 500, 1, 10_000_000);
        if (count < 2 && metrics.Any(m => m.StartsWith("fd", StringComparison.Ordinal) || m == "fid"))
            throw new ViTokException($"{source}: eval.count {count}: a Fréchet distance needs at least 2 items.");
        return new StudyEval(Str(o, "data", source, "eval."), Str(o, "split", source, "eval.") ?? "test", count, metrics);
    }

    private static List<StudyAxis> ParseAxes(JsonNode? node, string source)
    {
        if (node is not JsonArray arr || arr.Count == 0)
            throw new ViTokException($"{source}: \"axes\" must be a non-empty list, e.g. [{{ \"name\": \"channels\", \"values\": [4, 8, 16] }}].");
        var axes = new List<StudyAxis>();
        for (int i = 0; i < arr.Count; i++)
        {
            string where = $"axes[{i}]";
            if (arr[i] is not JsonObject a) throw new ViTokException($"{source}: {where} must be an object with name and values.");
            Known(a, AxisKeys, source, where + ".");
            string name = Str(a, "name", source, where + ".") ?? throw new ViTokException($"{source}: {where}.name is missing.");
            if (axes.Any(x => x.Name == name)) throw new ViTokException($"{source}: {where}: axis \"{name}\" appears twice.");
            if (name == "seed") throw new ViTokException($"{source}: {where}: vary seeds with \"seeds\", not an axis.");
            string key = Str(a, "key", source, where + ".") ?? name;
            if (a["values"] is not JsonArray values || values.Count == 0)
                throw new ViTokException($"{source}: {where}.values must be a non-empty list.");
            var parsed = new List<StudyAxisValue>();
            for (int j = 0; j < values.Count; j++)
            {
                var v = ParseValue(values[j], key, source, $"{where}.values[{j}]");
                if (parsed.Any(p => p.Label == v.Label))
                    throw new ViTokException($"{source}: {where}.values[{j}]: label \"{v.Label}\" repeats; labels name run folders and must differ.");
                parsed.Add(v);
            }
            axes.Add(new StudyAxis(name, parsed));
        }
        return axes;
    }

    private static StudyAxisValue ParseValue(JsonNode? node, string key, string source, string where)
    {
        switch (node)
        {
            case JsonValue v:
                string text = v.ToJsonString();
                string label = v.TryGetValue(out string? s) ? s : text;
                return new StudyAxisValue(label, [new(key, v.TryGetValue(out string? raw) ? raw : text)]);
            case JsonObject o:
                Known(o, ValueKeys, source, where + ".");
                if (o["set"] is not JsonObject set || set.Count == 0)
                    throw new ViTokException($"{source}: {where}.set must be an object of config keys, e.g. {{ \"channels\": 8 }}.");
                var overrides = set.Select(kv => new KeyValuePair<string, string>(kv.Key,
                    kv.Value is JsonValue jv && jv.TryGetValue(out string? str) ? str : kv.Value?.ToJsonString() ?? "null")).ToList();
                string lbl = Str(o, "label", source, where + ".") ?? string.Join("+", overrides.Select(kv => kv.Value));
                return new StudyAxisValue(lbl, overrides);
            default:
                throw new ViTokException($"{source}: {where}: expected a value or {{ \"label\": …, \"set\": {{ … }} }}.");
        }
    }

    private static List<long> ParseSeeds(JsonNode? node, string source)
    {
        if (node is null) return [0];
        if (node is not JsonArray a || a.Count == 0 || !a.All(x => x is JsonValue v && v.TryGetValue(out long s) && s >= 0))
            throw new ViTokException($"{source}: \"seeds\" must be a non-empty list of whole numbers ≥ 0, e.g. [0, 1].");
        var seeds = a.Select(x => x!.GetValue<long>()).ToList();
        if (seeds.Distinct().Count() != seeds.Count) throw new ViTokException($"{source}: \"seeds\" repeats a seed.");
        return seeds;
    }

    private static void Known(JsonObject o, string[] keys, string source, string prefix)
    {
        foreach (var kv in o)
            if (!keys.Contains(kv.Key))
                throw new ViTokException($"{source}: unknown key \"{prefix}{kv.Key}\" (known: {string.Join(", ", keys)}).");
    }

    private static string? Str(JsonObject o, string key, string source, string prefix)
    {
        var n = o[key];
        if (n is null) return null;
        return n is JsonValue v && v.TryGetValue(out string? s) ? s : throw new ViTokException($"{source}: {prefix}{key} must be a string.");
    }

    private static int Int(JsonObject o, string key, string source, string prefix, int fallback, int min, int max)
    {
        var n = o[key];
        if (n is null) return fallback;
        if (n is JsonValue v && v.TryGetValue(out int i) && i >= min && i <= max) return i;
        throw new ViTokException($"{source}: {prefix}{key} = {n.ToJsonString()}: expected a whole number in [{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}].");
    }
}
