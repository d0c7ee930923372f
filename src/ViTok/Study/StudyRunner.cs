using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using ViTok.IO;

namespace ViTok.Study;

/// <summary>Runs a study's runs (all, or one shard) into a study folder: each run is an ordinary training run folder
/// under <c>runs/</c>, then evaluated; its row goes to <c>results/RUN.json</c>. Finished runs are skipped on rerun; an
/// interrupted or crashed run resumes from its last checkpoint; a run that fails <see cref="StudyPlan.Attempts"/>
/// times is marked failed with the reason and the study goes on.</summary>
public sealed class StudyRunner
{
    private readonly StudyPlan _plan;
    private readonly string _study;
    private readonly IStudyExecutor _exec;
    private readonly Action<string> _log;

    /// <summary>A runner for <paramref name="plan"/> writing into <paramref name="studyFolder"/>.</summary>
    public StudyRunner(StudyPlan plan, string studyFolder, IStudyExecutor executor, Action<string> log)
    {
        _plan = plan;
        _study = studyFolder;
        _exec = executor;
        _log = log;
    }

    /// <summary>Creates the study folder with <c>plan.json</c>, or checks that an existing one holds the same plan.</summary>
    /// <exception cref="ViTokException">The folder holds another plan, or is not a study folder.</exception>
    public void Prepare()
    {
        string planPath = Path.Combine(_study, "plan.json");
        string text = _plan.Json.ToJsonString(Json.Options) + "\n";
        if (File.Exists(planPath))
        {
            var existing = JsonNode.Parse(File.ReadAllText(planPath));
            if (!JsonNode.DeepEquals(existing, JsonNode.Parse(text)))
                throw new ViTokException($"{_study}: this study folder holds a different plan (plan.json); rerun with the same plan, or give another --out.");
            return;
        }
        if (Directory.Exists(_study) && Directory.EnumerateFileSystemEntries(_study).Any())
            throw new ViTokException($"{_study}: the folder exists and is not a study folder (no plan.json); give a new or empty --out.");
        Directory.CreateDirectory(_study);
        AtomicFile.WriteAllText(planPath, text);
    }

    /// <summary>Runs the runs of shard <paramref name="shard"/>/<paramref name="shards"/>; stops starting runs after
    /// <paramref name="maxMinutes"/> (0 = no limit; the run in progress saves and resumes next time).</summary>
    /// <returns>Counts of runs done now, skipped (already done), failed, and left for later.</returns>
    /// <exception cref="ViTokException">The study folder holds another plan.</exception>
    public (int Done, int Skipped, int Failed, int Left) Run(int shard, int shards, double maxMinutes, CancellationToken ct)
    {
        Prepare();
        var runs = StudyRuns.Shard(StudyRuns.Expand(_plan), shard, shards);
        var clock = Stopwatch.StartNew();
        int done = 0, skipped = 0, failed = 0;
        var durations = new List<double>();
        for (int k = 0; k < runs.Count; k++)
        {
            var run = runs[k];
            if (StudyResults.ReadRow(_study, run.Name) is JsonObject row)
            {
                skipped++;
                _log($"run {k + 1} of {runs.Count}: {run.Name}: already {row["status"]} (skipped)");
                continue;
            }
            double left = maxMinutes > 0 ? maxMinutes * 60 - clock.Elapsed.TotalSeconds : double.PositiveInfinity;
            if (left <= 0 || ct.IsCancellationRequested)
                return (done, skipped, failed, runs.Count - k);
            string eta = durations.Count > 0
                ? $", ETA {TimeSpan.FromSeconds(durations.Average() * (runs.Count - k)):hh\\:mm\\:ss}"
                : "";
            _log($"run {k + 1} of {runs.Count}: {run.Name}{eta}");
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            if (double.IsFinite(left)) limit.CancelAfter(TimeSpan.FromSeconds(left));
            var started = Stopwatch.StartNew();
            var outcome = RunOne(run, limit.Token);
            if (outcome is null) return (done, skipped, failed, runs.Count - k);     // cancelled: resumes next time
            durations.Add(started.Elapsed.TotalSeconds);
            if (outcome.Value) done++;
            else failed++;
        }
        return (done, skipped, failed, 0);
    }

    /// <summary>Trains (with retries) and evaluates one run. Returns true (done), false (failed), null (cancelled).</summary>
    private bool? RunOne(StudyRunSpec run, CancellationToken ct)
    {
        var config = StudyPlanLoader.Resolve(_plan, run, Path.Combine(_study, "plan.json"));
        string folder = StudyResults.RunFolder(_study, run.Name);
        string attemptsPath = Path.Combine(StudyResults.RowFolder(_study), run.Name + ".attempts");
        Directory.CreateDirectory(StudyResults.RowFolder(_study));
        string? lastError = null;
        while (true)
        {
            int attempt = ReadAttempts(attemptsPath) + 1;
            if (attempt > _plan.Attempts)
            {
                string reason = lastError ?? ReadError(attemptsPath) ?? "the run did not finish (the process was killed)";
                StudyResults.WriteRow(_study, FailedRow(run, attempt - 1, reason));
                _log($"  {run.Name}: failed after {attempt - 1} attempts: {reason}");
                return false;
            }
            AtomicFile.WriteAllText(attemptsPath, attempt.ToString(CultureInfo.InvariantCulture) + "\n");
            bool resume = Directory.Exists(Path.Combine(folder, "checkpoints")) && Directory.EnumerateFiles(Path.Combine(folder, "checkpoints"), "*.safetensors").Any();
            if (!resume && Directory.Exists(folder)) Directory.Delete(folder, recursive: true);   // started, no checkpoint yet: nothing to keep
            if (attempt > 1) _log($"  {run.Name}: attempt {attempt} of {_plan.Attempts}{(resume ? " (resuming from its last checkpoint)" : "")}");
            try
            {
                bool finished = _exec.Train(config, folder, resume, (s, n) => _log($"  {run.Name}: step {s} of {n}"), ct);
                if (!finished) return null;
                var row = _exec.Evaluate(config, folder, _plan.Eval, ct);
                row["run"] = run.Name;
                row["index"] = run.Index;
                row["seed"] = run.Seed;
                row["axes"] = new JsonObject(run.Axes.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)));
                row["status"] = "done";
                row["attempts"] = attempt;
                StudyResults.WriteRow(_study, Order(row));
                return true;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return null;
            }
            catch (ViTokException e)
            {
                lastError = e.Message;
                AtomicFile.WriteAllText(attemptsPath + ".error", e.Message + "\n");
                _log($"  {run.Name}: attempt {attempt} failed: {e.Message}");
            }
        }
    }

    private JsonObject FailedRow(StudyRunSpec run, int attempts, string reason) => new()
    {
        ["run"] = run.Name, ["index"] = run.Index, ["seed"] = run.Seed,
        ["axes"] = new JsonObject(run.Axes.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
        ["status"] = "failed", ["reason"] = reason, ["attempts"] = attempts,
    };

    private static JsonObject Order(JsonObject row)
    {
        string[] first = ["run", "index", "seed", "axes", "status", "attempts"];
        var ordered = new JsonObject();
        foreach (string k in first.Where(row.ContainsKey)) ordered[k] = row[k]!.DeepClone();
        foreach (var kv in row.Where(kv => !first.Contains(kv.Key)).ToList()) ordered[kv.Key] = kv.Value?.DeepClone();
        return ordered;
    }

    private static int ReadAttempts(string path) =>
        File.Exists(path) && int.TryParse(File.ReadAllText(path).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : 0;

    private static string? ReadError(string attemptsPath) =>
        File.Exists(attemptsPath + ".error") ? File.ReadAllText(attemptsPath + ".error").Trim() : null;
}
