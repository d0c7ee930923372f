using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using ViTok.IO;

namespace ViTok.Training;

/// <summary>The run machinery every training recipe shares, written once: create or resume a run folder (its exclusive
/// lock, the resume-override check of <see cref="ResumeOverrides"/>, the torn-line trim of <c>metrics.jsonl</c>), the
/// loop (cancellation, time limit, <c>first_checkpoint_minutes</c>, the non-finite-step guard, the log/sample/checkpoint
/// cadence, <c>metrics.jsonl</c>, one-line failure reports), and the training state (<see cref="TrainState"/>: every
/// tracked module, optimiser and EMA under its prefix, saved, pruned, exported and restored bit-exactly). A recipe (the
/// tokenizer's <see cref="AutoencoderTrainer"/>, the DiT's trainer) builds its model, registers what its state holds with
/// <see cref="Track(string, nn.Module)"/> and its overloads, and supplies its step, samples, export and figures.
/// <para>Data parallelism goes through <see cref="Sync"/> (<see cref="SingleProcessSync"/> by default, where every hook
/// is a no-op): after create/resume every tracked tensor is broadcast from rank 0; recipes average gradients over ranks
/// after each backward (<see cref="SyncAndClip"/>, before clipping and the non-finite check); the logged figures are
/// averaged over ranks; the stop decisions are agreed by all ranks; only rank 0 touches the run folder (lock, config,
/// metrics, log, samples, checkpoints, export).</para></summary>
/// <typeparam name="TConfig">The recipe's run config.</typeparam>
/// <typeparam name="TStats">The recipe's per-step figures.</typeparam>
public abstract class TrainingRun<TConfig, TStats> : IDisposable
    where TConfig : RunConfig
    where TStats : IStepStats
{
    private readonly List<Section> _sections = [];
    private bool _savedThisRun;

    /// <summary>One entry of the training state: a module, an optimiser or an EMA under a prefix.</summary>
    private sealed record Section(string Prefix, nn.Module? Module, AdamW? Optimiser, Ema? Ema);

    /// <summary>Stores the run's parts; the recipe's constructor then builds its model and data.</summary>
    /// <param name="config">The resolved config.</param>
    /// <param name="run">The run folder (owned: released on dispose).</param>
    /// <param name="sync">The data-parallel hooks.</param>
    /// <param name="log">Becomes <see cref="OnLog"/> from the first line on.</param>
    protected TrainingRun(TConfig config, RunDirectory run, IGradientSync sync, Action<string>? log)
    {
        Config = config;
        Run = run;
        Sync = sync;
        OnLog = log;
        Device = new Device(config.Device);
        Dtype = config.Dtype == "bf16" ? ScalarType.BFloat16 : ScalarType.Float32;
        Schedule = LrSchedule.For(config);
        if (config.BatchSize % sync.WorldSize != 0)
            throw new ViTokException($"batch_size {config.BatchSize} is not a multiple of the {sync.WorldSize} ranks: each rank trains on an equal slice of the global batch; " +
                                     $"set --set batch_size={Math.Max(1, config.BatchSize / sync.WorldSize) * sync.WorldSize} or use another number of ranks.");
    }

    /// <summary>The next step to run (0-based); equals the number of steps done.</summary>
    public int Step { get; private set; }

    /// <summary>The resolved config.</summary>
    public TConfig Config { get; }

    /// <summary>The run folder.</summary>
    public RunDirectory Run { get; }

    /// <summary>The data-parallel hooks (a single process: <see cref="SingleProcessSync.Instance"/>).</summary>
    public IGradientSync Sync { get; }

    /// <summary>Called after every step with its figures (averaged over ranks).</summary>
    public Action<TStats>? OnStep { get; set; }

    /// <summary>Called with every log line (rank 0 also writes it to log.txt).</summary>
    public Action<string>? OnLog { get; set; }

    /// <summary>When set, the loop and the recipe mark their phases on it (data, forward, backward, optimiser, other):
    /// a profile of where a step's wall time goes (<c>vitok bench train-step --profile</c>). Null: nothing is measured.</summary>
    public PhaseClock? Phases { get; set; }

    /// <summary>The compute device of the config.</summary>
    protected Device Device { get; }

    /// <summary>The compute dtype of the config (bf16 or f32).</summary>
    protected ScalarType Dtype { get; }

    /// <summary>Warmup + cosine schedule of the config.</summary>
    protected LrSchedule Schedule { get; }

    /// <summary>Non-finite steps in a row (saved in the state; the run stops at <c>max_bad_steps</c>).</summary>
    protected int BadInRow { get; private set; }

    /// <summary>Whether this process owns the run folder (rank 0).</summary>
    protected bool IsLeader => Sync.Rank == 0;

    /// <summary>The recipe's endless, seeded batch stream (its position is saved in the state).</summary>
    protected abstract ITrainingData Data { get; }

    /// <summary>What the non-finite-step stop tells the user to check ("data", "latents").</summary>
    protected virtual string DataName => "data";

    /// <summary>Whether the last step writes samples even off the <c>sample_every</c> cadence.</summary>
    protected virtual bool SamplesAtLastStep => true;

    /// <summary>The <c>kind</c> metadata value of the recipe's training states and the model's metadata
    /// (<see cref="TrainState"/>).</summary>
    protected abstract Dictionary<string, string> StateMetadata();

    /// <summary>The lines logged when the loop starts (model, parameters, data).</summary>
    protected abstract IEnumerable<string> HeaderLines();

    /// <summary>One training step on a batch from <see cref="Data"/> (the loop disposes the batch): everything the
    /// step updates, and its figures; a skipped step (non-finite loss or gradient) updates nothing and says so.</summary>
    protected abstract TStats TrainOn(Tensor input, Tensor? labels);

    /// <summary>The figures with their loss values replaced by their mean over ranks
    /// (<see cref="IGradientSync.AverageValues"/>), for the log and metrics.</summary>
    protected abstract TStats AverageOverRanks(TStats stats);

    /// <summary>The <c>metrics.jsonl</c> object of a step (<see cref="Step"/> is already the steps done).</summary>
    protected abstract JsonObject MetricsLine(TStats stats);

    /// <summary>The log line of a step.</summary>
    protected abstract string StepLine(TStats stats);

    /// <summary>Writes the sample grid of the current step under <c>samples/</c> (called on rank 0 only).</summary>
    public abstract void WriteSamples();

    /// <summary>Writes the exportable model to <paramref name="path"/> (called on rank 0 only).</summary>
    public abstract void ExportModel(string path);

    /// <summary>Adds a module's state dict to the training state under <paramref name="prefix"/> (e.g. <c>model.</c>).</summary>
    protected void Track(string prefix, nn.Module module) => _sections.Add(new Section(prefix, module, null, null));

    /// <summary>Adds an optimiser's state (moments, master weights, step) under <paramref name="prefix"/>.</summary>
    protected void Track(string prefix, AdamW optimiser) => _sections.Add(new Section(prefix, null, optimiser, null));

    /// <summary>Adds an EMA's averaged values under <paramref name="prefix"/>.</summary>
    protected void Track(string prefix, Ema ema) => _sections.Add(new Section(prefix, null, null, ema));

    /// <summary>The seed of the current step's random generator, a function of (seed, step) alone: every draw of a step
    /// comes from that generator, which makes a resume exact.</summary>
    protected ulong StepSeed => (ulong)(Config.Seed * 1_000_003 + Step);

    /// <summary>Whether <paramref name="loss"/> is finite on every rank (a NaN on one rank makes the mean NaN), so all
    /// ranks skip a step together.</summary>
    protected bool FiniteOnAllRanks(double loss) => double.IsFinite(Sync.WorldSize == 1 ? loss : Sync.AverageValues([loss])[0]);

    /// <summary>After backward: averages the gradients of <paramref name="optimiser"/>'s parameters over ranks, then
    /// clips them to the global L2 norm <paramref name="clip"/> (&gt; 0) or, with 0, only measures it.</summary>
    /// <returns>The global L2 norm before clipping (non-finite: the step must be skipped).</returns>
    protected double SyncAndClip(AdamW optimiser, double clip)
    {
        Sync.AverageGradients([.. optimiser.Parameters.Where(p => p.grad is not null)]);
        return clip > 0
            ? torch.nn.utils.clip_grad_norm_(optimiser.Parameters, clip)
            : Math.Sqrt(optimiser.Parameters.Where(p => p.grad is not null).Sum(p => p.grad!.pow(Scalars.Of(2)).sum().item<float>()));
    }

    /// <summary>Writes a line to log.txt (rank 0) and to <see cref="OnLog"/>.</summary>
    protected void Log(string line)
    {
        if (IsLeader) Run.Log(line);
        OnLog?.Invoke(line);
    }

    /// <summary>Starts a new run in <paramref name="runDir"/>, which must not hold checkpoints: rank 0 takes the
    /// folder's lock, <paramref name="build"/> makes the recipe, config.json is written, every tracked tensor is
    /// broadcast from rank 0.</summary>
    /// <exception cref="ViTokException">The folder is not a run folder, holds checkpoints, or another process trains in it.</exception>
    protected static TRun StartNew<TRun>(string runDir, string verb, IGradientSync sync, Func<RunDirectory, TRun> build)
        where TRun : TrainingRun<TConfig, TStats>
    {
        if (sync.Rank == 0) RunDirectory.RefuseForeign(runDir);
        var run = RunDirectory.ForRank(runDir, verb, sync.Rank);
        return Assemble(run, () =>
        {
            if (sync.Rank == 0 && run.Checkpoints().Count > 0)
                throw new ViTokException($"{run.Root} already holds checkpoints; resume it with --resume {runDir} or choose another -o/--output.");
            return build(run);
        }, null, t => t.Log($"config {t.Config.ToJson(indented: false)}"));
    }

    /// <summary>Resumes the newest checkpoint of a run: <paramref name="overrides"/> may change only
    /// <paramref name="allowed"/> keys (each change is logged and recorded in config.json), <paramref name="build"/>
    /// makes the recipe from the resolved config and the state's entries, the state is restored, a torn last line of
    /// metrics.jsonl is dropped and every tracked tensor is broadcast from rank 0. Every rank reads the checkpoint (a
    /// shared file system); only rank 0 writes.</summary>
    /// <param name="runDir">The run folder.</param>
    /// <param name="verb">The command that trains such runs (<c>vitok train</c>).</param>
    /// <param name="kind">The <c>kind</c> of the recipe's state files.</param>
    /// <param name="stateName">What the refusal calls such a file ("training-state checkpoint").</param>
    /// <param name="overrides">Dotted <c>key=value</c> assignments.</param>
    /// <param name="allowed">Keys a resume may change.</param>
    /// <param name="load">The recipe's config loader (<c>FromJson</c>).</param>
    /// <param name="sync">The data-parallel hooks.</param>
    /// <param name="build">Makes the recipe: the run folder, the checkpoint path, the state's entries with the
    /// resolved config.</param>
    /// <exception cref="ViTokException">No checkpoint, another process trains in the folder, or a refused override.</exception>
    protected static TRun ResumeLatest<TRun>(string runDir, string verb, string kind, string stateName, IEnumerable<string> overrides,
        IReadOnlyCollection<string> allowed, Func<JsonObject, string, TConfig> load, IGradientSync sync, Func<RunDirectory, string, TrainStateInfo<TConfig>, TRun> build)
        where TRun : TrainingRun<TConfig, TStats>
    {
        var run = RunDirectory.ForRank(runDir, verb, sync.Rank);
        string last = "";
        TrainStateInfo<TConfig>? saved = null;
        IReadOnlyList<string> changes = [], edited = [];
        return Assemble(run, () =>
        {
            last = run.Checkpoints().LastOrDefault()
                   ?? throw new ViTokException($"{run.Root}: no checkpoint to resume from (checkpoints/step_*.safetensors).");
            saved = TrainState.ReadInfo<TConfig>(last, kind, stateName, verb);
            (var cfg, changes) = ResumeOverrides.Apply(saved.Config, overrides, allowed, load);
            edited = ResumeOverrides.DifferingKeys(run.ConfigPath, saved.Config);
            return build(run, last, saved with { Config = cfg });
        }, t => t.LoadState(last, saved!), t =>
        {
            if (edited.Count > 0)
                t.Log($"config.json differed from the checkpoint in {string.Join(", ", edited)}: a resume reads the checkpoint's config; change allowed keys with --set key=value");
            foreach (var change in changes) t.Log($"resume override {change} (recorded in config.json)");
            int torn = t.IsLeader ? run.TruncateMetrics(t.Step) : 0;
            if (torn > 0) t.Log($"metrics.jsonl: dropped {torn} unreadable line(s) left by an interrupted write");
            t.Log($"resumed from {Path.GetFileName(last)} at step {t.Step} (data epoch {t.Data.Position.Epoch}, index {t.Data.Position.Index})");
        });
    }

    /// <summary>The steps of create and resume around the recipe: build it, <paramref name="restore"/> its state, write
    /// config.json, log what the folder's opening removed, <paramref name="announce"/>, broadcast from rank 0; on any
    /// failure the trainer (or, before it exists, the run folder's lock) is released.</summary>
    private static TRun Assemble<TRun>(RunDirectory run, Func<TRun> build, Action<TRun>? restore, Action<TRun> announce)
        where TRun : TrainingRun<TConfig, TStats>
    {
        TRun? trainer = null;
        try
        {
            trainer = build();
            restore?.Invoke(trainer);
            trainer.WriteConfig();
            trainer.LogRemovedTemporaries();
            announce(trainer);
            trainer.BroadcastState();
            return trainer;
        }
        catch
        {
            if (trainer is null) run.Dispose();
            else trainer.Dispose();
            throw;
        }
    }

    private void WriteConfig()
    {
        if (IsLeader) AtomicFile.WriteAllText(Run.ConfigPath, Config.ToJson(indented: true));
    }

    private void LogRemovedTemporaries()
    {
        if (Run.RemovedTemporaries.Count > 0)
            Log($"removed {Run.RemovedTemporaries.Count} temporary file(s) left by an interrupted writer: {string.Join(", ", Run.RemovedTemporaries)}");
    }

    /// <summary>Runs until <c>steps</c>, the time limit, too many bad steps or cancellation; always leaves a checkpoint.
    /// A first checkpoint is written after <c>first_checkpoint_minutes</c> when <c>checkpoint_every</c> has not come yet.</summary>
    /// <exception cref="TrainingFailedException">A runtime (native or managed) failure: one line with the step, the
    /// newest checkpoint and the resume command; nothing is saved after it (the state may be half-updated).</exception>
    /// <exception cref="ViTokException">Too many non-finite steps in a row, or bad data.</exception>
    public void RunLoop(CancellationToken cancel)
    {
        foreach (var line in HeaderLines()) Log(line);
        if (Sync.WorldSize > 1) Log($"data parallel: {Sync.WorldSize} ranks, {Config.BatchSize / Sync.WorldSize} of the {Config.BatchSize} items of each batch per rank");
        var clock = Stopwatch.StartNew();
        int failing = Step + 1;
        string phase = "starting";
        try
        {
            while (Step < Config.Steps)
            {
                // Every rank stops at the same step: a signal or the clock of any rank stops them all.
                bool interrupted = cancel.IsCancellationRequested;
                bool timeUp = !interrupted && Config.MaxMinutes > 0 && clock.Elapsed.TotalMinutes >= Config.MaxMinutes;
                if (AnyRank(interrupted || timeUp))
                {
                    Log(timeUp ? $"time limit of {Config.MaxMinutes} min reached at step {Step}" : $"interrupted at step {Step}");
                    break;
                }
                failing = Step + 1;
                phase = "loading data";
                Phases?.Enter(PhaseClock.Data);
                // Data parallelism: every rank reads the global batch the shared seed and position give (so any number
                // of ranks sees the items of one process, and a resume works with any number) and trains on its rows
                // r·B/W … (r+1)·B/W; the step's random draws are made for the global batch and cut the same way.
                var (global, globalLabels) = Data.Next();
                Phases?.Enter(PhaseClock.Other);
                phase = "running the training step";
                TStats stats;
                try
                {
                    long rows = global.shape[0] / Sync.WorldSize, offset = Sync.Rank * rows;
                    if (Sync.WorldSize == 1)
                        stats = TrainOn(global, globalLabels);
                    else
                    {
                        using var input = global.narrow(0, offset, rows);
                        using var labels = globalLabels?.narrow(0, offset, rows);
                        using var draws = BatchDraws.Slice(offset, rows, global.shape[0]);
                        stats = TrainOn(input, labels);
                    }
                }
                finally
                {
                    global.Dispose();
                    globalLabels?.Dispose();
                }
                if (stats.Skipped)
                {
                    BadInRow++;
                    Log($"(step={Step:D7}) non-finite loss or gradient: step skipped ({BadInRow} in a row)");
                }
                else
                {
                    BadInRow = 0;
                }
                Step++;
                stats = AverageOverRanks(stats);
                phase = "writing metrics.jsonl";
                if (IsLeader) Run.AppendMetrics(MetricsLine(stats).ToJsonString());
                phase = "reporting progress";
                OnStep?.Invoke(stats);
                if (stats.Skipped && BadInRow >= Config.MaxBadSteps)
                    throw new ViTokException($"training stopped: {BadInRow} non-finite steps in a row at step {Step}. The last checkpoint in {Run.CheckpointDir} is intact; lower lr (--set lr=...) or check the {DataName}, then resume.");
                phase = "logging";
                if (Step % Config.LogEvery == 0 || Step == Config.Steps) Log(StepLine(stats));
                phase = "writing samples";
                if (IsLeader && (Step % Config.SampleEvery == 0 || (Step == Config.Steps && SamplesAtLastStep))) WriteSamples();
                phase = "saving the checkpoint";
                if (Sync.WorldSize > 1 && (Step % Config.CheckpointEvery == 0 || Step == Config.Steps)) CheckRanksIdentical();
                if (Step % Config.CheckpointEvery == 0 || Step == Config.Steps || FirstCheckpointDue(clock)) SaveCheckpoint();
            }
            phase = "saving the checkpoint";
            if (IsLeader && !File.Exists(Run.CheckpointPath(Step))) SaveCheckpoint();
        }
        catch (Exception e) when (e is not (ViTokException or OperationCanceledException or BadItemException))
        {
            var failure = new TrainingFailedException(failing, phase, Run, e);
            try
            {
                if (IsLeader) Run.Log(failure.Message);
            }
            catch (IOException)
            {
                // a full disk: the message still reaches the user
            }
            throw failure;
        }
    }

    // Every rank must hold the same weights after the same averaged steps; a difference (a desynchronised rank) stops
    // the run before it writes a checkpoint from rank 0 alone.
    private void CheckRanksIdentical()
    {
        if (Sync.CheckIdentical(StateTensors()) is string differ)
            throw new ViTokException($"training stopped at step {Step}: {differ}. The last checkpoint in {Run.CheckpointDir} is intact; resume from it.");
        Log($"(step={Step:D7}) weights and optimiser state bit-identical on all {Sync.WorldSize} ranks");
    }

    private bool FirstCheckpointDue(Stopwatch clock) =>
        !_savedThisRun && Config.FirstCheckpointMinutes > 0 && clock.Elapsed.TotalMinutes >= Config.FirstCheckpointMinutes;

    private bool AnyRank(bool flag) => Sync.WorldSize == 1 ? flag : Sync.AverageValues([flag ? 1.0 : 0.0])[0] > 0;

    /// <summary>Writes the training state (atomically; rank 0 only), prunes old ones and exports the model.</summary>
    /// <exception cref="InvalidOperationException">A tracked tensor holds a non-finite value (nothing is written).</exception>
    public void SaveCheckpoint()
    {
        if (!IsLeader) return;
        string path = Run.CheckpointPath(Step);
        var tensors = new Dictionary<string, Tensor>();
        var steps = new List<Tensor>();   // optimisers' step counters: fresh scalars to free
        try
        {
            foreach (var s in _sections)
            {
                if (s.Module is not null)
                    foreach (var (k, t) in s.Module.state_dict()) tensors[s.Prefix + k] = t;
                if (s.Optimiser is not null)
                {
                    var state = s.Optimiser.StateDict();
                    steps.Add(state["step"]);
                    foreach (var (k, t) in state) tensors[s.Prefix + k] = t;
                }
                if (s.Ema is not null)
                    foreach (var (k, t) in s.Ema.Values) tensors[s.Prefix + k] = t;
            }
            TrainState.Save(path, tensors, StateMetadata(), Config, Step, Data.Position, BadInRow);
        }
        finally
        {
            foreach (var t in steps) t.Dispose();
        }
        _savedThisRun = true;
        Run.Prune(Config.KeepLast);
        ExportModel(Run.ModelPath);
        Log($"(step={Step:D7}) checkpoint {Path.GetRelativePath(Run.Root, path)}");
    }

    /// <summary>Restores every tracked section, the data position, the step and the bad-step counter.</summary>
    private void LoadState(string path, TrainStateInfo<TConfig> info)
    {
        var (all, _) = Safetensors.Read(path);
        try
        {
            foreach (var s in _sections)
            {
                if (s.Module is not null) StateDict.LoadStrict(s.Module, TrainState.Section(all, s.Prefix), path);
                s.Optimiser?.LoadStateDict(TrainState.Section(all, s.Prefix), path);
                s.Ema?.Load(all, s.Prefix);
            }
            Data.Seek(info.Position);
            Step = info.Step;
            BadInRow = info.BadInRow;
        }
        finally
        {
            foreach (var t in all.Values) t.Dispose();
        }
    }

    /// <summary>Gives every rank rank 0's weights, buffers, optimiser state and EMA (in the order of the sections).</summary>
    private void BroadcastState()
    {
        using var _ = torch.no_grad();
        Sync.Broadcast(StateTensors());
    }

    // Every tracked tensor: module parameters and buffers, optimiser state, EMA values, in section order.
    private List<Tensor> StateTensors()
    {
        var tensors = new List<Tensor>();
        foreach (var s in _sections)
        {
            if (s.Module is not null)
            {
                tensors.AddRange(s.Module.parameters());
                tensors.AddRange(s.Module.buffers());
            }
            if (s.Optimiser is not null) tensors.AddRange(s.Optimiser.StateTensors);
            if (s.Ema is not null) tensors.AddRange(s.Ema.Values.Values);
        }
        return tensors;
    }

    /// <summary>Releases the run folder's lock, then the recipe's resources.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the run folder's lock; a recipe frees its model, optimisers and data after calling this.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing) Run.Dispose();
    }
}
