using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ViTok.IO;

namespace ViTok.Training;

/// <summary>Builds a <see cref="TrainConfig"/> from the record defaults, an optional JSON file and dotted
/// <c>key=value</c> overrides (<c>loss.kl_weight=0</c>). Unknown keys are errors that name the key.</summary>
public static class TrainConfigLoader
{
    private static readonly JsonSerializerOptions Strict = new(Json.Options)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>Loads and resolves a config.</summary>
    public static TrainConfig Load(string? path, IEnumerable<string> overrides) =>
        FromJson(ReadObject(path, overrides), path ?? "--set");

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
            try
            {
                root = JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? new JsonObject();
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                throw new ViTokException($"{path}: not a JSON object ({e.Message}).", e);
            }
        }
        foreach (var o in overrides) Apply(root, o);
        return root;
    }

    /// <summary>Deserialises a config record strictly: unknown keys and bad values are errors naming the source.</summary>
    public static T Deserialize<T>(JsonObject root, string source) where T : new()
    {
        try
        {
            return root.Deserialize<T>(Strict) ?? new T();
        }
        catch (JsonException e)
        {
            throw new ViTokException($"{source}: invalid config: {e.Message}", e);
        }
    }

    /// <summary>Applies one dotted <c>key=value</c> override; the value is parsed as JSON when it is valid JSON,
    /// else taken as a string.</summary>
    public static void Apply(JsonObject root, string assignment)
    {
        int eq = assignment.IndexOf('=');
        if (eq <= 0) throw new ViTokException($"--set '{assignment}': expected key=value, e.g. --set steps=200 or --set loss.kl_weight=0");
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
        void Fail(string why) => throw new ViTokException($"{source}: {why}");
        if (c.Family is not ("paper" or "v2")) Fail($"family '{c.Family}': expected paper or v2");
        if (c.Stage is not (1 or 2)) Fail($"stage {c.Stage}: expected 1 or 2");
        if (c.Stage == 2 && string.IsNullOrEmpty(c.InitFrom)) Fail("stage 2 needs init_from (a stage-1 checkpoint)");
        if (c.BatchSize <= 0 || c.Steps <= 0 || c.ImageSize <= 0 || c.Frames <= 0) Fail("batch_size, steps, image_size and frames must be positive");
        if (c.Loss.Reconstruction is not ("l2" or "l1" or "charbonnier")) Fail($"loss.reconstruction '{c.Loss.Reconstruction}': expected l2, l1 or charbonnier");
        if (c.Loss.Perceptual is not ("resnet18" or "lpips")) Fail($"loss.perceptual '{c.Loss.Perceptual}': expected resnet18 or lpips");
        if (c.Dtype is not ("f32" or "bf16")) Fail($"dtype '{c.Dtype}': expected f32 or bf16");
        if (c.KeepLast < 1) Fail("keep_last must be at least 1");
    }
}
