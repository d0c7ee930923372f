using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ViTok.Data;
using ViTok.IO;
using ViTok.Losses;
using ViTok.Metrics;
using ViTok.Models;
using DataLoader = ViTok.Data.DataLoader;
using ViTok.Training;
using AdamW = ViTok.Training.AdamW;

namespace ViTok.Demos;

/// <summary>The README's main job: train a small paper-family ViTok on Fashion-MNIST (32×32, grey replicated to RGB)
/// for a fixed number of minutes on the CPU, evaluate it on the test set, and compare it with bicubic resampling that
/// stores the same number of floats per image. Writes <c>recon.png</c>, <c>report.md</c> and <c>metrics.json</c>.</summary>
public static class TokenizerDemo
{
    private const int Size = 32;

    /// <summary>The run config the demo trains with (steps filled in after calibration).</summary>
    public static TrainConfig Config(DemoOptions o, int steps) => new()
    {
        Family = "paper",
        Variant = o.Variant,
        Channels = o.Channels,
        Data = JsonValue.Create(o.Data),
        ImageSize = Size,
        BatchSize = o.BatchSize,
        Steps = steps,
        Lr = o.Lr,
        WarmupRatio = 0.03,
        MinLr = o.Lr / 20,
        Seed = o.Seed,
        Workers = o.Workers,
        Loss = new LossConfig { Reconstruction = "l2", PerceptualWeight = o.PerceptualWeight, KlWeight = o.KlWeight },
        CheckpointEvery = Math.Max(1, steps / 4),
        SampleEvery = Math.Max(1, steps / 4),
        LogEvery = Math.Max(1, steps / 50),
        KeepLast = 2,
        MaxMinutes = o.Minutes,
    };

    /// <summary>Fewer training steps than this (or a PSNR not above the best bicubic baseline) marks the model as
    /// under-trained in the report: the numbers then measure the time budget, not the method.</summary>
    public const int MinSteps = 300;

    /// <summary>The fraction of the budget given to the test-set evaluation (its size follows from its measured speed).</summary>
    public const double EvalShare = 0.2;

    /// <summary>Seconds kept for loading, saving and the report (the demo aims to finish within the budget; the stated
    /// margin is this plus process start-up).</summary>
    public const double ReserveSeconds = 4;

    /// <summary>Runs the demo within <see cref="DemoOptions.Minutes"/> in all: calibration, training, evaluation on as
    /// many test images as fit (at most <see cref="DemoOptions.EvalItems"/>, the count is reported) and the report.
    /// <paramref name="train"/> drives the trainer (the CLI shows progress there); <paramref name="log"/> receives
    /// progress lines.</summary>
    /// <exception cref="ViTokException">The output folder already holds a demo run, or the data is missing.</exception>
    public static DemoResult Run(DemoOptions o, Action<AutoencoderTrainer> train, Action<string> log)
    {
        var clock = Stopwatch.StartNew();
        double budget = o.Minutes * 60;
        string outDir = Path.GetFullPath(o.Out);
        if (Directory.Exists(Path.Combine(outDir, "train", "checkpoints")) && Directory.EnumerateFiles(Path.Combine(outDir, "train", "checkpoints")).Any())
            throw new ViTokException($"{outDir} already holds a demo run; pass another -o/--output or delete it.");

        // ---- calibrate: how long a training step and an evaluated test image take here, now ----
        log($"budget {budget:F0} s in all: calibrating (a few training steps, one evaluation batch)...");
        var probe = Config(o, 1_000_000);
        double stepSeconds = MeasureStepSeconds(probe);
        double imageSeconds = MeasureEvalImageSeconds(probe, o);
        double left = budget - clock.Elapsed.TotalSeconds - ReserveSeconds;
        int evalItems = (int)Math.Clamp(Math.Floor(EvalShare * budget / imageSeconds / 10) * 10, Math.Min(100, o.EvalItems), o.EvalItems);
        double evalSeconds = evalItems * imageSeconds;
        double trainSeconds = Math.Max(5, left - evalSeconds);
        int steps = Math.Max(20, (int)(trainSeconds / stepSeconds * 0.92));
        log($"calibration: {stepSeconds * 1000:F0} ms per step → {steps} steps in {trainSeconds:F0} s of training; " +
            $"{imageSeconds * 1000:F1} ms per test image → {evalItems} of the 10,000 test images in about {evalSeconds:F0} s");

        // ---- train ----
        var cfg = Config(o, steps) with { MaxMinutes = trainSeconds / 60 };
        var trainClock = Stopwatch.StartNew();
        int done;
        using (var trainer = AutoencoderTrainer.Create(cfg, Path.Combine(outDir, "train"), c => LoaderTrainingData.Open(c),
                   c => PerceptualLosses.Create(c.Loss.Perceptual, c.Loss.PerceptualWeight, null, c.ImageSize, torch.CPU)))
        {
            train(trainer);
            done = trainer.Step;
        }
        double trainTime = trainClock.Elapsed.TotalSeconds;

        // ---- evaluate on the test set, stopping at the budget ----
        string modelPath = Path.Combine(outDir, "train", "model.safetensors");
        using var model = Autoencoders.Load(modelPath);
        double deadline = budget - ReserveSeconds / 2 - clock.Elapsed.TotalSeconds;
        var result = Evaluate(model, o with { EvalItems = evalItems }, done, trainTime, outDir, log, deadline);
        log(Timings);
        File.Copy(modelPath, Path.Combine(outDir, "model.safetensors"), overwrite: true);
        WriteReport(result, o, outDir);
        log($"demo finished in {clock.Elapsed.TotalSeconds:F0} s (budget {budget:F0} s)");
        return result;
    }

    // Seconds per test image of the evaluation (model, baselines, PSNR/SSIM, ResNet18 distance) on one small batch.
    private static double MeasureEvalImageSeconds(TrainConfig cfg, DemoOptions o)
    {
        torch.manual_seed(cfg.Seed);
        using var model = Autoencoders.Create(cfg.Family, cfg.Variant, cfg.Channels);
        model.Module.eval();
        using var perceptual = ResNet18PerceptualDistance.Load();
        const int n = 50;
        using var x = torch.rand(n, 3, Size, Size).Times(2L).Minus(1L);
        var sw = new Stopwatch();
        for (int i = 0; i < 2; i++)
        {
            if (i == 1) sw.Start();
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var recon = model.Reconstruct(x);
            _ = perceptual.Distance(recon, x).sum().item<float>();
            _ = Psnr.PerImage(x, recon).sum().item<double>() + Ssim.PerImage(x, recon).sum().item<double>() * 3;
            _ = Bicubic(x, 9, 9).sum().item<float>();
        }
        // PSNR/SSIM run for three pairs (model, two baselines): the probe does one pair with SSIM counted thrice.
        return sw.Elapsed.TotalSeconds / n * 1.15;
    }

    private static double MeasureStepSeconds(TrainConfig cfg)
    {
        torch.manual_seed(cfg.Seed);
        using var model = Autoencoders.Create(cfg.Family, cfg.Variant, cfg.Channels);
        using var perceptual = PerceptualLosses.Create(cfg.Loss.Perceptual, cfg.Loss.PerceptualWeight, null, cfg.ImageSize, torch.CPU);
        using var opt = new AdamW(model.Module.named_parameters().Select(p => (p.name, p.parameter)), ParamGroups.Decays, 1e-4);
        using var x = torch.rand(cfg.BatchSize, 3, Size, Size).Times(2).Minus(1);
        var sw = new Stopwatch();
        for (int i = 0; i < 8; i++)
        {
            if (i == 3) sw.Start();
            using var scope = torch.NewDisposeScope();
            opt.ZeroGrad();
            var (recon, kl) = model.TrainForward(x, null);
            var loss = (recon - x).pow(Scalars.Of(2)).mean().Plus(kl!.Times(cfg.Loss.KlWeight));
            if (perceptual is not null) loss = loss.Plus(perceptual.Distance(recon, x).mean().Times(cfg.Loss.PerceptualWeight));
            loss.backward();
            opt.StepOnce();
        }
        // The data loader shares the two cores with the step: leave it some headroom.
        return sw.Elapsed.TotalSeconds / 5 * 1.1;
    }

    /// <summary>Reconstruction metrics of <paramref name="model"/> on the Fashion-MNIST test set at 32×32 (8-bit
    /// quantised, as the paper evaluates), with the bicubic baselines at the same floats per image.</summary>
    /// <param name="model">The tokenizer.</param>
    /// <param name="o">The demo's options (<see cref="DemoOptions.EvalItems"/>: at most this many test images, in order).</param>
    /// <param name="steps">Training steps the model had (for the result).</param>
    /// <param name="trainSeconds">Training seconds (for the result).</param>
    /// <param name="outDir">Where recon.png goes (null: no picture).</param>
    /// <param name="log">Progress lines (null: none).</param>
    /// <param name="deadlineSeconds">Stop before a batch that would end after this many seconds (the images done are reported).</param>
    public static DemoResult Evaluate(IAutoencoder model, DemoOptions o, int steps, double trainSeconds, string? outDir,
        Action<string>? log = null, double deadlineSeconds = double.PositiveInfinity)
    {
        var evalClock = Stopwatch.StartNew();
        int batches = 0;
        var lastLog = Stopwatch.StartNew();
        log?.Invoke($"evaluating on up to {o.EvalItems} test images...");
        model.Module.eval();
        var source = FashionMnist.Load(o.Data, train: false, ImageTransform.ForEval(Size));
        var loader = new DataLoader(source, new DataLoaderOptions { BatchSize = Math.Min(50, Math.Max(10, o.EvalItems)), Workers = o.Workers, Shuffle = false });
        long floats = model.LatentFloats(1, Size, Size);
        int side = Math.Max(1, (int)Math.Round(Math.Sqrt(floats / 3.0)));          // RGB baseline: 3·side² floats
        int greySide = Math.Max(1, (int)Math.Round(Math.Sqrt(floats)));           // grey baseline: side² floats
        using var perceptual = ResNet18PerceptualDistance.Load();
        double psnr = 0, ssim = 0, perc = 0, bPsnr = 0, bSsim = 0, gPsnr = 0, gSsim = 0;
        int n = 0;
        var tModel = new Stopwatch();
        var tMetrics = new Stopwatch();
        var tPerceptual = new Stopwatch();
        var tData = Stopwatch.StartNew();
        Tensor? gridOrig = null, gridModel = null, gridBicubic = null;
        foreach (var batch in loader.Epoch(0))
        {
            tData.Stop();
            using var scope = torch.NewDisposeScope();
            int take = Math.Min(batch.Count, o.EvalItems - n);
            if (take <= 0) break;
            var x = Quantize(batch.Pixels.narrow(0, 0, take));
            tModel.Start();
            var recon = Quantize(model.Reconstruct(x));
            tModel.Stop();
            tMetrics.Start();
            var bicubic = Quantize(Bicubic(x, side, side));
            var grey = Quantize(Bicubic(x.mean([1], keepdim: true), greySide, greySide).expand(-1, 3, -1, -1));
            psnr += Psnr.PerImage(x, recon).sum().item<double>();
            ssim += Ssim.PerImage(x, recon).sum().item<double>();
            tMetrics.Stop();
            tPerceptual.Start();
            using (torch.no_grad()) perc += perceptual.Distance(recon, x).sum().item<float>();
            tPerceptual.Stop();
            tMetrics.Start();
            bPsnr += Psnr.PerImage(x, bicubic).sum().item<double>();
            bSsim += Ssim.PerImage(x, bicubic).sum().item<double>();
            gPsnr += Psnr.PerImage(x, grey).sum().item<double>();
            gSsim += Ssim.PerImage(x, grey).sum().item<double>();
            tMetrics.Stop();
            if (gridOrig is null)
            {
                // One test image of each class for the picture.
                var labels = batch.LabelValues.Take(take).ToList();
                var idx = Enumerable.Range(0, 10).Select(c => labels.IndexOf(c)).Where(i => i >= 0).Select(i => (long)i).ToArray();
                using var index = torch.tensor(idx);
                gridOrig = x.index_select(0, index).MoveToOuterDisposeScope();
                gridModel = recon.index_select(0, index).MoveToOuterDisposeScope();
                gridBicubic = bicubic.index_select(0, index).MoveToOuterDisposeScope();
            }
            n += take;
            if (lastLog.Elapsed.TotalSeconds >= 5 || n >= o.EvalItems)
            {
                log?.Invoke($"evaluating: {n}/{o.EvalItems} test images ({evalClock.Elapsed.TotalSeconds:F0} s)");
                lastLog.Restart();
            }
            batches++;
            double perBatch = evalClock.Elapsed.TotalSeconds / batches;
            if (evalClock.Elapsed.TotalSeconds + perBatch > deadlineSeconds && n < o.EvalItems)
            {
                log?.Invoke($"evaluation stopped at the time budget after {n} test images");
                break;
            }
            tData.Start();
        }
        Timings = $"evaluation of {n} images: model {tModel.Elapsed.TotalSeconds:F1} s, PSNR/SSIM/baselines {tMetrics.Elapsed.TotalSeconds:F1} s, ResNet18 {tPerceptual.Elapsed.TotalSeconds:F1} s, data {tData.Elapsed.TotalSeconds:F1} s";
        if (outDir is not null && gridOrig is not null)
            ViTok.Plots.LabelledGrid.Save([gridOrig, gridModel!, gridBicubic!],
                ["test original", $"ViTok ({floats} floats)", $"bicubic RGB {side}x{side} ({3L * side * side} floats)"], null, Path.Combine(outDir, "recon.png"));
        gridOrig?.Dispose();
        gridModel?.Dispose();
        gridBicubic?.Dispose();
        return new DemoResult(psnr / n, ssim / n, perc / n, floats, steps, trainSeconds, n, bPsnr / n, bSsim / n, 3L * side * side,
            gPsnr / n, gSsim / n, (long)greySide * greySide, model.Variant, model.Channels);
    }

    /// <summary>Where the last <see cref="Evaluate"/> spent its time.</summary>
    public static string Timings { get; private set; } = "";

    /// <summary>round((clamp(x, −1, 1) + 1)/2 · 255) mapped back to [−1, 1]: what an 8-bit file would hold.</summary>
    private static Tensor Quantize(Tensor x) => x.clamp(Scalars.Of(-1), Scalars.Of(1)).add(Scalars.Of(1), Scalars.One).mul(Scalars.Of(127.5)).round().div(Scalars.Of(127.5)).sub(Scalars.Of(1));

    /// <summary>Bicubic (antialiased) downscale to h×w and bicubic upscale back.</summary>
    private static Tensor Bicubic(Tensor x, int h, int w)
    {
        var small = Resampler.Bicubic(x, h, w);
        return Resampler.Bicubic(small, (int)x.shape[2], (int)x.shape[3], antialias: false);
    }

    /// <summary>The demo's metrics.json object (also the CLI's <c>--json</c> result).</summary>
    public static JsonObject MetricsJson(DemoResult r) => new()
    {
        ["psnr"] = Math.Round(r.Psnr, 4),
        ["ssim"] = Math.Round(r.Ssim, 5),
        ["perceptual_resnet18"] = Math.Round(r.PerceptualResNet18, 5),
        ["latent_floats"] = r.LatentFloats,
        ["steps"] = r.Steps,
        ["train_seconds"] = Math.Round(r.TrainSeconds, 1),
        ["eval_items"] = r.EvalItems,
        ["baseline_bicubic_psnr"] = Math.Round(r.BaselineBicubicPsnr, 4),
        ["baseline_bicubic_ssim"] = Math.Round(r.BaselineBicubicSsim, 5),
        ["baseline_bicubic_floats"] = r.BaselineBicubicFloats,
        ["baseline_bicubic_grey_psnr"] = Math.Round(r.BaselineBicubicGreyPsnr, 4),
        ["baseline_bicubic_grey_ssim"] = Math.Round(r.BaselineBicubicGreySsim, 5),
        ["baseline_bicubic_grey_floats"] = r.BaselineBicubicGreyFloats,
        ["family"] = "paper",
        ["variant"] = r.Variant,
        ["channels"] = r.Channels,
        ["under_trained"] = r.UnderTrained,
    };

    private static void WriteReport(DemoResult r, DemoOptions o, string outDir)
    {
        var inv = CultureInfo.InvariantCulture;
        AtomicFile.WriteAllText(Path.Combine(outDir, "metrics.json"), MetricsJson(r).ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
        var sb = new StringBuilder();
        sb.AppendLine("# ViTok.NET demo: a ViT tokenizer trained on Fashion-MNIST on the CPU").AppendLine();
        sb.AppendLine((r.UnderTrained ? "**" + r.Verdict + "**" : r.Verdict)).AppendLine();
        sb.AppendLine(string.Format(inv, "Model: paper-family `{0}`, c = {1}: {2} latent floats per 32×32 RGB image ({3:F1}× fewer than its 3072 values). " +
            "Trained for {4} steps ({5:F0} s) at batch {6} with L2 + {7}·ResNet18 perceptual + {8}·KL; evaluated on the first {9} of the 10,000 test images (as many as the time budget allowed), 8-bit quantised.",
            r.Variant, r.Channels, r.LatentFloats, 3072.0 / r.LatentFloats, r.Steps, r.TrainSeconds, o.BatchSize, o.PerceptualWeight, o.KlWeight, r.EvalItems)).AppendLine();
        sb.AppendLine("| method | floats per image | PSNR (dB) | SSIM |");
        sb.AppendLine("| --- | --- | --- | --- |");
        sb.AppendLine(string.Format(inv, "| ViTok (this run) | {0} | {1:F2} | {2:F4} |", r.LatentFloats, r.Psnr, r.Ssim));
        sb.AppendLine(string.Format(inv, "| bicubic, RGB {0}×{0} | {1} | {2:F2} | {3:F4} |", (int)Math.Sqrt(r.BaselineBicubicFloats / 3), r.BaselineBicubicFloats, r.BaselineBicubicPsnr, r.BaselineBicubicSsim));
        sb.AppendLine(string.Format(inv, "| bicubic, one grey channel {0}×{0} | {1} | {2:F2} | {3:F4} |", (int)Math.Sqrt(r.BaselineBicubicGreyFloats), r.BaselineBicubicGreyFloats, r.BaselineBicubicGreyPsnr, r.BaselineBicubicGreySsim)).AppendLine();
        sb.AppendLine("The bicubic baseline stores the image downscaled (bicubic, antialiased) so that it keeps about as many floats as the " +
            "latent, and upscales it back. Fashion-MNIST is grey: the second baseline exploits that and stores one channel, which a " +
            "tokenizer fed RGB must learn. ResNet18 perceptual distance of the model (lower is better): " +
            string.Format(inv, "{0:F4}.", r.PerceptualResNet18)).AppendLine();
        sb.AppendLine("![originals, ViTok, bicubic RGB](recon.png)").AppendLine();
        sb.AppendLine("Rows (labelled in the picture): test originals (one per class), ViTok reconstructions, bicubic RGB baseline.").AppendLine();
        sb.AppendLine("Files: `model.safetensors` (the tokenizer), `train/` (run folder: config, metrics.jsonl, log, samples, checkpoints).");
        AtomicFile.WriteAllText(Path.Combine(outDir, "report.md"), sb.ToString());
    }
}
