using System.Diagnostics;
using ViTok.Diffusion;
using ViTok.Generation;
using ViTok.IO;
using ViTok.Losses;
using ViTok.Models;
using ViTok.Training;

namespace ViTok.Tests.NativeSafety;

/// <summary>The native-lifetime stress: tiny trainings of both tokenizer families (paper, v2) and of the latent DiT
/// (DDPM and flow, with EMA, AdamW, the losses and the sampler) while a second thread forces full garbage
/// collections and runs finalizers without pause. Before the Scalar fix this aborts the process with libtorch's
/// <c>Expected false to be true ... Scalar.h</c> (an <c>ExternalException</c>) or a segfault; it runs in its own
/// process (<c>dotnet ViTok.Tests.dll stress STEPS</c>) so that a crash is an exit code, not a dead test host.</summary>
public static class StressHost
{
    private static readonly Scalar Three = 3;
    private static readonly Scalar MinusThree = -3.0f;

    /// <summary>Runs <paramref name="steps"/> training steps per model (4 models) in rounds of 50; prints
    /// <c>stress ok: N steps, G collections, S s</c> and returns 0.</summary>
    public static int Run(int steps)
    {
        torch.set_num_threads(1);
        var sw = Stopwatch.StartNew();
        int gcs = 0;
        using var stop = new CancellationTokenSource();
        var gc = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                Interlocked.Increment(ref gcs);
            }
        }) { IsBackground = true, Name = "gc-stress" };
        gc.Start();

        var root = Path.Combine(Path.GetTempPath(), $"vitok-stress-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        try
        {
            torch.manual_seed(42);
            using var images = F.interpolate(torch.rand(32, 3, 4, 4).mul_(2).sub_(1), [16, 16],
                mode: InterpolationMode.Bilinear, align_corners: false);
            using var latents = Latents();
            long total = 0;
            int done = 0;
            const int round = 50;
            while (done < steps)
            {
                int n = Math.Min(round, steps - done);
                total += Autoencoder("paper", "Sw32d1h2-Bw32d1h2/4", images, done + n, Path.Combine(root, "paper"), done == 0);
                total += Autoencoder("v2", "w32_d1_h2/1x4x4", images, done + n, Path.Combine(root, "v2"), done == 0);
                total += Dit("ddpm", latents, done + n, Path.Combine(root, "ddpm"), done == 0);
                total += Dit("flow", latents, done + n, Path.Combine(root, "flow"), done == 0);
                done += n;
                Console.WriteLine($"round: {total} steps, {gcs} collections, {sw.Elapsed.TotalSeconds:F1} s");
            }
            stop.Cancel();
            gc.Join();
            Console.WriteLine($"stress ok: {total} steps, {gcs} collections, {sw.Elapsed.TotalSeconds:F1} s");
            return 0;
        }
        finally
        {
            stop.Cancel();
            try { Directory.Delete(root, true); } catch (IOException) { }
        }
    }

    private static TrainConfig Config(string family, string variant, int steps) => new()
    {
        Family = family,
        Variant = variant,
        Channels = 4,
        ImageSize = 16,
        BatchSize = 8,
        Steps = steps,
        Lr = 1e-3,
        Seed = 3,
        CheckpointEvery = 50,
        SampleEvery = 50,
        LogEvery = 10,
        KeepLast = 1,
        EmaDecay = 0.99,
        Loss = new LossConfig { PerceptualWeight = 0, KlWeight = 1e-3 },
    };

    private static long Autoencoder(string family, string variant, Tensor images, int until, string dir, bool first)
    {
        var cfg = Config(family, variant, until);
        Func<TrainConfig, ITrainingData> data = c => new TensorTrainingData(images, null, c.BatchSize, c.Seed);
        using var t = first
            ? AutoencoderTrainer.Create(cfg, dir, data, _ => null)
            : AutoencoderTrainer.Resume(dir, [$"steps={until}"], data, _ => null);
        long before = t.Step;
        t.RunLoop(CancellationToken.None);
        return t.Step - before;
    }

    private static long Dit(string kind, LatentSet latents, int until, string dir, bool first)
    {
        var cfg = new DitTrainConfig
        {
            Variant = "Bw32d2h2",
            Diffusion = new DiffusionConfig { Kind = kind, SampleSteps = 4 },
            BatchSize = 8,
            Steps = until,
            Lr = 1e-3,
            WarmupRatio = 0.1,
            EmaDecay = 0.9,
            EmaWarmup = true,
            Seed = 5,
            CheckpointEvery = 50,
            SampleEvery = 50,
            SamplesPerClass = 2,
            LogEvery = 10,
            KeepLast = 1,
        };
        using var t = first ? DitTrainer.Create(cfg, dir, latents) : DitTrainer.Resume(dir, [$"steps={until}"], latents);
        long before = t.Step;
        t.RunLoop(CancellationToken.None);
        return t.Step - before;
    }

    private static LatentSet Latents()
    {
        var labels = torch.arange(48, dtype: ScalarType.Int64).remainder(Three);
        var mean = torch.randn(48, 12, 4);
        var logVar = torch.full([48, 12, 4], MinusThree);
        var space = new LatentSpace
        {
            Contract = new LatentFile.Contract("paper", "Sw32d1h2-Bw32d1h2/4", 4, 1, 4, "none (posterior mean)"),
            Grid = [1, 3, 4],
            InputSize = [1, 12, 16],
            Tokenizer = "/nonexistent/tokenizer.safetensors",
            Classes = ["a", "b", "c"],
            Source = "stress",
        };
        return new LatentSet(space, mean, logVar, labels);
    }
}
