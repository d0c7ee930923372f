using System.Text.Json;
using System.Text.Json.Nodes;
using ViTok.IO;

namespace ViTok.Training;

/// <summary>The <c>--set key=value</c> overrides a resume accepts: keys that change neither the model nor the order of
/// the data (where the data live, loader workers, the log/sample/checkpoint cadence, the time limit, the number of
/// steps). Any other changed key is refused with the reason. Shared by both trainers.</summary>
public static class ResumeOverrides
{
    /// <summary>Keys every trainer lets a resume change (dotted; a key also covers its nested keys).</summary>
    public static readonly IReadOnlyList<string> Cadence =
        ["steps", "log_every", "sample_every", "checkpoint_every", "first_checkpoint_minutes", "keep_last", "max_minutes"];

    /// <summary>Applies <paramref name="overrides"/> to the config a run was saved with and checks that only allowed
    /// keys changed.</summary>
    /// <typeparam name="T">The config record.</typeparam>
    /// <param name="saved">The config stored in the checkpoint.</param>
    /// <param name="overrides">Dotted <c>key=value</c> assignments.</param>
    /// <param name="allowed">Keys that may change (see <see cref="Cadence"/>), each with nested keys.</param>
    /// <param name="load">Validates and deserialises the resulting JSON object (the loader's <c>FromJson</c>).</param>
    /// <returns>The new config and one "key: old → new" line per changed key.</returns>
    /// <exception cref="ViTokException">A bad override, or one that changes a key outside <paramref name="allowed"/>.</exception>
    public static (T Config, IReadOnlyList<string> Changes) Apply<T>(T saved, IEnumerable<string> overrides, IReadOnlyCollection<string> allowed, Func<JsonObject, string, T> load)
    {
        var before = JsonSerializer.SerializeToNode(saved, Json.Options)!.AsObject();
        var root = before.DeepClone().AsObject();
        foreach (var o in overrides) TrainConfigLoader.Apply(root, o);
        var cfg = load(root, "--set");
        var after = JsonSerializer.SerializeToNode(cfg, Json.Options)!.AsObject();
        var changes = new List<string>();
        foreach (var (key, old, now) in Diff(before, after, ""))
        {
            if (!allowed.Any(a => key == a || key.StartsWith(a + ".", StringComparison.Ordinal)))
                throw new ViTokException($"--set {key}: a resume cannot change {key} ({old} → {now}); it changes the model or the order of the data, " +
                                         $"so start a new run (-o/--output) for it. A resume may change {string.Join(", ", allowed)}.");
            changes.Add($"{key}: {old} → {now}");
        }
        return (cfg, changes);
    }

    /// <summary>The keys in which a run's <c>config.json</c> (possibly edited by hand) differs from the config of the
    /// checkpoint a resume reads: such edits are not applied (the checkpoint's config is what the run is), so the
    /// trainers say so and point at <c>--set</c>.</summary>
    /// <param name="configPath">The run's config.json (missing or unreadable: reported as such).</param>
    /// <param name="saved">The checkpoint's config.</param>
    public static IReadOnlyList<string> DifferingKeys<T>(string configPath, T saved)
    {
        if (!File.Exists(configPath)) return [];
        JsonObject? edited;
        try
        {
            edited = JsonNode.Parse(File.ReadAllText(configPath)) as JsonObject;
        }
        catch (JsonException)
        {
            edited = null;
        }
        if (edited is null) return ["(config.json is not a JSON object)"];
        var before = JsonSerializer.SerializeToNode(saved, Json.Options)!.AsObject();
        return [.. Diff(before, edited, "").Select(d => d.Key)];
    }

    private static IEnumerable<(string Key, string Old, string New)> Diff(JsonObject a, JsonObject b, string prefix)
    {
        foreach (var name in a.Select(kv => kv.Key).Union(b.Select(kv => kv.Key)))
        {
            var x = a[name];
            var y = b[name];
            if (x is JsonObject ox && y is JsonObject oy && name != "data")
            {
                foreach (var d in Diff(ox, oy, prefix + name + ".")) yield return d;
            }
            else if (!JsonNode.DeepEquals(x, y))
            {
                yield return (prefix + name, x?.ToJsonString() ?? "null", y?.ToJsonString() ?? "null");
            }
        }
    }
}
