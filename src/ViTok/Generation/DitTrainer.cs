using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ViTok.Diffusion;
using ViTok.IO;
using ViTok.Layers;
using ViTok.Models;
using ViTok.Training;
using AdamW = ViTok.Training.AdamW;
using ViTok.Models.Dit;

namespace ViTok.Generation;

/// <summary>The DiT trainer (paper §7) over a latent dataset from <c>vitok encode-dataset</c>: AdamW with decay on
/// weight matrices, warmup + cosine, gradient clipping, EMA, label dropout for classifier-free guidance, the loss of the
/// configured diffusion formulation, and the auto-encoder trainer's machinery (run folder, metrics.jsonl, atomic
/// training-state checkpoints, exact resume: every random draw of a step comes from (seed, step) and the data
/// position, NaN guard). Sample grids are decoded through the tokenizer named in the latents.</summary>
public sealed class DitTrainer : IDisposable
{
    private readonly DitTrainConfig _cfg;
    private readonly RunDirectory _run;
    private readonly LatentSet _latents;
    private readonly bool _ownsLatents;
    private readonly Tensor _items;       // [N, 1 or 2, L, c]: mean (and logvar)
    private readonly Tensor _labels;      // [N] in 0 … K (K = null class)
    private readonly TensorTrainingData _data;
    private readonly LatentSpace _space;  // with the latent scale
    private readonly Dit _model;
    private readonly IDiffusionProcess _process;
    private readonly AdamW _opt;
    private readonly Ema _ema;
    private readonly LrSchedule _schedule;
    private readonly Device _device;
    private readonly ScalarType _dtype;
    private IAutoencoder? _tokenizer;
    private bool _tokenizerTried;
    private int _badInRow;
    private bool _savedThisRun;

    /// <summary>The next step to run (0-based); equals the number of steps done.</summary>
    public int Step { get; private set; }

    /// <summary>The resolved config.</summary>
    public DitTrainConfig Config => _cfg;

    /// <summary>The model being trained.</summary>
    public Dit Model => _model;

    /// <summary>The latent space the model works in (its scale included).</summary>
    public LatentSpace Space => _space;

    /// <summary>The run folder.</summary>
    public RunDirectory Run => _run;

    /// <summary>Called after every step with its figures.</summary>
    public Action<DitStepStats>? OnStep { get; set; }

    /// <summary>Called with every log line (also written to log.txt).</summary>
    public Action<string>? OnLog { get; set; }

    private DitTrainer(DitTrainConfig cfg, RunDirectory run, LatentSet latents, bool ownsLatents, double? resumeScale, string? resumeFrom, Action<string>? log)
    {
        OnLog = log;
        _cfg = cfg;
        _run = run;
        _latents = latents;
        _ownsLatents = ownsLatents;
        _device = new Device(cfg.Device);
        _dtype = cfg.Dtype == "bf16" ? ScalarType.BFloat16 : ScalarType.Float32;
        var (mu, std) = latents.Statistics();
        double scale = resumeScale ?? cfg.LatentScale ?? 1.0 / Math.Max(std, 1e-6);
        _space = latents.Space with { Scale = scale };
        Log($"latents: {latents.Count} items, grid {string.Join("×", _space.Grid)} of c = {_space.Contract.Channels}, {_space.Classes.Count} classes, mean {mu:F4}, std {std:F4} → latent scale {scale:F4}");

        // ---- setup: model, EMA (init_from is not offered: a DiT run starts from scratch or resumes) ----
        torch.manual_seed(cfg.Seed);
        int numClasses = _space.Classes.Count;
        _model = new Dit(DitConfig.FromVariant(cfg.Variant, _space.Contract.Channels, numClasses));
        _model.to(_device).to(_dtype);
        _model.train();
        _ema = new Ema(_model.named_parameters().Select(p => (p.name, p.parameter)), cfg.EmaDecay);

        // ---- setup: optimiser (no decay on biases, norms and the class table) and schedule ----
        _opt = new AdamW(_model.named_parameters().Select(p => (p.name, p.parameter)),
            (name, p) => ParamGroups.Decays(name, p) && !name.Contains("embedding_table", StringComparison.Ordinal),
            cfg.PeakLr, cfg.Beta1, cfg.Beta2, cfg.WeightDecay);
        _schedule = new LrSchedule(cfg.PeakLr, (int)Math.Round(cfg.WarmupRatio * cfg.Steps), cfg.Steps, Math.Min(cfg.MinLr, cfg.PeakLr));
        _process = cfg.Diffusion.CreateProcess();

        // ---- setup: data (posterior moments side by side, labels with unknowns → the null class) ----
        using (var scope = torch.NewDisposeScope())
        {
            var items = cfg.SamplePosterior && latents.LogVar is not null
                ? torch.stack([latents.Mean, latents.LogVar], dim: 1)
                : latents.Mean.unsqueeze(1);
            _items = items.contiguous().DetachFromDisposeScope();
            var l = latents.Labels;
            _labels = torch.where((l < Scalars.Of(0)).logical_or(l >= Scalars.Of(numClasses)), torch.full_like(l, Scalars.Of(numClasses)), l).DetachFromDisposeScope();
        }
        _data = new TensorTrainingData(_items, _labels, cfg.BatchSize, cfg.Seed);
        if (resumeFrom is not null) LoadState(resumeFrom);
    }

    /// <summary>Starts a new run in <paramref name="runDir"/> (which must not hold checkpoints) on the latents of
    /// <c>cfg.latents</c>, or on <paramref name="latents"/> when given (kept, not disposed), holding the folder's lock
    /// until <see cref="Dispose"/>; <paramref name="log"/> becomes <see cref="OnLog"/> from the first line on.</summary>
    /// <exception cref="ViTokException">The folder holds checkpoints, another process trains in it, or no latents.</exception>
    public static DitTrainer Create(DitTrainConfig cfg, string runDir, LatentSet? latents = null, Action<string>? log = null)
    {
        RunDirectory.RefuseForeign(runDir);
        var run = RunDirectory.OpenExclusive(runDir, ResumeVerb);
        try
        {
            if (run.Checkpoints().Count > 0)
                throw new ViTokException($"{run.Root} already holds checkpoints; resume it with --resume {runDir} or choose another -o/--output.");
            var set = latents ?? LatentShards.Load(cfg.Latents ?? throw new ViTokException("no latents: pass --latents <folder> (or set \"latents\" in the config)."));
            AtomicFile.WriteAllText(run.ConfigPath, JsonSerializer.Serialize(cfg, Json.Options));
            var trainer = new DitTrainer(cfg, run, set, latents is null, null, null, log);
            trainer.LogRemovedTemporaries();
            trainer.Log($"config {JsonSerializer.Serialize(cfg, Json.Compact)}");
            return trainer;
        }
        catch
        {
            run.Dispose();
            throw;
        }
    }

    /// <summary>The CLI command that trains (and resumes) this kind of run.</summary>
    public const string ResumeVerb = "vitok train-dit";

    /// <summary>Keys a resume may change (<see cref="ResumeOverrides"/>): the cadence keys and where the latents live
    /// (they must be the same encoding: checked).</summary>
    public static readonly IReadOnlyList<string> ResumableKeys = [.. ResumeOverrides.Cadence, "latents"];

    /// <summary>Resumes the newest checkpoint of a run, holding the folder's lock until <see cref="Dispose"/>;
    /// <paramref name="overrides"/> may change the keys of <see cref="ResumableKeys"/> (each change is logged and
    /// recorded in config.json); <paramref name="log"/> as in <see cref="Create"/>. A torn last line of metrics.jsonl
    /// is dropped.</summary>
    /// <exception cref="ViTokException">No checkpoint, another process trains in the folder, a refused override, or
    /// latents that differ from the run's.</exception>
    public static DitTrainer Resume(string runDir, IEnumerable<string> overrides, LatentSet? latents = null, Action<string>? log = null)
    {
        var run = RunDirectory.OpenExclusive(runDir, ResumeVerb);
        try
        {
            var last = run.Checkpoints().LastOrDefault()
                       ?? throw new ViTokException($"{run.Root}: no checkpoint to resume from (checkpoints/step_*.safetensors).");
            var info = DitTrainState.ReadInfo(last);
            var (cfg, changes) = ResumeOverrides.Apply(info.Config, overrides, ResumableKeys, DitTrainConfigLoader.FromJson);
            var set = latents ?? LatentShards.Load(cfg.Latents ?? throw new ViTokException($"{last}: the run names no latents folder; give it with --set latents=<folder>."));
            if ((set.Space with { Scale = 1 }).ToJson() != (info.Space with { Scale = 1 }).ToJson())
            {
                if (latents is null) set.Dispose();
                throw new ViTokException($"{cfg.Latents}: these latents differ from the ones the run was trained on (tokenizer, grid, classes or preprocessing).");
            }
            var edited = ResumeOverrides.DifferingKeys(run.ConfigPath, info.Config);
            AtomicFile.WriteAllText(run.ConfigPath, JsonSerializer.Serialize(cfg, Json.Options));
            var trainer = new DitTrainer(cfg, run, set, latents is null, info.Space.Scale, last, log);
            trainer.LogRemovedTemporaries();
            if (edited.Count > 0)
                trainer.Log($"config.json differed from the checkpoint in {string.Join(", ", edited)}: a resume reads the checkpoint's config; change allowed keys with --set key=value");
            foreach (var change in changes) trainer.Log($"resume override {change} (recorded in config.json)");
            int torn = run.TruncateMetrics(trainer.Step);
            if (torn > 0) trainer.Log($"metrics.jsonl: dropped {torn} unreadable line(s) left by an interrupted write");
            trainer.Log($"resumed from {Path.GetFileName(last)} at step {trainer.Step} (data epoch {trainer._data.Position.Epoch}, index {trainer._data.Position.Index})");
            return trainer;
        }
        catch
        {
            run.Dispose();
            throw;
        }
    }

    private void LogRemovedTemporaries()
    {
        if (_run.RemovedTemporaries.Count > 0)
            Log($"removed {_run.RemovedTemporaries.Count} temporary file(s) left by an interrupted writer: {string.Join(", ", _run.RemovedTemporaries)}");
    }

    /// <summary>Runs until <c>steps</c>, the time limit, too many bad steps or cancellation; always leaves a checkpoint.
    /// A first checkpoint is written after <c>first_checkpoint_minutes</c> when <c>checkpoint_every</c> has not come yet.</summary>
    /// <exception cref="TrainingFailedException">A runtime (native or managed) failure: one line with the step, the
    /// newest checkpoint and the resume command; nothing is saved after it (the state may be half-updated).</exception>
    /// <exception cref="ViTokException">Too many non-finite steps in a row.</exception>
    public void RunLoop(CancellationToken cancel)
    {
        Log($"DiT {_model.Config.Variant}: {_model.ParameterCount / 1e6:F2} M parameters, {_process.Kind}, {_space.Tokens} tokens of c = {_space.Contract.Channels}, batch {_cfg.BatchSize}, peak lr {_cfg.PeakLr:G3}");
        var clock = Stopwatch.StartNew();
        int failing = Step + 1;
        string phase = "starting";
        try
        {
            while (Step < _cfg.Steps)
            {
                if (cancel.IsCancellationRequested) { Log($"interrupted at step {Step}"); break; }
                if (_cfg.MaxMinutes > 0 && clock.Elapsed.TotalMinutes >= _cfg.MaxMinutes) { Log($"time limit of {_cfg.MaxMinutes} min reached at step {Step}"); break; }
                failing = Step + 1;
                phase = "loading data";
                var (items, labels) = _data.Next();
                phase = "running the training step";
                var stats = TrainStep(items, labels!);
                items.Dispose();
                labels!.Dispose();
                Step++;
                phase = "writing metrics.jsonl";
                WriteMetrics(stats);
                phase = "reporting progress";
                OnStep?.Invoke(stats);
                if (stats.Skipped && _badInRow >= _cfg.MaxBadSteps)
                    throw new ViTokException($"training stopped: {_badInRow} non-finite steps in a row at step {Step}. The last checkpoint in {_run.CheckpointDir} is intact; lower lr (--set lr=...) or check the latents, then resume.");
                phase = "logging";
                if (Step % _cfg.LogEvery == 0 || Step == _cfg.Steps) LogStep(stats);
                phase = "writing samples";
                if (Step % _cfg.SampleEvery == 0 || (Step == _cfg.Steps && _cfg.SampleEvery <= _cfg.Steps)) WriteSamples();
                phase = "saving the checkpoint";
                if (Step % _cfg.CheckpointEvery == 0 || Step == _cfg.Steps || FirstCheckpointDue(clock)) SaveCheckpoint();
            }
            phase = "saving the checkpoint";
            if (!File.Exists(_run.CheckpointPath(Step))) SaveCheckpoint();
        }
        catch (Exception e) when (e is not (ViTokException or OperationCanceledException or ViTok.IO.BadItemException))
        {
            var failure = new TrainingFailedException(failing, phase, _run, e);
            try { _run.Log(failure.Message); } catch (IOException) { /* a full disk: the message still reaches the user */ }
            throw failure;
        }
    }

    private bool FirstCheckpointDue(Stopwatch clock) =>
        !_savedThisRun && _cfg.FirstCheckpointMinutes > 0 && clock.Elapsed.TotalMinutes >= _cfg.FirstCheckpointMinutes;

    /// <summary>One optimiser step inside one dispose scope: posterior sample, latent scale, label dropout, the
    /// process's loss, backward, clipping, AdamW, EMA.</summary>
    public DitStepStats TrainStep(Tensor items, Tensor labels)
    {
        using var scope = torch.NewDisposeScope();
        var sw = Stopwatch.StartNew();
        double lr = _schedule.At(Step);
        _opt.LearningRate = lr;
        using var gen = new Generator((ulong)(_cfg.Seed * 1_000_003 + Step), _device);
        var it = items.to(_device);
        var x0 = it.select(1, 0);                                                     // [B, L, c]
        if (it.shape[1] == 2) x0 = x0.Plus(torch.exp(it.select(1, 1).Times(0.5)) * torch.randn(x0.shape, x0.dtype, x0.device, generator: gen));
        x0 = x0.Times(_space.Scale);
        var y = LabelEmbedding.DropLabels(labels.to(_device), _model.NullClass, _model.Config.NumClasses > 0 ? _cfg.ClassDropout : 0, gen);
        var grid = _space.GridShape;

        _opt.ZeroGrad();
        var loss = _process.TrainingLoss((x, t, yy) => _model.Forward(x, t, yy, grid), x0, y, gen);
        double lossValue = loss.item<float>();
        if (!double.IsFinite(lossValue)) return Skip(lr);
        loss.backward();
        double gradNorm = _cfg.GradClip > 0
            ? torch.nn.utils.clip_grad_norm_(_opt.Parameters, _cfg.GradClip)
            : Math.Sqrt(_opt.Parameters.Where(p => p.grad is not null).Sum(p => p.grad!.pow(Scalars.Of(2)).sum().item<float>()));
        if (!double.IsFinite(gradNorm)) return Skip(lr);
        _opt.StepOnce();
        double decay = _cfg.EmaWarmup ? Math.Min(_cfg.EmaDecay, (1.0 + Step) / (10.0 + Step)) : _cfg.EmaDecay;
        _ema.Update(_model.named_parameters().Select(p => (p.name, p.parameter)), decay);
        _badInRow = 0;
        return new DitStepStats(Step, lossValue, lr, gradNorm, items.shape[0] / Math.Max(1e-9, sw.Elapsed.TotalSeconds), false);
    }

    private DitStepStats Skip(double lr)
    {
        _opt.ZeroGrad();
        _badInRow++;
        Log($"(step={Step:D7}) non-finite loss or gradient: step skipped ({_badInRow} in a row)");
        return new DitStepStats(Step, double.NaN, lr, double.NaN, 0, true);
    }

    private void WriteMetrics(DitStepStats s)
    {
        var o = new JsonObject
        {
            ["step"] = Step,
            ["loss"] = double.IsFinite(s.Loss) ? s.Loss : null,
            ["lr"] = s.Lr,
            ["grad_norm"] = double.IsFinite(s.GradNorm) ? s.GradNorm : null,
            ["latents_per_second"] = Math.Round(s.LatentsPerSecond, 2),
            ["skipped"] = s.Skipped,
        };
        _run.AppendMetrics(o.ToJsonString());
    }

    private void LogStep(DitStepStats s) => Log(string.Format(CultureInfo.InvariantCulture,
        "(step={0:D7}) loss {1:F5} lr {2:E2} grad {3:F3} · {4:F1} latents/s", Step, s.Loss, s.Lr, s.GradNorm, s.LatentsPerSecond));

    private void Log(string line)
    {
        _run.Log(line);
        OnLog?.Invoke(line);
    }

    /// <summary>A class × sample grid from the EMA weights (fixed seed, so grids of different steps compare),
    /// decoded through the latents' tokenizer, as <c>samples/step_NNNNNNN.png</c>.</summary>
    public void WriteSamples()
    {
        var tokenizer = Tokenizer();
        if (tokenizer is null) return;
        using var scope = torch.NewDisposeScope();
        using var swap = _ema.SwapInto(_model.named_parameters().Select(p => (p.name, p.parameter)));
        _model.eval();
        try
        {
            int classes = Math.Min(_model.Config.NumClasses, 10);
            int perClass = _space.IsImage ? _cfg.SamplesPerClass : Math.Min(_cfg.SamplesPerClass, 4);
            var labels = DitSampler.GridLabels(classes, perClass);
            var z = DitSampler.Generate(_model, _process, _space, labels, _cfg.SampleCfg, null, _cfg.Seed);
            var pixels = DitSampler.Decode(tokenizer, z, _space);
            DitSampler.SaveGrid(pixels, perClass, Path.Combine(_run.SampleDir, $"step_{Step:D7}.png"));
        }
        finally
        {
            _model.train();
        }
    }

    private IAutoencoder? Tokenizer()
    {
        if (_tokenizerTried) return _tokenizer;
        _tokenizerTried = true;
        if (!File.Exists(_space.Tokenizer) && !Directory.Exists(_space.Tokenizer))
        {
            Log($"tokenizer {_space.Tokenizer} (named by the latents) not found: no sample grids");
            return null;
        }
        _tokenizer = Autoencoders.Load(_space.Tokenizer, null, _device);
        _tokenizer.Module.eval();
        return _tokenizer;
    }

    /// <summary>Writes the training state (atomically), prunes old ones and exports the EMA model.</summary>
    public void SaveCheckpoint()
    {
        string path = _run.CheckpointPath(Step);
        DitTrainState.Save(path, _model, _cfg.Diffusion, _opt, _ema, new DitTrainState.Info(_cfg, Step, _data.Position, _badInRow, _space));
        _savedThisRun = true;
        _run.Prune(_cfg.KeepLast);
        ExportModel(_run.ModelPath);
        Log($"(step={Step:D7}) checkpoint {Path.GetRelativePath(_run.Root, path)}");
    }

    /// <summary>Writes the EMA weights as a plain DiT checkpoint (what <c>vitok sample</c> and <c>eval-gen</c> read).</summary>
    public void ExportModel(string path) =>
        DitCheckpoint.Save(path, _ema.Values, _model.Config, _cfg.Diffusion, _space, new Dictionary<string, string>
        {
            ["train_step"] = Step.ToString(CultureInfo.InvariantCulture),
            ["train_config"] = JsonSerializer.Serialize(_cfg, Json.Compact),
        });

    private void LoadState(string path)
    {
        var (all, _) = Safetensors.Read(path);
        try
        {
            var info = DitTrainState.ReadInfo(path);
            StateDict.LoadStrict(_model, TrainState.Section(all, "model."), path);
            _opt.LoadStateDict(TrainState.Section(all, "opt."), path);
            _ema.Load(all, "ema.");
            _data.Seek(info.Position);
            Step = info.Step;
            _badInRow = info.BadInRow;
        }
        finally
        {
            foreach (var t in all.Values) t.Dispose();
        }
    }

    /// <summary>Frees the model, optimiser, EMA, tokenizer and (when owned) the latents, and releases the run folder's lock.</summary>
    public void Dispose()
    {
        _run.Dispose();
        _opt.Dispose();
        _ema.Dispose();
        _model.Dispose();
        _tokenizer?.Dispose();
        _items.Dispose();
        _labels.Dispose();
        if (_ownsLatents) _latents.Dispose();
    }
}
