using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ViTok.Generation;
using ViTok.Training;

namespace ViTok.Study;

/// <summary>Reads and validates a study plan (JSON, snake_case):
/// <code>
/// { "name": "quick", "description": "…",
///   "base": { …a vitok train config… }            (or "base_config": "configs/tiny.json", relative to the plan)
///   "eval": { "data": null, "split": "test", "count": 500, "metrics": ["psnr", "ssim"] },
///   "axes": [ { "name": "channels", "values": [4, 8, 16] },
///             { "name": "shape", "values": [ { "label": "p4c8", "set": { "variant": "…", "channels": 8 } } ] },
///             { "name": "loss", "values": [ { "label": "gan", "depends_on": "p1",
///                                             "set": { "stage": 2, "init_from": "$dep/model.safetensors" } } ] } ],
///   "seeds": [0, 1], "pairing": "grid" | "zip", "attempts": 3, "colour_by": "patch", "fit_by": "data", "e_per_frame": false,
///   "generation": { "dit": { …a train-dit config… }, "encode_count": 0, "samples": 1000, "cfg": 1.5, "sample_steps": 25 },
///   "measured": null | { "wall_minutes": 12.5, "machine": "…" } }
/// </code>
/// A scalar axis value sets the config key named by the axis (or its "key"); an object value sets several keys and
/// names itself with "label"; with "depends_on" (the label of another value of the same axis, itself independent) its
/// run starts from that value's run (same other values and seed), "$dep" in its overrides standing for that run's
/// folder. With no "fit_by", an axis whose values set "data" separates the fits (one per data set). Unknown or duplicate keys, empty axes, repeated labels and any run whose resolved train
/// config would not validate are errors naming the plan file and the place.</summary>
public static class StudyPlanLoader
{
    private static readonly string[] TopKeys = ["name", "description", "base", "base_config", "eval", "axes", "seeds", "pairing", "attempts", "colour_by", "fit_by", "e_per_frame", "generation", "measured"];
    private static readonly string[] GenerationKeys = ["dit", "encode_count", "samples", "cfg", "sample_steps"];
    private static readonly string[] MeasuredKeys = ["wall_minutes", "machine"];
    private static readonly string[] EvalKeys = ["data", "split", "count", "metrics"];
    private static readonly string[] AxisKeys = ["name", "key", "values"];
    private static readonly string[] ValueKeys = ["label", "set", "depends_on"];

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
        normalised.Remove("measured");             // a time filled in later must not make a study folder's plan differ
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
            EPerFrame = Bool(root, "e_per_frame", source, ""),
            Generation = ParseGeneration(root["generation"], source),
            Measured = ParseMeasured(root["measured"], source),
        };
        if (plan.FitBy is null && plan.Axes.FirstOrDefault(a => a.Values.Any(v => v.Overrides.Any(o => o.Key == "data" || o.Key.StartsWith("data.", StringComparison.Ordinal)))) is { } dataAxis)
            plan = plan with { FitBy = dataAxis.Name };
        foreach (string? axis in new[] { plan.ColourBy, plan.FitBy })
            if (axis is not null && plan.Axes.All(a => a.Name != axis))
                throw new ViTokException($"{source}: \"{axis}\" in colour_by/fit_by is not an axis (axes: {string.Join(", ", plan.Axes.Select(a => a.Name))}).");
        foreach (var run in StudyRuns.Expand(plan)) Resolve(plan, run, source);
        return plan;
    }

    /// <summary>The resolved train config object of one run: the base with the run's overrides applied.</summary>
    /// <exception cref="ViTokException">The resolved config does not validate (names the run).</exception>
    /// <param name="plan">The plan.</param>
    /// <param name="run">One of its runs.</param>
    /// <param name="source">Names the plan in messages.</param>
    /// <param name="dependencyFolder">The folder of the run it depends on, replacing "$dep" in its overrides (null: left as written, for validation).</param>
    public static JsonObject Resolve(StudyPlan plan, StudyRunSpec run, string source, string? dependencyFolder = null)
    {
        var config = (JsonObject)plan.Base.DeepClone();
        foreach (string set in run.Overrides)
            TrainConfigLoader.Apply(config, dependencyFolder is null ? set : set.Replace(StudyAxisValue.DependencyToken, dependencyFolder, StringComparison.Ordinal));
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
            foreach (var (v, j) in parsed.Select((v, j) => (v, j)).Where(t => t.v.DependsOn is not null))
            {
                var target = parsed.FirstOrDefault(p => p.Label == v.DependsOn);
                if (target is null || target == v)
                    throw new ViTokException($"{source}: {where}.values[{j}].depends_on \"{v.DependsOn}\": expected the label of another value of axis \"{name}\" ({string.Join(", ", parsed.Where(p => p != v).Select(p => p.Label))}).");
                if (target.DependsOn is not null)
                    throw new ViTokException($"{source}: {where}.values[{j}].depends_on \"{v.DependsOn}\": that value depends on \"{target.DependsOn}\" itself; chains are not supported, depend on an independent run.");
            }
            if (parsed.Any(v => v.DependsOn is not null) && axes.Any(a => a.Values.Any(v => v.DependsOn is not null)))
                throw new ViTokException($"{source}: {where}: only one axis may hold values with depends_on.");
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
                string? dep = Str(o, "depends_on", source, where + ".");
                if (dep is null && overrides.Any(kv => kv.Value.Contains(StudyAxisValue.DependencyToken, StringComparison.Ordinal)))
                    throw new ViTokException($"{source}: {where}: \"{StudyAxisValue.DependencyToken}\" is used without \"depends_on\"; name the value whose run this one starts from.");
                return new StudyAxisValue(lbl, overrides) { DependsOn = dep };
            default:
                throw new ViTokException($"{source}: {where}: expected a value or {{ \"label\": …, \"set\": {{ … }} }}.");
        }
    }

    private static StudyGeneration? ParseGeneration(JsonNode? node, string source)
    {
        if (node is null) return null;
        if (node is not JsonObject o) throw new ViTokException($"{source}: \"generation\" must be an object with dit, encode_count, samples, cfg, sample_steps.");
        Known(o, GenerationKeys, source, "generation.");
        if (o["dit"] is not JsonObject dit)
            throw new ViTokException($"{source}: generation.dit must be a train-dit config object, e.g. {{ \"variant\": \"Bw64d2h2\", \"steps\": 300 }}.");
        if (dit.ContainsKey("latents") || dit.ContainsKey("seed"))
            throw new ViTokException($"{source}: generation.dit: leave out \"latents\" and \"seed\"; the study sets them per run.");
        var check = (JsonObject)dit.DeepClone();
        check["latents"] = "latents";
        DitTrainConfigLoader.FromJson(check, $"{source}: generation.dit");
        int samples = Int(o, "samples", source, "generation.", 1000, 2, 10_000_000);
        double cfg = o["cfg"] is null ? 1.5 : o["cfg"] is JsonValue cv && cv.TryGetValue(out double c) && c >= 0 && double.IsFinite(c) ? c
            : throw new ViTokException($"{source}: generation.cfg = {o["cfg"]!.ToJsonString()}: expected a guidance scale ≥ 0 (1 = conditional only, e.g. 1.5).");
        int? steps = o["sample_steps"] is null ? null : Int(o, "sample_steps", source, "generation.", 0, 1, 100_000);
        return new StudyGeneration((JsonObject)dit.DeepClone(), Int(o, "encode_count", source, "generation.", 0, 0, int.MaxValue), samples, cfg, steps);
    }

    private static StudyMeasured? ParseMeasured(JsonNode? node, string source)
    {
        if (node is null) return null;
        if (node is not JsonObject o) throw new ViTokException($"{source}: \"measured\" must be null or {{ \"wall_minutes\": …, \"machine\": \"…\" }}.");
        Known(o, MeasuredKeys, source, "measured.");
        if (o["wall_minutes"] is not JsonValue v || !v.TryGetValue(out double minutes) || !(minutes > 0) || !double.IsFinite(minutes))
            throw new ViTokException($"{source}: measured.wall_minutes must be the measured wall time in minutes (> 0).");
        string machine = Str(o, "machine", source, "measured.") ?? throw new ViTokException($"{source}: measured.machine is missing; say where it was measured (cores, build, threads, load).");
        return new StudyMeasured(minutes, machine);
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

    private static bool Bool(JsonObject o, string key, string source, string prefix)
    {
        var n = o[key];
        if (n is null) return false;
        return n is JsonValue v && v.TryGetValue(out bool b) ? b : throw new ViTokException($"{source}: {prefix}{key} = {n.ToJsonString()}: expected true or false.");
    }

    private static int Int(JsonObject o, string key, string source, string prefix, int fallback, int min, int max)
    {
        var n = o[key];
        if (n is null) return fallback;
        if (n is JsonValue v && v.TryGetValue(out int i) && i >= min && i <= max) return i;
        throw new ViTokException($"{source}: {prefix}{key} = {n.ToJsonString()}: expected a whole number in [{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}].");
    }
}
