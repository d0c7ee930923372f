using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ViTok.Training;

/// <summary>Checks a config's JSON object against its record type before it is deserialised, so that every error
/// names the key as the user wrote it (snake_case, dotted for nested keys) and the kind of value expected, never a .NET
/// type: unknown keys (with the nearest known key), values of the wrong kind (a string for a number, a fraction for an
/// integer, an integer outside 32 bits), non-finite numbers (<c>1e400</c>, <c>NaN</c>, <c>Infinity</c>) and null for a
/// key that needs a value. Ranges are checked after deserialisation (<see cref="ConfigRanges"/>).</summary>
public static class ConfigSchema
{
    private static readonly NullabilityInfoContext Nullability = new();

    /// <summary>Checks <paramref name="root"/> against the settable public properties of <paramref name="type"/>
    /// (snake_case names), recursing into nested records.</summary>
    /// <exception cref="ViTokException">The first problem, naming <paramref name="source"/> and the key.</exception>
    public static void Check(JsonObject root, Type type, string source) => Check(root, type, "", source);

    /// <summary>The snake_case keys a config record accepts.</summary>
    public static IReadOnlyList<string> Keys(Type type) => [.. Properties(type).Select(p => p.Key)];

    private static IEnumerable<(string Key, PropertyInfo Property)> Properties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.SetMethod!.IsPublic)
            .Select(p => (JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name), p));

    private static void Check(JsonObject obj, Type type, string prefix, string source)
    {
        var props = Properties(type).ToDictionary(p => p.Key, p => p.Property, StringComparer.Ordinal);
        // Derived values (peak_lr) are written into config.json and checkpoints for people to read; they are ignored
        // when read back, as the deserialiser does.
        var derived = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => !p.CanWrite)
            .Select(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name)).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, value) in obj)
        {
            string key = prefix + name;
            if (derived.Contains(name)) continue;
            if (!props.TryGetValue(name, out var prop))
            {
                string? near = props.Keys.Select(k => (k, d: Distance(k, name))).Where(x => x.d <= Math.Max(2, name.Length / 3)).OrderBy(x => x.d).Select(x => x.k).FirstOrDefault();
                throw new ViTokException($"{source}: unknown key '{key}'" + (near is null
                    ? $"; {(prefix.Length == 0 ? "the" : $"'{prefix.TrimEnd('.')}' takes the")} keys {string.Join(", ", props.Keys)}."
                    : $"; did you mean '{prefix}{near}'?"));
            }
            CheckValue(value, prop, key, source);
        }
    }

    private static void CheckValue(JsonNode? value, PropertyInfo prop, string key, string source)
    {
        var t = prop.PropertyType;
        if (t == typeof(JsonNode)) return;
        var underlying = Nullable.GetUnderlyingType(t);
        bool nullable = underlying is not null || (!t.IsValueType && Nullability.Create(prop).WriteState != NullabilityState.NotNull);
        t = underlying ?? t;
        string expected = Expected(t);
        void Fail(string what) => throw new ViTokException($"{source}: {key} = {value?.ToJsonString() ?? "null"}: expected {what}.");
        if (value is null)
        {
            if (!nullable) Fail(expected);
            return;
        }
        var kind = value.GetValueKind();
        if (t == typeof(string))
        {
            if (kind != JsonValueKind.String) Fail(expected);
        }
        else if (t == typeof(bool))
        {
            if (kind is not (JsonValueKind.True or JsonValueKind.False)) Fail(expected);
        }
        else if (t == typeof(int) || t == typeof(long))
        {
            if (kind != JsonValueKind.Number) Fail(expected);
            var v = value.AsValue();
            bool ok = t == typeof(int) ? v.TryGetValue<int>(out _) : v.TryGetValue<long>(out _);
            if (!ok) Fail(expected);
        }
        else if (t == typeof(double))
        {
            if (kind != JsonValueKind.Number) Fail(expected);
            if (!double.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) || !double.IsFinite(d)) Fail(expected);
        }
        else if (t.IsClass && t.Namespace?.StartsWith("ViTok", StringComparison.Ordinal) == true)
        {
            if (value is not JsonObject o) Fail(expected);
            else Check(o, t, key + ".", source);
        }
    }

    private static string Expected(Type t) =>
        t == typeof(string) ? "a string (in double quotes in a JSON file)"
        : t == typeof(bool) ? "true or false"
        : t == typeof(int) ? "a whole number (up to 2147483647)"
        : t == typeof(long) ? "a whole number"
        : t == typeof(double) ? "a finite number"
        : "an object { ... }";

    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }
}
