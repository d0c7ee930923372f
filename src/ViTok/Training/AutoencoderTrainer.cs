using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ViTok.IO;
using ViTok.Losses;
using ViTok.Models;

namespace ViTok.Training;

/// <summary>The auto-encoder trainer (paper §3): stage 1 = reconstruction + η·perceptual + β·KL; stage 2 = the encoder
/// frozen and the decoder fine-tuned with a hinge-loss StyleGAN discriminator, a linearly ramped generator term and a
/// decoder EMA. AdamW (0.9, 0.95), weight decay on matrices only, warmup + cosine, clipping at 1.0. Reads like a flat
/// loop: setup, then <see cref="Run"/> calls <see cref="TrainStep"/> and the log/sample/checkpoint helpers.</summary>
public sealed class AutoencoderTrainer : IDisposable
{
    private readonly TrainConfig _cfg;
    private readonly RunDirectory _run;
    private readonly IAutoencoder _model;
    private readonly AdamW _opt;
    private readonly Ema? _ema;
    private readonly Discriminator? _disc;
    private readonly AdamW? _discOpt;
    private readonly IPerceptualDistance? _perceptual;
    private readonly ITrainingData _data;
    private readonly LrSchedule _schedule;
    private readonly Device _device;
    private readonly ScalarType _dtype;
    private Tensor? _sampleBatch;
    private int _badInRow;
    private bool _savedThisRun;

    /// <summary>The next step to run (0-based); equals the number of steps done.</summary>
    public int Step { get; private set; }

    /// <summary>The resolved config.</summary>
    public TrainConfig Config => _cfg;

    /// <summary>The model being trained.</summary>
    public IAutoencoder Model => _model;

    /// <summary>The run folder.</summary>
    public RunDirectory Run => _run;

    /// <summary>Called after every step with its figures.</summary>
    public Action<StepStats>? OnStep { get; set; }

    /// <summary>Called with every log line (also written to log.txt).</summary>
    public Action<string>? OnLog { get; set; }

    private AutoencoderTrainer(TrainConfig cfg, RunDirectory run, ITrainingData data, IPerceptualDistance? perceptual, string? resumeFrom)
    {
        _cfg = cfg;
        _run = run;
        _data = data;
        _perceptual = perceptual;
        _device = new Device(cfg.Device);
        _dtype = cfg.Dtype == "bf16" ? ScalarType.BFloat16 : ScalarType.Float32;

        // ---- setup: model (init_from for a fresh run; a resume reads everything from its checkpoint) ----
        torch.manual_seed(cfg.Seed);
        _model = resumeFrom is null && cfg.InitFrom is not null ? Autoencoders.Load(cfg.InitFrom) : Autoencoders.Create(cfg.Family, cfg.Variant, cfg.Channels);
        _model.Module.to(_device).to(_dtype);
        _model.Module.train();
        _model.ActivationCheckpointing = cfg.ActivationCheckpointing;

        // ---- setup: stage 2 freezes the encoder and adds the critic and the decoder EMA ----
        if (cfg.Stage == 2)
        {
            foreach (var (_, p) in _model.EncoderParameters()) p.requires_grad = false;
            _disc = new Discriminator(cfg.ImageSize, cfg.DiscChannels);
            _disc.to(_device);
            _discOpt = new AdamW(_disc.named_parameters(), ParamGroups.Decays, cfg.DiscLr, cfg.Beta1, cfg.Beta2, cfg.WeightDecay);
            if (cfg.EmaDecay > 0) _ema = new Ema(_model.DecoderParameters(), cfg.EmaDecay);
        }

        // ---- setup: optimiser over what trains ----
        var trainable = _model.Module.named_parameters().Where(p => p.parameter.requires_grad).Select(p => (p.name, p.parameter));
        _opt = new AdamW(trainable, ParamGroups.Decays, cfg.PeakLr, cfg.Beta1, cfg.Beta2, cfg.WeightDecay);
        _schedule = LrSchedule.For(cfg);

        if (resumeFrom is not null) LoadState(resumeFrom);
    }

    /// <summary>Starts a new run in <paramref name="runDir"/> (which must not hold checkpoints), holding the folder's
    /// lock until <see cref="Dispose"/>; <paramref name="log"/> becomes <see cref="OnLog"/> from the first line on.</summary>
    /// <exception cref="ViTokException">The folder holds checkpoints or another process trains in it.</exception>
    public static AutoencoderTrainer Create(TrainConfig cfg, string runDir, Func<TrainConfig, ITrainingData> data, Func<TrainConfig, IPerceptualDistance?> perceptual, Action<string>? log = null)
    {
        if (cfg.InitFrom is not null)
        {
            // The model comes from init_from: its family, variant and channels win over the config's.
            var (family, variant, channels) = Autoencoders.Describe(cfg.InitFrom);
            cfg = cfg with { Family = family, Variant = variant, Channels = channels };
        }
        RunDirectory.RefuseForeign(runDir);
        var run = RunDirectory.OpenExclusive(runDir, ResumeVerb);
        try
        {
            if (run.Checkpoints().Count > 0)
                throw new ViTokException($"{run.Root} already holds checkpoints; resume it with --resume {runDir} or choose another -o/--output.");
            AtomicFile.WriteAllText(run.ConfigPath, JsonSerializer.Serialize(cfg, Json.Options));
            var trainer = new AutoencoderTrainer(cfg, run, data(cfg), perceptual(cfg), null) { OnLog = log };
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
    public const string ResumeVerb = "vitok train";

    /// <summary>Keys a resume may change (<see cref="ResumeOverrides"/>): the cadence keys, where the data live and the
    /// loader workers.</summary>
    public static readonly IReadOnlyList<string> ResumableKeys = [.. ResumeOverrides.Cadence, "data", "workers"];

    /// <summary>Resumes the newest checkpoint of a run, holding the folder's lock until <see cref="Dispose"/>;
    /// <paramref name="overrides"/> (dotted key=value) may change the keys of <see cref="ResumableKeys"/> (each change
    /// is logged and recorded in config.json). A torn last line of metrics.jsonl is dropped.</summary>
    /// <exception cref="ViTokException">No checkpoint, another process trains in the folder, or a refused override.</exception>
    public static AutoencoderTrainer Resume(string runDir, IEnumerable<string> overrides, Func<TrainConfig, ITrainingData> data, Func<TrainConfig, IPerceptualDistance?> perceptual, Action<string>? log = null)
    {
        var run = RunDirectory.OpenExclusive(runDir, ResumeVerb);
        try
        {
            var last = run.Checkpoints().LastOrDefault()
                       ?? throw new ViTokException($"{run.Root}: no checkpoint to resume from (checkpoints/step_*.safetensors).");
            var info = TrainState.ReadInfo(last);
            var (cfg, changes) = ResumeOverrides.Apply(info.Config, overrides, ResumableKeys, TrainConfigLoader.FromJson);
            var edited = ResumeOverrides.DifferingKeys(run.ConfigPath, info.Config);
            AtomicFile.WriteAllText(run.ConfigPath, JsonSerializer.Serialize(cfg, Json.Options));
            var trainer = new AutoencoderTrainer(cfg, run, data(cfg), perceptual(cfg), last) { OnLog = log };
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
    /// <exception cref="ViTokException">Too many non-finite steps in a row, or bad data.</exception>
    public void RunLoop(CancellationToken cancel)
    {
        Log($"{_model.Family} {_model.Variant}, c = {_model.Channels}, stage {_cfg.Stage}, {_opt.Parameters.Sum(p => p.numel()) / 1e6:F2} M trainable parameters, peak lr {_cfg.PeakLr:G3}");
        Log($"data: {_data.Describe()}");
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
                var (input, labels) = _data.Next();
                labels?.Dispose();
                _sampleBatch ??= input.narrow(0, 0, Math.Min(8, input.shape[0])).clone();
                phase = "running the training step";
                var stats = TrainStep(input);
                input.Dispose();
                Step++;
                phase = "writing metrics.jsonl";
                WriteMetrics(stats);
                phase = "reporting progress";
                OnStep?.Invoke(stats);
                if (stats.Skipped && _badInRow >= _cfg.MaxBadSteps)
                    throw new ViTokException($"training stopped: {_badInRow} non-finite steps in a row at step {Step}. The last checkpoint in {_run.CheckpointDir} is intact; lower lr (--set lr=...) or check the data, then resume.");
                phase = "logging";
                if (Step % _cfg.LogEvery == 0 || Step == _cfg.Steps) LogStep(stats);
                phase = "writing samples";
                if (Step % _cfg.SampleEvery == 0 || Step == _cfg.Steps) WriteSamples();
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

    /// <summary>One optimiser step (and, in stage 2, one discriminator step) inside one dispose scope.</summary>
    public StepStats TrainStep(Tensor batch)
    {
        using var scope = torch.NewDisposeScope();
        var sw = Stopwatch.StartNew();
        double lr = _schedule.At(Step);
        _opt.LearningRate = lr;
        var x = batch.to(_device).to(_dtype);
        using var gen = new Generator((ulong)(_cfg.Seed * 1_000_003 + Step), _device);

        // ---- generator / auto-encoder step ----
        _opt.ZeroGrad();
        var (recon, kl) = _model.TrainForward(x, gen);
        var rec = ReconstructionLoss.Compute(_cfg.Loss.Reconstruction, recon, x);
        var loss = rec;
        double klValue = 0, percValue = 0, ganG = 0, ganD = 0;
        if (kl is not null && _cfg.Loss.KlWeight > 0) loss = loss.Plus(kl.to(ScalarType.Float32).Times(_cfg.Loss.KlWeight));
        if (kl is not null) klValue = Scalar(kl);
        var frames = Frames(recon);
        var target = Frames(x);
        if (_perceptual is not null && _cfg.Loss.PerceptualWeight > 0)
        {
            var perc = _perceptual.Distance(frames.to(ScalarType.Float32), target.to(ScalarType.Float32)).mean();
            percValue = Scalar(perc);
            loss = loss.Plus(perc.Times(_cfg.Loss.PerceptualWeight));
        }
        double ramp = 0;
        if (_disc is not null)
        {
            ramp = GanLosses.Ramp(Step, (int)(_cfg.Loss.GanStart * _cfg.Steps), (int)(_cfg.Loss.GanWarmup * _cfg.Steps));
            foreach (var p in _disc.parameters()) p.requires_grad = false;
            var g = GanLosses.Generator(_disc.call(frames.to(ScalarType.Float32)));
            ganG = Scalar(g);
            using var ganWeight = (_cfg.Loss.GanWeight * ramp).ToScalar();   // changes every step: explicit lifetime
            if (ramp > 0) loss = loss.Plus(g.mul(ganWeight));
        }
        double lossValue = Scalar(loss);
        if (!double.IsFinite(lossValue)) return Skip(lr, sw);
        loss.backward();
        double gradNorm = torch.nn.utils.clip_grad_norm_(_opt.Parameters, _cfg.GradClip);
        if (!double.IsFinite(gradNorm)) return Skip(lr, sw);
        _opt.StepOnce();
        _ema?.Update(_model.DecoderParameters());

        // ---- discriminator step (stage 2) ----
        if (_disc is not null && _discOpt is not null)
        {
            foreach (var p in _disc.parameters()) p.requires_grad = true;
            int warm = Math.Max(1, (int)(0.025 * _cfg.Steps));
            _discOpt.LearningRate = _cfg.DiscLr * Math.Min(1.0, (Step + 1.0) / warm);
            _discOpt.ZeroGrad();
            var d = GanLosses.DiscriminatorHinge(_disc.call(target.to(ScalarType.Float32)), _disc.call(frames.detach().to(ScalarType.Float32)));
            ganD = Scalar(d);
            if (double.IsFinite(ganD))
            {
                d.backward();
                torch.nn.utils.clip_grad_norm_(_discOpt.Parameters, _cfg.GradClip);
                _discOpt.StepOnce();
            }
        }
        _badInRow = 0;
        double ips = batch.shape[0] / Math.Max(1e-9, sw.Elapsed.TotalSeconds);
        return new StepStats(Step, lossValue, Scalar(rec), klValue, percValue, ganG, ganD, lr, gradNorm, ips, false);
    }

    private static double Scalar(Tensor t) => t.detach().to(ScalarType.Float64).item<double>();

    private StepStats Skip(double lr, Stopwatch sw)
    {
        _opt.ZeroGrad();
        _badInRow++;
        Log($"(step={Step:D7}) non-finite loss or gradient: step skipped ({_badInRow} in a row)");
        return new StepStats(Step, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, lr, double.NaN, 0, true);
    }

    /// <summary>Videos [B, 3, T, H, W] as a batch of frames [B·T, 3, H, W] (perceptual and GAN losses per frame).</summary>
    private static Tensor Frames(Tensor x) =>
        x.dim() == 5 ? x.permute(0, 2, 1, 3, 4).reshape(-1, x.shape[1], x.shape[3], x.shape[4]) : x;

    private void WriteMetrics(StepStats s)
    {
        var o = new JsonObject
        {
            ["step"] = Step,
            ["loss"] = Num(s.Loss),
            ["reconstruction"] = Num(s.Reconstruction),
            ["kl"] = Num(s.Kl),
            ["perceptual"] = Num(s.Perceptual),
            ["gan_generator"] = Num(s.GanGenerator),
            ["gan_discriminator"] = Num(s.GanDiscriminator),
            ["lr"] = s.Lr,
            ["grad_norm"] = Num(s.GradNorm),
            ["images_per_second"] = Math.Round(s.ImagesPerSecond, 2),
            ["skipped"] = s.Skipped,
        };
        _run.AppendMetrics(o.ToJsonString());
    }

    private static JsonNode? Num(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;

    private void LogStep(StepStats s) => Log(string.Format(CultureInfo.InvariantCulture,
        "(step={0:D7}) loss {1:F5} rec {2:F5} kl {3:F4} perc {4:F4} gan_g {5:F4} gan_d {6:F4} lr {7:E2} grad {8:F3} · {9:F1} img/s",
        Step, s.Loss, s.Reconstruction, s.Kl, s.Perceptual, s.GanGenerator, s.GanDiscriminator, s.Lr, s.GradNorm, s.ImagesPerSecond));

    private void Log(string line)
    {
        _run.Log(line);
        OnLog?.Invoke(line);
    }

    /// <summary>Originals above reconstructions (EMA decoder in stage 2) of the first batch, as a PNG.</summary>
    private void WriteSamples()
    {
        if (_sampleBatch is null) return;
        using var scope = torch.NewDisposeScope();
        using var swap = EmaSwap();
        _model.Module.eval();
        var recon = _model.Reconstruct(_sampleBatch.to(_device).to(_dtype));
        _model.Module.train();
        var orig = FirstFrames(_sampleBatch);
        ImageGrid.Save([orig, FirstFrames(recon)], Path.Combine(_run.SampleDir, $"step_{Step:D7}.png"));
    }

    private static Tensor FirstFrames(Tensor x) => x.dim() == 5 ? x.select(2, 0) : x;

    /// <summary>Writes the training state (atomically), prunes old ones and exports the model.</summary>
    public void SaveCheckpoint()
    {
        string path = _run.CheckpointPath(Step);
        TrainState.Save(path, _model, _opt, _ema, _disc, _discOpt, new TrainState.Info(_cfg, Step, _data.Position, _badInRow));
        _savedThisRun = true;
        _run.Prune(_cfg.KeepLast);
        ExportModel(_run.ModelPath);
        Log($"(step={Step:D7}) checkpoint {Path.GetRelativePath(_run.Root, path)}");
    }

    /// <summary>Writes the exportable tokenizer (EMA decoder in stage 2) as a plain model checkpoint.</summary>
    public void ExportModel(string path)
    {
        using var swap = EmaSwap();
        var meta = new Dictionary<string, string>(_model.ModelMetadata())
        {
            ["train_step"] = Step.ToString(CultureInfo.InvariantCulture),
            ["train_config"] = JsonSerializer.Serialize(_cfg, Json.Compact),
        };
        Safetensors.Write(path, _model.Module.state_dict(), meta);
    }

    /// <summary>Temporarily puts the EMA values into the decoder (restored on dispose).</summary>
    private IDisposable? EmaSwap() => _ema?.SwapInto(_model.DecoderParameters());

    private void LoadState(string path)
    {
        var (all, _) = Safetensors.Read(path);
        try
        {
            var info = TrainState.ReadInfo(path);
            StateDict.LoadStrict(_model.Module, TrainState.Section(all, "model."), path);
            _opt.LoadStateDict(TrainState.Section(all, "opt."), path);
            _ema?.Load(all, "ema.");
            if (_disc is not null) StateDict.LoadStrict(_disc, TrainState.Section(all, "disc."), path);
            _discOpt?.LoadStateDict(TrainState.Section(all, "disc_opt."), path);
            _data.Seek(info.Position);
            Step = info.Step;
            _badInRow = info.BadInRow;
        }
        finally
        {
            foreach (var t in all.Values) t.Dispose();
        }
    }

    /// <summary>Frees the model, optimisers, EMA, critic and data stream, and releases the run folder's lock.</summary>
    public void Dispose()
    {
        _run.Dispose();
        _sampleBatch?.Dispose();
        _opt.Dispose();
        _discOpt?.Dispose();
        _ema?.Dispose();
        _disc?.Dispose();
        _perceptual?.Dispose();
        _data.Dispose();
        _model.Dispose();
    }
}
