using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ViTok.IO;

namespace ViTok.Training;

/// <summary>A run folder: <c>config.json</c>, <c>metrics.jsonl</c>, <c>log.txt</c>, <c>samples/</c> (reconstruction
/// grids), <c>checkpoints/step_NNNNNNN.safetensors</c> (the last <c>keep_last</c> kept) and <c>model.safetensors</c>
/// (the latest exportable tokenizer), plus <c>.lock</c>: one process at a time owns a run folder. The owner holds an
/// exclusive OS lock on <c>.lock</c> (flock on Unix), which the OS releases when the process ends however it ends, so a
/// killed run never leaves a stale lock. Both trainers share this class for everything about the folder.</summary>
public sealed partial class RunDirectory : IDisposable
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
    private FileStream? _lock;

    /// <summary>The run's root folder (absolute).</summary>
    public string Root { get; }

    /// <summary>The command that resumes this run, e.g. <c>vitok train --resume /abs/runs/x</c> (the path quoted for a
    /// POSIX shell when it needs it).</summary>
    public string ResumeCommand { get; }

    /// <summary>Leftover temporary files of a killed writer (<c>*.tmp-PID-XXXXXXXX</c>) removed when the folder was
    /// opened.</summary>
    public IReadOnlyList<string> RemovedTemporaries { get; private set; } = [];

    /// <summary>Opens (creating it when needed) the run folder without locking it: for reading a finished run.</summary>
    /// <param name="root">The folder.</param>
    /// <param name="command">The CLI command that trains it (<c>vitok train</c> or <c>vitok train-dit</c>), for the
    /// resume hint of messages.</param>
    public RunDirectory(string root, string command = "vitok train") : this(root, command, create: true)
    {
    }

    private RunDirectory(string root, string command, bool create)
    {
        Root = Path.GetFullPath(root);
        ResumeCommand = $"{command} --resume {ShellQuote(Root)}";
        if (!create) return;
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(CheckpointDir);
        Directory.CreateDirectory(SampleDir);
    }

    /// <summary>The run folder as a data-parallel rank sees it: rank 0 owns it (<see cref="OpenExclusive"/>); any other
    /// rank only names it (paths, the resume command, reading checkpoints) and creates, locks or writes nothing.</summary>
    /// <param name="root">The folder.</param>
    /// <param name="command">The CLI command that trains it, for the resume hint of messages.</param>
    /// <param name="rank">This process's rank (<see cref="IGradientSync.Rank"/>).</param>
    /// <exception cref="ViTokException">Rank 0: another process holds the folder's lock.</exception>
    public static RunDirectory ForRank(string root, string command, int rank) =>
        rank == 0 ? OpenExclusive(root, command) : new RunDirectory(root, command, create: false);

    /// <summary>Refuses to start a new run in a folder that holds files but is not a run folder created by vitok (a run
    /// folder always has a <c>checkpoints/</c> folder, made when the run starts): e.g. a pruned run that kept only
    /// <c>model.safetensors</c>, or a user's own folder. A missing or empty folder is fine. Call it before anything is
    /// written into <paramref name="root"/>.</summary>
    /// <exception cref="ViTokException">The folder holds other files (names the folder and the first of them).</exception>
    public static void RefuseForeign(string root, string option = "-o/--output")
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
                                 $"Give a new or empty folder to {option}.");
    }

    /// <summary>Opens a run folder for training: takes its exclusive lock, then removes the temporary files that a
    /// killed writer left behind (only the owner may, since only the owner writes).</summary>
    /// <param name="root">The folder (created when missing).</param>
    /// <param name="command">The CLI command that trains it, for the resume hint of messages.</param>
    /// <exception cref="ViTokException">Another process holds the folder's lock.</exception>
    public static RunDirectory OpenExclusive(string root, string command)
    {
        var run = new RunDirectory(root, command);
        try
        {
            run._lock = new FileStream(run.LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        }
        catch (IOException e)
        {
            throw new ViTokException($"{run.Root} is in use by another vitok process (it holds {run.LockPath}); wait for it to end or stop it (Ctrl+C or SIGTERM saves a checkpoint), then run again.", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ViTokException($"{run.LockPath}: cannot create the run folder's lock file ({e.Message}); choose a folder you can write to.", e);
        }
        // The process id is for people (cat runs/x/.lock); the lock itself is the OS's.
        var pid = Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        run._lock.SetLength(0);
        run._lock.Write(pid);
        run._lock.Flush();
        run.RemovedTemporaries = run.RemoveTemporaries();
        return run;
    }

    /// <summary>The lock file held by the process that trains in this folder.</summary>
    public string LockPath => Path.Combine(Root, ".lock");

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

    /// <summary>Existing checkpoints, oldest first (temporary files are ignored; none when the folder does not exist,
    /// as for a rank other than 0 of a new run, <see cref="ForRank"/>).</summary>
    public IReadOnlyList<string> Checkpoints() =>
        Directory.Exists(CheckpointDir) ? [.. Directory.EnumerateFiles(CheckpointDir, "step_*.safetensors").Order(StringComparer.Ordinal)] : [];

    /// <summary>Deletes all but the newest <paramref name="keep"/> checkpoints.</summary>
    public void Prune(int keep)
    {
        var all = Checkpoints();
        for (int i = 0; i < all.Count - keep; i++) File.Delete(all[i]);
    }

    /// <summary>Appends a line to the log (and returns it).</summary>
    /// <exception cref="IOException">The disk is full or the file cannot be written (the file is left as before).</exception>
    public string Log(string line)
    {
        AppendLine(LogPath, line);
        return line;
    }

    /// <summary>Appends one JSON object to <c>metrics.jsonl</c> as one write; when the write fails (a full disk) the file
    /// is cut back to its previous length, so it never ends in a torn line that this process wrote.</summary>
    /// <exception cref="IOException">The disk is full or the file cannot be written.</exception>
    public void AppendMetrics(string json) => AppendLine(MetricsPath, json);

    private static void AppendLine(string path, string line)
    {
        byte[] bytes = Utf8.GetBytes(line + "\n");
        long before = File.Exists(path) ? new FileInfo(path).Length : 0;
        try
        {
            using var fs = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, 1, FileOptions.None);
            fs.Write(bytes);
        }
        catch (IOException)
        {
            CutBack(path, before);
            throw;
        }
    }

    /// <summary>Truncates a regular file back to <paramref name="length"/> after a failed append (best effort: when
    /// even that fails, the resume drops the torn line).</summary>
    private static void CutBack(string path, long length)
    {
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read);
            if (fs.CanSeek && fs.Length > length) fs.SetLength(length);
        }
        catch (IOException)
        {
            // left for TruncateMetrics
        }
    }

    /// <summary>Drops metric lines of steps after <paramref name="step"/> (after a resume from an earlier checkpoint)
    /// and lines that are not whole JSON objects with a <c>step</c> (a torn write of a killed process or a full disk).
    /// Kept lines are kept byte for byte.</summary>
    /// <returns>The number of unreadable lines dropped.</returns>
    public int TruncateMetrics(int step)
    {
        if (!File.Exists(MetricsPath)) return 0;
        var keep = new StringBuilder();
        int torn = 0;
        foreach (var line in File.ReadAllText(MetricsPath, Utf8).Split('\n'))
        {
            if (line.Length == 0) continue;
            int? s = null;
            try
            {
                if (JsonNode.Parse(line) is JsonObject o && o["step"] is JsonValue v && v.TryGetValue<int>(out int i)) s = i;
            }
            catch (JsonException)
            {
                // a torn line: dropped below
            }
            if (s is null) { torn++; continue; }
            if (s <= step) keep.Append(line).Append('\n');
        }
        AtomicFile.WriteAllText(MetricsPath, keep.ToString());
        return torn;
    }

    /// <summary>Deletes the temporary files (<c>NAME.tmp-PID-XXXXXXXX</c>, written by <see cref="AtomicFile"/>) that
    /// a killed writer left in the run folder, its checkpoints and its samples.</summary>
    private List<string> RemoveTemporaries()
    {
        var removed = new List<string>();
        foreach (var dir in new[] { Root, CheckpointDir, SampleDir })
            foreach (var f in Directory.EnumerateFiles(dir, "*.tmp-*"))
                if (TemporaryName().IsMatch(Path.GetFileName(f)))
                {
                    File.Delete(f);
                    removed.Add(Path.GetRelativePath(Root, f));
                }
        return removed;
    }

    [GeneratedRegex(@"\.tmp-\d+-[0-9a-f]{8}$")]
    private static partial Regex TemporaryName();

    /// <summary>A path as one POSIX-shell word: unchanged when it holds only safe characters, else single-quoted.</summary>
    public static string ShellQuote(string s) =>
        s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || "/._-+:,=@%".Contains(c)) ? s : "'" + s.Replace("'", "'\\''") + "'";

    /// <summary>Releases the folder's lock (the OS also releases it when the process ends).</summary>
    public void Dispose()
    {
        _lock?.Dispose();
        _lock = null;
    }
}
