using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ViTok.IO;
using ViTok.Losses;
using ViTok.Models;

namespace ViTok.Training;

/// <summary>The auto-encoder recipe (paper §3) on the shared run machinery of <see cref="TrainingRun{TConfig, TStats}"/>:
/// stage 1 = reconstruction + η·perceptual + β·KL; stage 2 = the encoder frozen and the decoder fine-tuned with a
/// hinge-loss StyleGAN discriminator, a linearly ramped generator term and a decoder EMA. AdamW (0.9, 0.95), weight
/// decay on matrices only, warmup + cosine, clipping at 1.0. This class holds only the recipe: setup,
/// <see cref="TrainStep"/>, the reconstruction grids and the export.</summary>
public sealed class AutoencoderTrainer : TrainingRun<TrainConfig, StepStats>
{
    private readonly IAutoencoder _model;
    private readonly AdamW _opt;
    private readonly Ema? _ema;
    private readonly Discriminator? _disc;
    private readonly AdamW? _discOpt;
    private readonly IPerceptualDistance? _perceptual;
    private readonly ITrainingData _data;
    private Tensor? _sampleBatch;

    /// <summary>The model being trained.</summary>
    public IAutoencoder Model => _model;

    /// <inheritdoc />
    protected override ITrainingData Data => _data;

    private AutoencoderTrainer(TrainConfig cfg, RunDirectory run, ITrainingData data, IPerceptualDistance? perceptual, bool resuming, IGradientSync sync, Action<string>? log)
        : base(cfg, run, sync, log)
    {
        _data = data;
        _perceptual = perceptual;

        // ---- setup: model (init_from for a fresh run; a resume reads everything from its checkpoint) ----
        torch.manual_seed(cfg.Seed);
        _model = !resuming && cfg.InitFrom is not null ? Autoencoders.Load(cfg.InitFrom) : Autoencoders.Create(cfg.Family, cfg.Variant, cfg.Channels);
        _model.Module.to(Device).to(Dtype);
        _model.Module.train();
        _model.ActivationCheckpointing = cfg.ActivationCheckpointing;

        // ---- setup: stage 2 freezes the encoder and adds the critic and the decoder EMA ----
        if (cfg.Stage == 2)
        {
            foreach (var (_, p) in _model.EncoderParameters()) p.requires_grad = false;
            _disc = new Discriminator(cfg.InputSize, cfg.DiscChannels);
            _disc.to(Device);
            _discOpt = new AdamW(_disc.named_parameters(), ParamGroups.Decays, cfg.DiscLr, cfg.Beta1, cfg.Beta2, cfg.WeightDecay);
            if (cfg.EmaDecay > 0) _ema = new Ema(_model.DecoderParameters(), cfg.EmaDecay);
        }

        // ---- setup: optimiser over what trains ----
        var trainable = _model.Module.named_parameters().Where(p => p.parameter.requires_grad).Select(p => (p.name, p.parameter));
        _opt = new AdamW(trainable, cfg.WeightDecayAll ? (_, _) => true : ParamGroups.Decays, cfg.PeakLr, cfg.Beta1, cfg.Beta2, cfg.WeightDecay);

        // ---- the training state: model, optimiser, decoder EMA, critic and its optimiser ----
        Track("model.", _model.Module);
        Track("opt.", _opt);
        if (_ema is not null) Track("ema.", _ema);
        if (_disc is not null) Track("disc.", _disc);
        if (_discOpt is not null) Track("disc_opt.", _discOpt);
    }

    /// <summary>Starts a new run in <paramref name="runDir"/> (which must not hold checkpoints), holding the folder's
    /// lock until <see cref="IDisposable.Dispose"/>; <paramref name="log"/> becomes <see cref="TrainingRun{TConfig, TStats}.OnLog"/>
    /// from the first line on; <paramref name="sync"/> (default: a single process) joins it to other ranks.</summary>
    /// <exception cref="ViTokException">The folder holds checkpoints or another process trains in it.</exception>
    public static AutoencoderTrainer Create(TrainConfig cfg, string runDir, Func<TrainConfig, ITrainingData> data, Func<TrainConfig, IPerceptualDistance?> perceptual,
        Action<string>? log = null, IGradientSync? sync = null)
    {
        if (cfg.InitFrom is not null)
        {
            // The model comes from init_from: its family, variant and channels win over the config's.
            var (family, variant, channels) = Autoencoders.Describe(cfg.InitFrom);
            cfg = cfg with { Family = family, Variant = variant, Channels = channels };
        }
        var ranks = sync ?? SingleProcessSync.Instance;
        return StartNew(runDir, ResumeVerb, ranks, run => new AutoencoderTrainer(cfg, run, data(cfg), perceptual(cfg), false, ranks, log));
    }

    /// <summary>The CLI command that trains (and resumes) this kind of run.</summary>
    public const string ResumeVerb = "vitok train";

    /// <summary>Keys a resume may change (<see cref="ResumeOverrides"/>): the cadence keys, where the data live and the
    /// loader workers.</summary>
    public static readonly IReadOnlyList<string> ResumableKeys = [.. ResumeOverrides.Cadence, "data", "workers"];

    /// <summary>Resumes the newest checkpoint of a run, holding the folder's lock until <see cref="IDisposable.Dispose"/>;
    /// <paramref name="overrides"/> (dotted key=value) may change the keys of <see cref="ResumableKeys"/> (each change
    /// is logged and recorded in config.json). A torn last line of metrics.jsonl is dropped.</summary>
    /// <exception cref="ViTokException">No checkpoint, another process trains in the folder, or a refused override.</exception>
    public static AutoencoderTrainer Resume(string runDir, IEnumerable<string> overrides, Func<TrainConfig, ITrainingData> data, Func<TrainConfig, IPerceptualDistance?> perceptual,
        Action<string>? log = null, IGradientSync? sync = null)
    {
        var ranks = sync ?? SingleProcessSync.Instance;
        return ResumeLatest(runDir, ResumeVerb, TrainState.Kind, "training-state checkpoint", overrides, ResumableKeys, TrainConfigLoader.FromJson, ranks,
            (run, _, info) => new AutoencoderTrainer(info.Config, run, data(info.Config), perceptual(info.Config), true, ranks, log));
    }

    /// <inheritdoc />
    protected override IEnumerable<string> HeaderLines() =>
    [
        $"{_model.Family} {_model.Variant}, c = {_model.Channels}, stage {Config.Stage}, {_opt.Parameters.Sum(p => p.numel()) / 1e6:F2} M trainable parameters, peak lr {Config.PeakLr:G3}",
        $"data: {_data.Describe()}",
    ];

    /// <inheritdoc />
    protected override StepStats TrainOn(Tensor input, Tensor? labels)
    {
        _sampleBatch ??= input.narrow(0, 0, Math.Min(8, input.shape[0])).clone();
        return TrainStep(input);
    }

    /// <summary>One optimiser step (and, in stage 2, one discriminator step) inside one dispose scope.</summary>
    public StepStats TrainStep(Tensor batch)
    {
        using var scope = torch.NewDisposeScope();
        var sw = Stopwatch.StartNew();
        var cfg = Config;
        double lr = Schedule.At(Step);
        _opt.LearningRate = lr;
        var x = batch.to(Device).to(Dtype);
        using var gen = new Generator(StepSeed, Device);

        // ---- generator / auto-encoder step ----
        Phases?.Enter(PhaseClock.Optimiser);
        _opt.ZeroGrad();
        Phases?.Enter(PhaseClock.Forward);
        var (recon, kl) = _model.TrainForward(x, gen);
        var rec = ReconstructionLoss.Compute(cfg.Loss.Reconstruction, recon, x);
        var loss = rec;
        double klValue = 0, percValue = 0, ganG = 0, ganD = 0;
        if (kl is not null && cfg.Loss.KlWeight > 0) loss = loss.Plus(kl.to(ScalarType.Float32).Times(cfg.Loss.KlWeight));
        if (kl is not null) klValue = Scalar(kl);
        var frames = Frames(recon);
        var target = Frames(x);
        if (_perceptual is not null && cfg.Loss.PerceptualWeight > 0)
        {
            var perc = _perceptual.Distance(frames.to(ScalarType.Float32), target.to(ScalarType.Float32)).mean();
            percValue = Scalar(perc);
            loss = loss.Plus(perc.Times(cfg.Loss.PerceptualWeight));
        }
        double ramp = 0;
        if (_disc is not null)
        {
            ramp = GanLosses.Ramp(Step, (int)(cfg.Loss.GanStart * cfg.Steps), (int)(cfg.Loss.GanWarmup * cfg.Steps));
            foreach (var p in _disc.parameters()) p.requires_grad = false;
            var g = GanLosses.Generator(_disc.call(frames.to(ScalarType.Float32)));
            ganG = Scalar(g);
            using var ganWeight = (cfg.Loss.GanWeight * ramp).ToScalar();   // changes every step: explicit lifetime
            if (ramp > 0) loss = loss.Plus(g.mul(ganWeight));
        }
        double lossValue = Scalar(loss);
        if (!FiniteOnAllRanks(lossValue)) return Skip(lr);
        Phases?.Enter(PhaseClock.Backward);
        loss.backward();
        Phases?.Enter(PhaseClock.Optimiser);
        double gradNorm = SyncAndClip(_opt, cfg.GradClip);
        if (!double.IsFinite(gradNorm)) return Skip(lr);
        _opt.StepOnce();
        _ema?.Update(_model.DecoderParameters());

        // ---- discriminator step (stage 2) ----
        if (_disc is not null && _discOpt is not null)
        {
            foreach (var p in _disc.parameters()) p.requires_grad = true;
            int warm = Math.Max(1, (int)(0.025 * cfg.Steps));
            _discOpt.LearningRate = cfg.DiscLr * Math.Min(1.0, (Step + 1.0) / warm);
            _discOpt.ZeroGrad();
            Phases?.Enter(PhaseClock.Forward);
            var d = GanLosses.DiscriminatorHinge(_disc.call(target.to(ScalarType.Float32)), _disc.call(frames.detach().to(ScalarType.Float32)));
            ganD = Scalar(d);
            if (FiniteOnAllRanks(ganD))
            {
                Phases?.Enter(PhaseClock.Backward);
                d.backward();
                Phases?.Enter(PhaseClock.Optimiser);
                SyncAndClip(_discOpt, cfg.GradClip);
                _discOpt.StepOnce();
            }
        }
        Phases?.Enter(PhaseClock.Other);
        double ips = batch.shape[0] * Sync.WorldSize / Math.Max(1e-9, sw.Elapsed.TotalSeconds);
        return new StepStats(Step, lossValue, Scalar(rec), klValue, percValue, ganG, ganD, lr, gradNorm, ips, false);
    }

    private static double Scalar(Tensor t) => t.detach().to(ScalarType.Float64).item<double>();

    private StepStats Skip(double lr)
    {
        _opt.ZeroGrad();
        return new StepStats(Step, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, lr, double.NaN, 0, true);
    }

    /// <summary>Videos [B, 3, T, H, W] as a batch of frames [B·T, 3, H, W] (perceptual and GAN losses per frame).</summary>
    private static Tensor Frames(Tensor x) =>
        x.dim() == 5 ? x.permute(0, 2, 1, 3, 4).reshape(-1, x.shape[1], x.shape[3], x.shape[4]) : x;

    /// <inheritdoc />
    protected override StepStats AverageOverRanks(StepStats s)
    {
        var v = Sync.AverageValues([s.Loss, s.Reconstruction, s.Kl, s.Perceptual, s.GanGenerator, s.GanDiscriminator]);
        return s with { Loss = v[0], Reconstruction = v[1], Kl = v[2], Perceptual = v[3], GanGenerator = v[4], GanDiscriminator = v[5] };
    }

    /// <inheritdoc />
    protected override JsonObject MetricsLine(StepStats s) => new()
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

    private static JsonNode? Num(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;

    /// <inheritdoc />
    protected override string StepLine(StepStats s) => string.Format(CultureInfo.InvariantCulture,
        "(step={0:D7}) loss {1:F5} rec {2:F5} kl {3:F4} perc {4:F4} gan_g {5:F4} gan_d {6:F4} lr {7:E2} grad {8:F3} · {9:F1} img/s",
        Step, s.Loss, s.Reconstruction, s.Kl, s.Perceptual, s.GanGenerator, s.GanDiscriminator, s.Lr, s.GradNorm, s.ImagesPerSecond);

    /// <summary>Originals above reconstructions (EMA decoder in stage 2) of the first batch, as
    /// <c>samples/step_NNNNNNN.png</c>.</summary>
    public override void WriteSamples()
    {
        if (_sampleBatch is null) return;
        using var scope = torch.NewDisposeScope();
        using var swap = EmaSwap();
        _model.Module.eval();
        var recon = _model.Reconstruct(_sampleBatch.to(Device).to(Dtype));
        _model.Module.train();
        var orig = FirstFrames(_sampleBatch);
        ImageGrid.Save([orig, FirstFrames(recon)], Path.Combine(Run.SampleDir, $"step_{Step:D7}.png"));
    }

    private static Tensor FirstFrames(Tensor x) => x.dim() == 5 ? x.select(2, 0) : x;

    /// <inheritdoc />
    protected override Dictionary<string, string> StateMetadata() => new(_model.ModelMetadata()) { ["kind"] = TrainState.Kind };

    /// <summary>Writes the exportable tokenizer (EMA decoder in stage 2) as a plain model checkpoint.</summary>
    public override void ExportModel(string path)
    {
        using var swap = EmaSwap();
        var meta = new Dictionary<string, string>(_model.ModelMetadata())
        {
            ["train_step"] = Step.ToString(CultureInfo.InvariantCulture),
            ["train_config"] = Config.ToJson(indented: false),
        };
        Safetensors.Write(path, _model.Module.state_dict(), meta);
    }

    /// <summary>Temporarily puts the EMA values into the decoder (restored on dispose).</summary>
    private IDisposable? EmaSwap() => _ema?.SwapInto(_model.DecoderParameters());

    /// <summary>Releases the run folder's lock, then frees the model, optimisers, EMA, critic and data stream.</summary>
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing) return;
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
