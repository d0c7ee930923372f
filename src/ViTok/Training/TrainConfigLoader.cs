using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ViTok.IO;

namespace ViTok.Training;

/// <summary>Builds a <see cref="TrainConfig"/> from the record defaults, an optional JSON file and dotted
/// <c>key=value</c> overrides (<c>loss.kl_weight=0</c>). Unknown keys, duplicate keys, values of the wrong kind,
/// non-finite numbers and values out of range are errors that name the key as written and the allowed range.</summary>
public static class TrainConfigLoader
{
    private static readonly JsonSerializerOptions Strict = new(Json.Options)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>Loads and resolves a config.</summary>
    /// <exception cref="ViTokException">A bad file, key or value.</exception>
    public static TrainConfig Load(string? path, IEnumerable<string> overrides) => Load(path, overrides, FromJson);

    /// <summary>Loads and resolves a config of any recipe: the file (or nothing), the overrides, then
    /// <paramref name="fromJson"/> (the recipe's <c>FromJson</c>) with the source named as in every message.</summary>
    /// <exception cref="ViTokException">A bad file, key or value.</exception>
    public static T Load<T>(string? path, IEnumerable<string> overrides, Func<JsonObject, string, T> fromJson)
    {
        var sets = overrides.ToList();
        return fromJson(ReadObject(path, sets), Source(path, sets));
    }

    /// <summary>How messages name a config's origin: the file, <c>--set</c>, or both.</summary>
    public static string Source(string? path, IReadOnlyCollection<string> overrides) =>
        path is null ? "--set" : overrides.Count > 0 ? $"{path} (with --set)" : path;

    /// <summary>Reads a JSON config file (or an empty object) and applies the dotted overrides.</summary>
    public static JsonObject ReadObject(string? path, IEnumerable<string> overrides)
    {
        JsonObject root;
        if (path is null)
        {
            root = new JsonObject();
        }
        else
        {
            if (!File.Exists(path)) throw new ViTokException($"{path}: config file not found.");
            root = ConfigFile.Parse(File.ReadAllText(path), path);
        }
        foreach (var o in overrides) Apply(root, o);
        return root;
    }

    /// <summary>Deserialises a config record strictly: unknown keys and bad values are errors naming the source and
    /// the key (<see cref="ConfigSchema"/>).</summary>
    /// <exception cref="ViTokException">A bad key or value.</exception>
    public static T Deserialize<T>(JsonObject root, string source) where T : new()
    {
        ConfigSchema.Check(root, typeof(T), source);
        try
        {
            return root.Deserialize<T>(Strict) ?? new T();
        }
        catch (JsonException e)
        {
            string key = (e.Path ?? "$").TrimStart('$').TrimStart('.');
            throw new ViTokException($"{source}: invalid value{(key.Length > 0 ? $" of {key}" : "")}; see the config reference in the README.", e);
        }
    }

    /// <summary>Applies one dotted <c>key=value</c> override; the value is parsed as JSON when it is valid JSON,
    /// else taken as a string.</summary>
    public static void Apply(JsonObject root, string assignment)
    {
        int eq = assignment.IndexOf('=');
        if (eq <= 0) throw new ViTokException($"--set '{assignment}': expected key=value, e.g. --set steps=200 or --set loss.kl_weight=0");
        if (assignment[..eq].Split('.').Any(k => k.Length == 0)) throw new ViTokException($"--set '{assignment}': empty key part; write dotted keys as loss.kl_weight=0");
        string[] keys = assignment[..eq].Split('.');
        string raw = assignment[(eq + 1)..];
        JsonNode? value;
        try
        {
            value = JsonNode.Parse(raw);
        }
        catch (JsonException)
        {
            value = JsonValue.Create(raw);
        }
        var node = root;
        for (int i = 0; i < keys.Length - 1; i++)
        {
            if (node[keys[i]] is not JsonObject child)
            {
                child = new JsonObject();
                node[keys[i]] = child;
            }
            node = child;
        }
        node[keys[^1]] = value;
    }

    /// <summary>Deserialises a resolved JSON object, reporting unknown keys and bad values.</summary>
    public static TrainConfig FromJson(JsonObject root, string source)
    {
        var config = Deserialize<TrainConfig>(root, source);
        Validate(config, source);
        return config;
    }

    private static void Validate(TrainConfig c, string source)
    {
        var r = new ConfigRanges(source);
        r.OneOf("family", c.Family, "paper", "v2")
         .Require(!string.IsNullOrWhiteSpace(c.Variant), "variant is empty: give a variant string, e.g. S-B/16")
         .Int("channels", c.Channels, 1, 4096)
         .Int("image_size", c.ImageSize, 1, 16384)
         .Int("frames", c.Frames, 1, 4096);
        CheckRunKeys(r, c, gradClipMayBeOff: false)
         .Int("pad_to", c.PadTo, 0, 16384)
         .Require(c.PadTo == 0 || c.PadTo >= c.ImageSize, $"pad_to {c.PadTo} is smaller than image_size {c.ImageSize}: the canvas must hold the image (e.g. image_size 28, pad_to 32)")
         .Int("stage", c.Stage, 1, 2)
         .NotEmpty("init_from", c.InitFrom)
         .Require(c.Stage != 2 || !string.IsNullOrEmpty(c.InitFrom), "stage 2 needs init_from (a stage-1 checkpoint)")
         .OneOf("loss.reconstruction", c.Loss.Reconstruction, "l2", "l1", "charbonnier")
         .Real("loss.perceptual_weight", c.Loss.PerceptualWeight, 0, double.PositiveInfinity)
         .OneOf("loss.perceptual", c.Loss.Perceptual, "resnet18", "lpips")
         .NotEmpty("loss.lpips_weights", c.Loss.LpipsWeights)
         .Real("loss.kl_weight", c.Loss.KlWeight, 0, double.PositiveInfinity)
         .Real("loss.gan_weight", c.Loss.GanWeight, 0, double.PositiveInfinity)
         .Real("loss.gan_start", c.Loss.GanStart, 0, 1)
         .Real("loss.gan_warmup", c.Loss.GanWarmup, 0, 1)
         .Real("disc_lr", c.DiscLr, 0, 1, minOpen: true)
         .Int("disc_channels", c.DiscChannels, 1, 4096)
         .Int("workers", c.Workers, 0, 256);
        if (c.Data is not null) ViTok.Data.DataSpec.From(c.Data, source);
    }

    /// <summary>The one check of the keys every recipe shares (<see cref="RunConfig"/>): batch, steps, schedule,
    /// AdamW, clipping, EMA, cadence, bad-step guard, dtype, device, time limit, and <c>lr</c> when given.</summary>
    /// <param name="r">The checks of the recipe's config (names the source in messages).</param>
    /// <param name="c">The config.</param>
    /// <param name="gradClipMayBeOff">Whether <c>grad_clip = 0</c> (no clipping) is allowed: the DiT allows it, the
    /// tokenizer requires a value &gt; 0.</param>
    /// <returns><paramref name="r"/>, for the recipe's further checks.</returns>
    /// <exception cref="ViTokException">A value out of range (names the key and the range).</exception>
    public static ConfigRanges CheckRunKeys(ConfigRanges r, RunConfig c, bool gradClipMayBeOff)
    {
        r.Int("batch_size", c.BatchSize, 1, 1 << 20)
         .Int("steps", c.Steps, 1)
         .Real("warmup_ratio", c.WarmupRatio, 0, 1)
         .Real("warmup_start_lr", c.WarmupStartLr, 0, 1, maxOpen: true)
         .Real("min_lr", c.MinLr, 0, 1)
         .Real("beta1", c.Beta1, 0, 1, maxOpen: true)
         .Real("beta2", c.Beta2, 0, 1, maxOpen: true)
         .Real("weight_decay", c.WeightDecay, 0, double.PositiveInfinity)
         .Real("grad_clip", c.GradClip, 0, double.PositiveInfinity, minOpen: !gradClipMayBeOff)
         .Real("ema_decay", c.EmaDecay, 0, 1, maxOpen: true)
         .Int("checkpoint_every", c.CheckpointEvery, 1)
         .Real("first_checkpoint_minutes", c.FirstCheckpointMinutes, 0, double.PositiveInfinity)
         .Int("sample_every", c.SampleEvery, 1)
         .Int("log_every", c.LogEvery, 1)
         .Int("keep_last", c.KeepLast, 1)
         .Int("max_bad_steps", c.MaxBadSteps, 1)
         .OneOf("dtype", c.Dtype, "f32", "bf16")
         .Device("device", c.Device)
         .Real("max_minutes", c.MaxMinutes, 0, double.PositiveInfinity);
        if (c.Lr is double lr) r.Real("lr", lr, 0, 1, minOpen: true);
        return r;
    }
}
