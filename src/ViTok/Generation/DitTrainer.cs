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

/// <summary>The DiT recipe (paper §7) over a latent dataset from <c>vitok encode-dataset</c>, on the shared run machinery
/// of <see cref="TrainingRun{TConfig, TStats}"/> (run folder, metrics.jsonl, atomic training-state checkpoints, exact
/// resume, NaN guard): AdamW with decay on weight matrices, warmup + cosine, gradient clipping, EMA, label dropout for
/// classifier-free guidance and the loss of the configured diffusion formulation; every random draw of a step comes
/// from (seed, step) and the data position. Sample grids are decoded through the tokenizer named in the latents.</summary>
public sealed class DitTrainer : TrainingRun<DitTrainConfig, DitStepStats>
{
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
    private IAutoencoder? _tokenizer;
    private bool _tokenizerTried;

    /// <summary>The model being trained.</summary>
    public Dit Model => _model;

    /// <summary>The latent space the model works in (its scale included).</summary>
    public LatentSpace Space => _space;

    /// <inheritdoc />
    protected override ITrainingData Data => _data;

    /// <inheritdoc />
    protected override string DataName => "latents";

    /// <inheritdoc />
    protected override bool SamplesAtLastStep => Config.SampleEvery <= Config.Steps;

    private DitTrainer(DitTrainConfig cfg, RunDirectory run, LatentSet latents, bool ownsLatents, double? resumeScale, IGradientSync sync, Action<string>? log)
        : base(cfg, run, sync, log)
    {
        _latents = latents;
        _ownsLatents = ownsLatents;
        var (mu, std) = latents.Statistics();
        double scale = resumeScale ?? cfg.LatentScale ?? 1.0 / Math.Max(std, 1e-6);
        _space = latents.Space with { Scale = scale };
        Log($"latents: {latents.Count} items, grid {string.Join("×", _space.Grid)} of c = {_space.Contract.Channels}, {_space.Classes.Count} classes, mean {mu:F4}, std {std:F4} → latent scale {scale:F4}");

        // ---- setup: model, EMA (init_from is not offered: a DiT run starts from scratch or resumes) ----
        torch.manual_seed(cfg.Seed);
        int numClasses = _space.Classes.Count;
        _model = new Dit(DitConfig.FromVariant(cfg.Variant, _space.Contract.Channels, numClasses));
        _model.to(Device).to(Dtype);
        _model.train();
        _ema = new Ema(_model.named_parameters().Select(p => (p.name, p.parameter)), cfg.EmaDecay);

        // ---- setup: optimiser (no decay on biases, norms and the class table) ----
        _opt = new AdamW(_model.named_parameters().Select(p => (p.name, p.parameter)),
            (name, p) => ParamGroups.Decays(name, p) && !name.Contains("embedding_table", StringComparison.Ordinal),
            cfg.PeakLr, cfg.Beta1, cfg.Beta2, cfg.WeightDecay);
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

        // ---- the training state: model, optimiser, EMA ----
        Track("model.", _model);
        Track("opt.", _opt);
        Track("ema.", _ema);
    }

    /// <summary>Starts a new run in <paramref name="runDir"/> (which must not hold checkpoints) on the latents of
    /// <c>cfg.latents</c>, or on <paramref name="latents"/> when given (kept, not disposed), holding the folder's lock
    /// until <see cref="IDisposable.Dispose"/>; <paramref name="log"/> becomes
    /// <see cref="TrainingRun{TConfig, TStats}.OnLog"/> from the first line on; <paramref name="sync"/> (default: a
    /// single process) joins it to other ranks.</summary>
    /// <exception cref="ViTokException">The folder holds checkpoints, another process trains in it, or no latents.</exception>
    public static DitTrainer Create(DitTrainConfig cfg, string runDir, LatentSet? latents = null, Action<string>? log = null, IGradientSync? sync = null)
    {
        var ranks = sync ?? SingleProcessSync.Instance;
        return StartNew(runDir, ResumeVerb, ranks, run =>
        {
            var set = latents ?? LatentShards.Load(cfg.Latents ?? throw new ViTokException("no latents: pass --latents <folder> (or set \"latents\" in the config)."));
            return new DitTrainer(cfg, run, set, latents is null, null, ranks, log);
        });
    }

    /// <summary>The CLI command that trains (and resumes) this kind of run.</summary>
    public const string ResumeVerb = "vitok train-dit";

    /// <summary>Keys a resume may change (<see cref="ResumeOverrides"/>): the cadence keys and where the latents live
    /// (they must be the same encoding: checked).</summary>
    public static readonly IReadOnlyList<string> ResumableKeys = [.. ResumeOverrides.Cadence, "latents"];

    /// <summary>Resumes the newest checkpoint of a run, holding the folder's lock until <see cref="IDisposable.Dispose"/>;
    /// <paramref name="overrides"/> may change the keys of <see cref="ResumableKeys"/> (each change is logged and
    /// recorded in config.json); <paramref name="log"/> and <paramref name="sync"/> as in <see cref="Create"/>. A torn
    /// last line of metrics.jsonl is dropped.</summary>
    /// <exception cref="ViTokException">No checkpoint, another process trains in the folder, a refused override, or
    /// latents that differ from the run's.</exception>
    public static DitTrainer Resume(string runDir, IEnumerable<string> overrides, LatentSet? latents = null, Action<string>? log = null, IGradientSync? sync = null)
    {
        var ranks = sync ?? SingleProcessSync.Instance;
        return ResumeLatest(runDir, ResumeVerb, DitCheckpoint.TrainStateKind, "DiT training state", overrides, ResumableKeys, DitTrainConfigLoader.FromJson, ranks,
            (run, last, info) =>
            {
                var cfg = info.Config;
                var trained = LatentSpace.FromJson(info.Metadata["latent_space"], last);
                var set = latents ?? LatentShards.Load(cfg.Latents ?? throw new ViTokException($"{last}: the run names no latents folder; give it with --set latents=<folder>."));
                if ((set.Space with { Scale = 1 }).ToJson() != (trained with { Scale = 1 }).ToJson())
                {
                    if (latents is null) set.Dispose();
                    throw new ViTokException($"{cfg.Latents}: these latents differ from the ones the run was trained on (tokenizer, grid, classes or preprocessing).");
                }
                return new DitTrainer(cfg, run, set, latents is null, trained.Scale, ranks, log);
            });
    }

    /// <inheritdoc />
    protected override IEnumerable<string> HeaderLines() =>
    [
        $"DiT {_model.Config.Variant}: {_model.ParameterCount / 1e6:F2} M parameters, {_process.Kind}, {_space.Tokens} tokens of c = {_space.Contract.Channels}, batch {Config.BatchSize}, peak lr {Config.PeakLr:G3}",
    ];

    /// <inheritdoc />
    protected override DitStepStats TrainOn(Tensor input, Tensor? labels) => TrainStep(input, labels!);

    /// <summary>One optimiser step inside one dispose scope: posterior sample, latent scale, label dropout, the
    /// process's loss, backward, clipping, AdamW, EMA.</summary>
    public DitStepStats TrainStep(Tensor items, Tensor labels)
    {
        using var scope = torch.NewDisposeScope();
        var sw = Stopwatch.StartNew();
        var cfg = Config;
        double lr = Schedule.At(Step);
        _opt.LearningRate = lr;
        using var gen = new Generator(StepSeed, Device);
        var it = items.to(Device);
        var x0 = it.select(1, 0);                                                     // [B, L, c]
        if (it.shape[1] == 2) x0 = x0.Plus(torch.exp(it.select(1, 1).Times(0.5)) * BatchDraws.Randn(x0.shape, x0.dtype, x0.device, gen));
        x0 = x0.Times(_space.Scale);
        var y = LabelEmbedding.DropLabels(labels.to(Device), _model.NullClass, _model.Config.NumClasses > 0 ? cfg.ClassDropout : 0, gen);
        var grid = _space.GridShape;

        _opt.ZeroGrad();
        var loss = _process.TrainingLoss((x, t, yy) => _model.Forward(x, t, yy, grid), x0, y, gen);
        double lossValue = loss.item<float>();
        if (!FiniteOnAllRanks(lossValue)) return Skip(lr);
        loss.backward();
        double gradNorm = SyncAndClip(_opt, cfg.GradClip);
        if (!double.IsFinite(gradNorm)) return Skip(lr);
        _opt.StepOnce();
        double decay = cfg.EmaWarmup ? Math.Min(cfg.EmaDecay, (1.0 + Step) / (10.0 + Step)) : cfg.EmaDecay;
        _ema.Update(_model.named_parameters().Select(p => (p.name, p.parameter)), decay);
        return new DitStepStats(Step, lossValue, lr, gradNorm, items.shape[0] * Sync.WorldSize / Math.Max(1e-9, sw.Elapsed.TotalSeconds), false);
    }

    private DitStepStats Skip(double lr)
    {
        _opt.ZeroGrad();
        return new DitStepStats(Step, double.NaN, lr, double.NaN, 0, true);
    }

    /// <inheritdoc />
    protected override DitStepStats AverageOverRanks(DitStepStats s) => s with { Loss = Sync.AverageValues([s.Loss])[0] };

    /// <inheritdoc />
    protected override JsonObject MetricsLine(DitStepStats s) => new()
    {
        ["step"] = Step,
        ["loss"] = double.IsFinite(s.Loss) ? s.Loss : null,
        ["lr"] = s.Lr,
        ["grad_norm"] = double.IsFinite(s.GradNorm) ? s.GradNorm : null,
        ["latents_per_second"] = Math.Round(s.LatentsPerSecond, 2),
        ["skipped"] = s.Skipped,
    };

    /// <inheritdoc />
    protected override string StepLine(DitStepStats s) => string.Format(CultureInfo.InvariantCulture,
        "(step={0:D7}) loss {1:F5} lr {2:E2} grad {3:F3} · {4:F1} latents/s", Step, s.Loss, s.Lr, s.GradNorm, s.LatentsPerSecond);

    /// <summary>A class × sample grid from the EMA weights (fixed seed, so grids of different steps compare),
    /// decoded through the latents' tokenizer, as <c>samples/step_NNNNNNN.png</c>.</summary>
    public override void WriteSamples()
    {
        var tokenizer = Tokenizer();
        if (tokenizer is null) return;
        using var scope = torch.NewDisposeScope();
        using var swap = _ema.SwapInto(_model.named_parameters().Select(p => (p.name, p.parameter)));
        _model.eval();
        try
        {
            int classes = Math.Min(_model.Config.NumClasses, 10);
            int perClass = _space.IsImage ? Config.SamplesPerClass : Math.Min(Config.SamplesPerClass, 4);
            var labels = DitSampler.GridLabels(classes, perClass);
            var z = DitSampler.Generate(_model, _process, _space, labels, Config.SampleCfg, null, Config.Seed);
            var pixels = DitSampler.Decode(tokenizer, z, _space);
            DitSampler.SaveGrid(pixels, perClass, Path.Combine(Run.SampleDir, $"step_{Step:D7}.png"));
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
        _tokenizer = Autoencoders.Load(_space.Tokenizer, null, Device);
        _tokenizer.Module.eval();
        return _tokenizer;
    }

    /// <inheritdoc />
    protected override Dictionary<string, string> StateMetadata()
    {
        var meta = DitCheckpoint.Metadata(_model.Config, Config.Diffusion, _space);
        meta["kind"] = DitCheckpoint.TrainStateKind;
        return meta;
    }

    /// <summary>Writes the EMA weights as a plain DiT checkpoint (what <c>vitok sample</c> and <c>eval-gen</c> read).</summary>
    public override void ExportModel(string path) =>
        DitCheckpoint.Save(path, _ema.Values, _model.Config, Config.Diffusion, _space, new Dictionary<string, string>
        {
            ["train_step"] = Step.ToString(CultureInfo.InvariantCulture),
            ["train_config"] = Config.ToJson(indented: false),
        });

    /// <summary>Frees the model, optimiser, EMA, tokenizer and (when owned) the latents, and releases the run folder's lock.</summary>
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing) return;
        _opt.Dispose();
        _ema.Dispose();
        _model.Dispose();
        _tokenizer?.Dispose();
        _items.Dispose();
        _labels.Dispose();
        if (_ownsLatents) _latents.Dispose();
    }
}
