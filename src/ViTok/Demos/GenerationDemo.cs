using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using ViTok.Data;
using ViTok.IO;
using ViTok.Evaluation;
using ViTok.Models;
using ViTok.Training;
using ViTok.Generation;

namespace ViTok.Demos;

/// <summary>The generation demo behind <c>vitok demo --generate</c>: encodes the Fashion-MNIST training set with a
/// trained image tokenizer, trains a small class-conditional DiT on the latents for a bounded time, and writes
/// <c>samples.png</c> (10 classes × 8) and <c>generation.json</c> (<see cref="GenerationDemoReport"/>) into the output
/// folder. Images are prepared for the tokenizer's training size S (the <c>image_size</c> of its <c>train_config</c>;
/// else the next multiple of p at or above 28): padded centred with black when 28 ≤ S ≤ 36 (28 → 32 for p = 4), else
/// resized (<see cref="GenerationDemoOptions.Preparation"/> overrides the choice).</summary>
public static class GenerationDemo
{
    /// <summary>Runs the demo; <paramref name="minutes"/> bounds the DiT training (encoding and measuring come on top:
    /// about two minutes each on two CPU cores).</summary>
    public static GenerationDemoReport Run(string tokenizerCheckpoint, string outDir, double minutes = 20, GenerationDemoOptions? options = null,
        Action<string>? log = null, CancellationToken cancel = default)
    {
        var o = options ?? new GenerationDemoOptions();
        if (minutes <= 0) throw new ViTokException($"minutes must be positive, got {minutes}");
        Directory.CreateDirectory(outDir);
        using var tokenizer = Autoencoders.Load(tokenizerCheckpoint);
        tokenizer.Module.eval();
        if (tokenizer.TubeletSize != 1) throw new ViTokException($"{tokenizerCheckpoint}: the generation demo needs an image tokenizer (q = 1), this one has q = {tokenizer.TubeletSize}.");
        int side = TrainingSide(tokenizerCheckpoint, tokenizer.PatchSize);
        bool resize = o.Preparation switch
        {
            "pad" => false,
            "resize" => true,
            "auto" => side < 28 || side > 36,
            _ => throw new ViTokException($"preparation '{o.Preparation}': expected auto, pad or resize"),
        };
        if (!resize && side < 28) throw new ViTokException($"{tokenizerCheckpoint}: trained at {side}×{side}, smaller than Fashion-MNIST's 28×28; use resize.");
        var transform = resize ? ImageTransform.ForEval(side) : ImageTransform.None;
        int pad = !resize && side > 28 ? side : 0;
        string prep = resize ? $"resize to {side} (bilinear, antialiased)" : "none";

        // ---- 1. latents of the training set (resumable) ----
        var sw = Stopwatch.StartNew();
        IDataSource train = FashionMnist.Load(o.DataFolder, train: true, transform);
        if (o.TrainItems > 0) train = new Subset((IDataset)train, o.TrainItems);
        string latentDir = Path.Combine(outDir, "latents");
        LatentDatasetEncoder.Run(tokenizer, tokenizerCheckpoint, train,
            new EncodeDatasetOptions { Output = latentDir, PadTo = pad, Preprocessing = prep, BatchSize = o.CodecBatch, ShardSize = 10_000 }, log, cancel);
        log?.Invoke($"latents ready in {sw.Elapsed.TotalSeconds:F0} s");
        using var latents = LatentShards.Load(latentDir);

        // ---- 2. the DiT: measure the step time, then size the cosine schedule to the time budget ----
        var cfg = new DitTrainConfig
        {
            Variant = o.Variant,
            Diffusion = o.Diffusion,
            Latents = latentDir,
            BatchSize = o.BatchSize,
            Lr = o.Lr,
            WarmupRatio = 0.05,
            MinLr = o.Lr / 10,
            WeightDecay = 0,
            EmaDecay = o.EmaDecay,
            EmaWarmup = true,
            Seed = o.Seed,
            LogEvery = 50,
            SampleEvery = int.MaxValue,
            CheckpointEvery = 500,
            KeepLast = 1,
            SampleCfg = o.GridCfg,
            MaxMinutes = minutes,
        };
        string runDir = Path.Combine(outDir, "dit");
        var trainClock = Stopwatch.StartNew();
        TrainWithinBudget(cfg, runDir, outDir, latents, minutes, log, cancel);
        double trainMinutes = trainClock.Elapsed.TotalMinutes;

        // ---- 3. grid and distances with the EMA model ----
        string modelPath = new RunDirectory(runDir).ModelPath;
        using var gen = DitCheckpoint.Load(modelPath);
        var space = gen.Space;
        var process = gen.Diffusion.CreateProcess();
        using var scope = torch.NewDisposeScope();
        string gridPath = Path.Combine(outDir, "samples.png");
        var gridZ = DitSampler.Generate(gen.Model, process, space, DitSampler.GridLabels(10, 8), o.GridCfg, null, o.Seed, o.CodecBatch);
        DitSampler.SaveGrid(DitSampler.Decode(tokenizer, gridZ, space, o.CodecBatch), 8, gridPath);
        log?.Invoke($"grid → {gridPath}");

        int n = o.FdSamples;
        IDataSource test = FashionMnist.Load(o.DataFolder, train: false, transform);
        using var fe = DistributionFeatures.Create(o.FidWeights);
        var (refPixels, refLabels) = GenerationEvaluator.LoadReal(test, space, n, o.Seed + 1);
        var refFeatures = fe.Features(refPixels);
        var (heldOut, _) = GenerationEvaluator.LoadReal(test, space, n, o.Seed + 1, skip: n);

        var labels = Enumerable.Range(0, n).Select(i => (long)(i % 10)).ToArray();
        var modelPixels = DitSampler.Decode(tokenizer, DitSampler.Generate(gen.Model, process, space, labels, o.FdCfg, null, o.Seed + 2, o.CodecBatch), space, o.CodecBatch);
        var modelFeatures = fe.Features(modelPixels);
        double fdModel = DistributionFeatures.Distance(modelFeatures, refFeatures);
        log?.Invoke($"{fe.Key} model {fdModel:F3}");

        using var noiseGen = new Generator((ulong)(o.Seed + 3));
        var noise = torch.randn([n, space.Tokens, space.Contract.Channels], generator: noiseGen).Over(space.Scale);
        double fdNoise = DistributionFeatures.Distance(fe.Features(DitSampler.Decode(tokenizer, noise, space, o.CodecBatch)), refFeatures);
        log?.Invoke($"{fe.Key} noise {fdNoise:F3}");

        var realLatents = new List<Tensor>();
        for (long i = 0; i < heldOut.shape[0]; i += o.CodecBatch)
            realLatents.Add(LatentCodec.EncodeBatch(tokenizer, heldOut.narrow(0, i, Math.Min(o.CodecBatch, heldOut.shape[0] - i))).Posterior.Mean);
        double fdReal = DistributionFeatures.Distance(fe.Features(DitSampler.Decode(tokenizer, torch.cat(realLatents), space, o.CodecBatch)), refFeatures);
        log?.Invoke($"{fe.Key} real latents {fdReal:F3}");

        var perClass = new Dictionary<string, double>();
        for (int c = 0; c < 10; c++)
        {
            var g = modelFeatures.index_select(0, torch.tensor(labels.Select((l, i) => (l, i)).Where(x => x.l == c).Select(x => (long)x.i).ToArray()));
            var r = refFeatures.index_select(0, torch.tensor(refLabels.Select((l, i) => (l, i)).Where(x => x.l == c).Select(x => (long)x.i).ToArray()));
            if (g.shape[0] >= 2 && r.shape[0] >= 2) perClass[FashionMnist.ClassNames[c]] = DistributionFeatures.Distance(g, r);
        }

        var report = new GenerationDemoReport
        {
            Metric = fe.Key,
            FdModel = fdModel,
            FdNoise = fdNoise,
            FdRealLatents = fdReal,
            GapRatio = (fdModel - fdReal) / (fdNoise - fdReal),
            Samples = n,
            Cfg = o.FdCfg,
            GridCfg = o.GridCfg,
            Sampler = process.Kind == "ddpm" ? "ddim" : "euler",
            SampleSteps = gen.Diffusion.SampleSteps ?? process.DefaultSampleSteps,
            Dit = gen.Model.Config.Variant,
            DitParameters = gen.Model.ParameterCount,
            TrainSteps = int.Parse(Safetensors.ReadHeader(modelPath).Metadata["train_step"], System.Globalization.CultureInfo.InvariantCulture),
            TrainMinutes = Math.Round(trainMinutes, 2),
            LatentScale = space.Scale,
            Tokenizer = Path.GetFullPath(tokenizerCheckpoint),
            Grid = Path.GetFullPath(gridPath),
            Model = Path.GetFullPath(modelPath),
            PerClass = perClass,
        };
        AtomicFile.WriteAllText(Path.Combine(outDir, "generation.json"), JsonSerializer.Serialize(report, Json.Options));
        return report;
    }

    /// <summary>The tokenizer's training side: <c>image_size</c> of the <c>train_config</c> in its metadata, else the
    /// next multiple of p at or above 28.</summary>
    public static int TrainingSide(string tokenizerCheckpoint, int patch)
    {
        if (File.Exists(tokenizerCheckpoint)
            && Safetensors.ReadHeader(tokenizerCheckpoint).Metadata.TryGetValue("train_config", out var json)
            && JsonNode.Parse(json)?["image_size"]?.GetValue<int>() is int size and > 0)
            return size;
        return (28 + patch - 1) / patch * patch;
    }

    // Sizes the cosine schedule to the time budget: a probe times a few steps; after 15 % of the budget the measured
    // rate is checked and, when it is off by more than 10 %, the run stops and resumes with the corrected step count
    // (a resume may change steps; the schedule is a pure function of the step and the total). CPU load on shared
    // machines changes, so the probe alone is not enough. A run folder with checkpoints is resumed as it is.
    private static void TrainWithinBudget(DitTrainConfig cfg, string runDir, string outDir, LatentSet latents, double minutes, Action<string>? log,
        CancellationToken cancel)
    {
        if (new RunDirectory(runDir).Checkpoints().Count > 0)
        {
            using var resumed = DitTrainer.Resume(runDir, [], latents, log);
            resumed.RunLoop(cancel);
            return;
        }
        var clock = Stopwatch.StartNew();
        double perStep = MeasureStep(cfg, outDir, latents);
        int steps = Math.Max(10, (int)(minutes * 60 / perStep * 0.95));
        log?.Invoke($"DiT step ≈ {perStep:F2} s → {steps} steps in {minutes} min");
        int? corrected = null;
        using (var check = CancellationTokenSource.CreateLinkedTokenSource(cancel))
        using (var trainer = DitTrainer.Create(cfg with { Steps = steps, MaxMinutes = minutes }, runDir, latents, log))
        {
            var trainClock = Stopwatch.StartNew();
            trainer.OnStep = s =>
            {
                double elapsed = clock.Elapsed.TotalSeconds;
                if (corrected is not null || elapsed < 0.15 * minutes * 60 || s.Step < 20) return;
                double rate = (s.Step + 1) / trainClock.Elapsed.TotalSeconds;
                int projected = s.Step + 1 + (int)(rate * (minutes * 60 - elapsed) * 0.97);
                corrected = Math.Abs(projected - steps) > 0.1 * steps ? Math.Max(s.Step + 2, projected) : -1;
                if (corrected > 0) check.Cancel();
            };
            trainer.RunLoop(check.Token);
        }
        if (corrected is not int total || total < 0 || cancel.IsCancellationRequested) return;
        double left = Math.Max(0.1, minutes - clock.Elapsed.TotalMinutes);
        log?.Invoke($"measured rate differs from the probe: {total} steps in all");
        using var again = DitTrainer.Resume(runDir, [$"steps={total}", $"max_minutes={left.ToString(System.Globalization.CultureInfo.InvariantCulture)}"], latents, log);
        again.RunLoop(cancel);
    }

    // Times three training steps (after one warm-up) of the configured DiT in a throwaway run folder.
    private static double MeasureStep(DitTrainConfig cfg, string outDir, LatentSet latents)
    {
        string probe = Path.Combine(outDir, $"probe-{Guid.NewGuid():N}");
        try
        {
            using var t = DitTrainer.Create(cfg with { Steps = 100 }, probe, latents);
            using var scope = torch.NewDisposeScope();
            var idx = torch.arange(Scalars.Of(0), Scalars.Of(cfg.BatchSize), Scalars.One, dtype: ScalarType.Int64).remainder(Scalars.Of(latents.Count));
            var mean = latents.Mean.index_select(0, idx);
            var items = latents.LogVar is null || !cfg.SamplePosterior ? mean.unsqueeze(1) : torch.stack([mean, latents.LogVar.index_select(0, idx)], dim: 1);
            var labels = latents.Labels.index_select(0, idx).clamp_min(Scalars.Of(0));
            t.TrainStep(items, labels);
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < 3; i++) t.TrainStep(items, labels);
            return sw.Elapsed.TotalSeconds / 3;
        }
        finally
        {
            if (Directory.Exists(probe)) Directory.Delete(probe, recursive: true);
        }
    }

    /// <summary>The first items of a map-style source (for small runs and tests).</summary>
    private sealed class Subset(IDataset inner, int count) : IDataset
    {
        public string Location => $"{inner.Location} (first {Count})";
        public string Kind => inner.Kind;
        public IReadOnlyList<string> Classes => inner.Classes;
        public int Count { get; } = Math.Min(count, inner.Count);
        public string SourceOf(int index) => inner.SourceOf(index);
        public Sample Get(int index, DataRng rng) => inner.Get(index, rng);
    }
}
