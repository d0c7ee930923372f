using System.Text.Json;
using System.Text.Json.Nodes;

namespace ViTok.Cli;

/// <summary>The config keys of a run-config record with their defaults, generated from the record itself (so help
/// cannot drift from the code): serialised with the project's snake_case conventions and flattened to dotted keys.</summary>
public static class ConfigHelp
{
    /// <summary>"key = default" lines of <typeparamref name="T"/>'s default instance, dotted for nested records.</summary>
    /// <typeparam name="T">A config record with a parameterless constructor (e.g. TrainConfig).</typeparam>
    public static IReadOnlyList<string> Keys<T>() where T : new()
    {
        var node = JsonSerializer.SerializeToNode(new T(), ViTok.IO.Json.Options)!.AsObject();
        var lines = new List<string>();
        Flatten(node, typeof(T), "", lines);
        return lines;
    }

    /// <summary>The help text block: keys and defaults in columns, and where example configs are.</summary>
    public static string Block<T>(string examples) where T : new()
    {
        var keys = Keys<T>();
        return "Config keys (JSON, snake_case; --set key=value, dotted for nested keys) and their defaults:\n  "
               + string.Join("\n  ", keys) + "\n" + examples;
    }

    // Only settable properties are keys (derived, read-only values such as peak_lr are serialised but not read).
    private static void Flatten(JsonObject o, Type type, string prefix, List<string> lines)
    {
        var info = ViTok.IO.Json.Options.GetTypeInfo(type);
        foreach (var (k, v) in o)
        {
            var property = info.Properties.FirstOrDefault(p => p.Name == k);
            if (property is null || property.Set is null) continue;
            if (v is JsonObject child) Flatten(child, property.PropertyType, prefix + k + ".", lines);
            else lines.Add($"{prefix}{k} = {(v is null ? "(none)" : v.ToJsonString())}");
        }
    }
}
