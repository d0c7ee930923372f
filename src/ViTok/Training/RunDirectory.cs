using System.Globalization;
using System.Text;

namespace ViTok.Training;

/// <summary>A run folder: <c>config.json</c>, <c>metrics.jsonl</c>, <c>log.txt</c>, <c>samples/</c> (reconstruction
/// grids), <c>checkpoints/step_NNNNNNN.safetensors</c> (the last <c>keep_last</c> kept) and <c>model.safetensors</c>
/// (the latest exportable tokenizer).</summary>
public sealed class RunDirectory
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>The run's root folder.</summary>
    public string Root { get; }

    /// <summary>Creates (or opens) the run folder.</summary>
    public RunDirectory(string root)
    {
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(CheckpointDir);
        Directory.CreateDirectory(SampleDir);
    }

    /// <summary>Refuses to start a new run in a folder that holds files but is not a run folder created by vitok (a run
    /// folder always has a <c>checkpoints/</c> folder, made when the run starts): e.g. a pruned run that kept only
    /// <c>model.safetensors</c>, or a user's own folder. A missing or empty folder is fine. Call it before anything is
    /// written into <paramref name="root"/>.</summary>
    /// <exception cref="ViTokException">The folder holds other files (names the folder and the first of them).</exception>
    public static void RefuseForeign(string root, string option = "--out")
    {
        if (string.IsNullOrWhiteSpace(root)) throw new ViTokException($"{option}: the value is empty; give a folder for the run.");
        if (File.Exists(root)) throw new ViTokException($"{option} {root}: is a file; give a folder for the run.");
        if (!Directory.Exists(root)) return;
        if (Directory.Exists(Path.Combine(root, "checkpoints"))) return;
        // Lock and leftover temporary files say nothing about whose folder it is.
        var entries = Directory.EnumerateFileSystemEntries(root)
            .Select(Path.GetFileName)
            .Where(n => n is not null && !n.EndsWith(".lock", StringComparison.OrdinalIgnoreCase) && !n.Contains(".tmp-", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToList();
        if (entries.Count == 0) return;
        throw new ViTokException($"{option} {root}: the folder holds {entries.Count} entr{(entries.Count == 1 ? "y" : "ies")} ({string.Join(", ", entries.Take(3))}" +
                                 $"{(entries.Count > 3 ? ", ..." : "")}) but is not a vitok run (no checkpoints/); a new run would replace or mix with them. " +
                                 "Give a new or empty folder to --out.");
    }

    /// <summary>The resolved config.</summary>
    public string ConfigPath => Path.Combine(Root, "config.json");

    /// <summary>One JSON object per logged step.</summary>
    public string MetricsPath => Path.Combine(Root, "metrics.jsonl");

    /// <summary>Human-readable log.</summary>
    public string LogPath => Path.Combine(Root, "log.txt");

    /// <summary>Checkpoint folder.</summary>
    public string CheckpointDir => Path.Combine(Root, "checkpoints");

    /// <summary>Reconstruction grids.</summary>
    public string SampleDir => Path.Combine(Root, "samples");

    /// <summary>The exportable model (EMA decoder in stage 2).</summary>
    public string ModelPath => Path.Combine(Root, "model.safetensors");

    /// <summary>Checkpoint path of a step.</summary>
    public string CheckpointPath(int step) => Path.Combine(CheckpointDir, $"step_{step.ToString("D7", CultureInfo.InvariantCulture)}.safetensors");

    /// <summary>Existing checkpoints, oldest first (temporary files are ignored).</summary>
    public IReadOnlyList<string> Checkpoints() =>
        [.. Directory.EnumerateFiles(CheckpointDir, "step_*.safetensors").Order(StringComparer.Ordinal)];

    /// <summary>Deletes all but the newest <paramref name="keep"/> checkpoints.</summary>
    public void Prune(int keep)
    {
        var all = Checkpoints();
        for (int i = 0; i < all.Count - keep; i++) File.Delete(all[i]);
    }

    /// <summary>Appends a line to the log (and returns it).</summary>
    public string Log(string line)
    {
        File.AppendAllText(LogPath, line + "\n", Utf8);
        return line;
    }

    /// <summary>Appends one JSON object to <c>metrics.jsonl</c>.</summary>
    public void AppendMetrics(string json) => File.AppendAllText(MetricsPath, json + "\n", Utf8);

    /// <summary>Drops metric lines of steps after <paramref name="step"/> (after a resume from an earlier checkpoint).</summary>
    public void TruncateMetrics(int step)
    {
        if (!File.Exists(MetricsPath)) return;
        var keep = File.ReadAllLines(MetricsPath).Where(l =>
        {
            var node = System.Text.Json.Nodes.JsonNode.Parse(l);
            return node?["step"]?.GetValue<int>() <= step;
        });
        IO.AtomicFile.WriteAllText(MetricsPath, string.Concat(keep.Select(l => l + "\n")));
    }
}
