using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ViTok.IO;

namespace ViTok.Study;

/// <summary>The study folder's results: one JSON row per finished (or failed) run in <c>results/RUN.json</c>, written
/// atomically by whichever process ran it (so shards never write the same file), merged into <c>results.jsonl</c> and
/// <c>results.csv</c> in the plan's run order. Row keys: run, index, seed, axes{…}, status ("done" | "failed"),
/// reason, attempts, e, tokens, channels, params_encoder, params_decoder, gmacs_encoder, gmacs_decoder, steps,
/// train_seconds, eval_seconds, metrics{…}.</summary>
public static class StudyResults
{
    /// <summary>The folder of per-run rows inside a study folder.</summary>
    public static string RowFolder(string study) => Path.Combine(study, "results");

    /// <summary>The row file of one run.</summary>
    public static string RowPath(string study, string run) => Path.Combine(RowFolder(study), run + ".json");

    /// <summary>The folder of a run's training run folder.</summary>
    public static string RunFolder(string study, string run) => Path.Combine(study, "runs", run);

    /// <summary>Writes one run's row atomically.</summary>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void WriteRow(string study, JsonObject row)
    {
        Directory.CreateDirectory(RowFolder(study));
        AtomicFile.WriteAllText(RowPath(study, row["run"]!.GetValue<string>()), row.ToJsonString(Json.Options) + "\n");
    }

    /// <summary>The row of one run, or null when it has none (or a torn file).</summary>
    public static JsonObject? ReadRow(string study, string run)
    {
        string path = RowPath(study, run);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The rows present for <paramref name="runs"/>, in run order.</summary>
    public static List<JsonObject> Read(string study, IEnumerable<StudyRunSpec> runs) =>
        runs.Select(r => ReadRow(study, r.Name)).OfType<JsonObject>().ToList();

    /// <summary>Writes results.jsonl and results.csv (axes, then the scalar columns, then one column per metric).</summary>
    /// <exception cref="IOException">A file cannot be written.</exception>
    public static void WriteTables(string study, IReadOnlyList<JsonObject> rows, IReadOnlyList<string> axes)
    {
        var jsonl = new StringBuilder();
        foreach (var row in rows) jsonl.Append(row.ToJsonString(Json.Compact)).Append('\n');
        AtomicFile.WriteAllText(Path.Combine(study, "results.jsonl"), jsonl.ToString());
        string[] scalars = ["run", "seed", "status", "e", "e_per_frame", "frames", "tokens", "channels", "params_encoder", "params_decoder", "gmacs_encoder", "gmacs_decoder", "steps", "train_seconds", "eval_seconds"];
        var metrics = rows.SelectMany(r => (r["metrics"] as JsonObject)?.Select(kv => kv.Key) ?? []).Distinct().ToList();
        var csv = new StringBuilder();
        // An axis named like a scalar column (e.g. "channels") gets the header "channels_axis": its label, beside the value.
        csv.AppendJoin(',', axes.Select(a => scalars.Contains(a) || metrics.Contains(a) ? a + "_axis" : a).Concat(scalars).Concat(metrics).Select(Csv)).Append('\n');
        foreach (var row in rows)
        {
            var cells = axes.Select(a => (row["axes"] as JsonObject)?[a]?.ToString() ?? "")
                .Concat(scalars.Select(k => Cell(row[k])))
                .Concat(metrics.Select(m => Cell((row["metrics"] as JsonObject)?[m])));
            csv.AppendJoin(',', cells.Select(Csv)).Append('\n');
        }
        AtomicFile.WriteAllText(Path.Combine(study, "results.csv"), csv.ToString());
    }

    /// <summary>A numeric field of a row, or null.</summary>
    public static double? Number(JsonObject row, string key) =>
        row[key] is JsonValue v && v.TryGetValue(out double d) ? d : null;

    /// <summary>A metric of a row, or null.</summary>
    public static double? Metric(JsonObject row, string key) =>
        (row["metrics"] as JsonObject)?[key] is JsonValue v && v.TryGetValue(out double d) ? d : null;

    /// <summary>An axis label of a row, or null.</summary>
    public static string? Axis(JsonObject row, string axis) => (row["axes"] as JsonObject)?[axis]?.GetValue<string>();

    /// <summary>Whether a row says the run finished and was evaluated.</summary>
    public static bool IsDone(JsonObject? row) => row?["status"]?.GetValue<string>() == "done";

    private static string Cell(JsonNode? n) => n switch
    {
        null => "",
        JsonValue v when v.TryGetValue(out double d) => d.ToString("R", CultureInfo.InvariantCulture),
        JsonValue v => v.ToString(),
        _ => n.ToJsonString(),
    };

    private static string Csv(string s) => s.IndexOfAny([',', '"', '\n']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
