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

    /// <summary>How long a run waits for its dependency (<see cref="StudyRunSpec.DependsOn"/>) when another shard runs
    /// it and its row is not there yet; then the run is left for a later call. Default 60 minutes.</summary>
    public TimeSpan DependencyWait { get; init; } = TimeSpan.FromMinutes(60);

    /// <summary>How often a waiting run looks for its dependency's row. Default 15 s.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Runs the runs of shard <paramref name="shard"/>/<paramref name="shards"/>; stops starting runs after
    /// <paramref name="maxMinutes"/> (0 = no limit; the run in progress saves and resumes next time). Independent runs
    /// go first, then the runs that depend on another run: a dependency done → it runs (with "$dep" replaced by the
    /// dependency's folder); a dependency failed → it is marked failed ("blocked_by", redone on a later call once the
    /// dependency is done); a dependency of another shard not there yet → it waits (<see cref="DependencyWait"/>,
    /// polling), else it is left for a later call.</summary>
    /// <returns>Counts of runs done now, skipped (already done), failed, and left for later.</returns>
    /// <exception cref="ViTokException">The study folder holds another plan.</exception>
    public (int Done, int Skipped, int Failed, int Left) Run(int shard, int shards, double maxMinutes, CancellationToken ct)
    {
        Prepare();
        var all = StudyRuns.Expand(_plan);
        var runs = StudyRuns.ExecutionOrder(StudyRuns.Shard(all, shard, shards));
        var clock = Stopwatch.StartNew();
        int done = 0, skipped = 0, failed = 0, left = 0;
        var durations = new List<double>();
        double SecondsLeft() => maxMinutes > 0 ? maxMinutes * 60 - clock.Elapsed.TotalSeconds : double.PositiveInfinity;
        for (int k = 0; k < runs.Count; k++)
        {
            var run = runs[k];
            if (StudyResults.ReadRow(_study, run.Name) is JsonObject row)
            {
                if (!Unblocked(row))
                {
                    skipped++;
                    _log($"run {k + 1} of {runs.Count}: {run.Name}: already {row["status"]} (skipped)");
                    continue;
                }
                File.Delete(StudyResults.RowPath(_study, run.Name));
                _log($"run {k + 1} of {runs.Count}: {run.Name}: its dependency is done now; running it");
            }
            if (SecondsLeft() <= 0 || ct.IsCancellationRequested)
                return (done, skipped, failed, left + runs.Count - k);
            if (run.DependsOn is string dep)
            {
                var depRow = WaitFor(all.First(r => r.Name == dep), run, shard, shards, SecondsLeft, ct);
                if (depRow is null)
                {
                    left++;
                    _log($"run {k + 1} of {runs.Count}: {run.Name}: its dependency {dep} is not done yet; left for a later call");
                    continue;
                }
                if (!StudyResults.IsDone(depRow))
                {
                    var blocked = FailedRow(run, 0, $"its dependency {dep} failed: {depRow["reason"]}");
                    blocked["blocked_by"] = dep;
                    StudyResults.WriteRow(_study, blocked);
                    failed++;
                    _log($"run {k + 1} of {runs.Count}: {run.Name}: not run, its dependency {dep} failed");
                    continue;
                }
            }
            string eta = durations.Count > 0
                ? $", ETA {TimeSpan.FromSeconds(durations.Average() * (runs.Count - k)):hh\\:mm\\:ss}"
                : "";
            _log($"run {k + 1} of {runs.Count}: {run.Name}{eta}");
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            if (double.IsFinite(SecondsLeft())) limit.CancelAfter(TimeSpan.FromSeconds(Math.Max(0, SecondsLeft())));
            var started = Stopwatch.StartNew();
            var outcome = RunOne(run, limit.Token);
            if (outcome is null) return (done, skipped, failed, left + runs.Count - k);     // cancelled: resumes next time
            durations.Add(started.Elapsed.TotalSeconds);
            if (outcome.Value) done++;
            else failed++;
        }
        return (done, skipped, failed, left);
    }

    // A failed row written because the dependency had failed, whose dependency is done now: the run is redone.
    private bool Unblocked(JsonObject row) =>
        row["blocked_by"]?.GetValue<string>() is string dep && StudyResults.IsDone(StudyResults.ReadRow(_study, dep));

    // The dependency's row; when another shard runs it and it is not there yet, polls until it appears, the wait or the
    // time runs out, or the call is cancelled (null).
    private JsonObject? WaitFor(StudyRunSpec dep, StudyRunSpec run, int shard, int shards, Func<double> secondsLeft, CancellationToken ct)
    {
        if (StudyResults.ReadRow(_study, dep.Name) is JsonObject row) return row;
        if (dep.Index % shards == shard) return null;                 // this process's own run, not finished in this call
        _log($"  {run.Name}: waiting for {dep.Name} (shard {dep.Index % shards}/{shards}) for up to {DependencyWait.TotalMinutes:0.#} min");
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < DependencyWait && secondsLeft() > 0 && !ct.IsCancellationRequested)
        {
            var pause = TimeSpan.FromSeconds(Math.Min(PollInterval.TotalSeconds, Math.Max(0.001, Math.Min(secondsLeft(), (DependencyWait - waited.Elapsed).TotalSeconds))));
            ct.WaitHandle.WaitOne(pause);
            if (StudyResults.ReadRow(_study, dep.Name) is JsonObject found) return found;
        }
        return null;
    }

    /// <summary>Trains (with retries) and evaluates one run. Returns true (done), false (failed), null (cancelled).</summary>
    private bool? RunOne(StudyRunSpec run, CancellationToken ct)
    {
        string? depFolder = run.DependsOn is string dep ? Path.GetFullPath(StudyResults.RunFolder(_study, dep)) : null;
        var config = StudyPlanLoader.Resolve(_plan, run, Path.Combine(_study, "plan.json"), depFolder);
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
                if (_plan.Generation is { } generation)
                {
                    _log($"  {run.Name}: generation: latents, DiT, {StudyGeneration.Metric}");
                    if (_exec.Generate(config, folder, generation, _plan.Eval, ct) is not JsonObject extra) return null;
                    foreach (var (key, value) in extra.ToList())
                    {
                        if (key == "metrics" && value is JsonObject m && row["metrics"] is JsonObject metrics)
                            foreach (var (mk, mv) in m.ToList()) metrics[mk] = mv?.DeepClone();
                        else row[key] = value?.DeepClone();
                    }
                }
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
