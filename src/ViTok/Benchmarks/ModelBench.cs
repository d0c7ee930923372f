using System.Diagnostics;
using System.Globalization;
using System.Runtime.ExceptionServices;
using ViTok.Evaluation;
using ViTok.Layers;
using ViTok.Metrics;
using ViTok.Models;
using ViTok.Training;

namespace ViTok.Benchmarks;

/// <summary>Times a tokenizer in one process (<c>vitok bench</c>): inference (encode, decode, both; no_grad) or one
/// iteration of the real training loop (<see cref="AutoencoderTrainer"/> on a throw-away run folder), warm-up repeats
/// first, then timed ones; with the achieved GFLOP/s of the cost model (<see cref="ModelInfo"/>), a GEMM roof measured
/// in the same process and the peak resident memory. <see cref="Compare"/> runs two settings interleaved (A, B, A, B,
/// …; each setting on its own thread, one running at a time), so a machine's drift and load hit both alike and the
/// per-round ratio is what counts.</summary>
public static class ModelBench
{
    /// <summary>Times one setting.</summary>
    /// <param name="settings">What to run.</param>
    /// <param name="warmup">Untimed repeats first (≥ 0).</param>
    /// <param name="repeats">Timed repeats (≥ 1).</param>
    /// <param name="profile">Split the timed wall time: a training step into data, forward, backward, optimiser, other;
    /// inference into model components (<see cref="ComponentProfile.Components"/>).</param>
    /// <param name="roofSize">Side n of the n×n GEMM of the roof (≥ 16).</param>
    /// <param name="progress">Receives one line per phase (building, roof, repeats).</param>
    /// <exception cref="ViTokException">A setting the model or recipe refuses (size, frames, family), or bad counts.</exception>
    public static BenchResult Run(BenchSettings settings, int warmup, int repeats, bool profile = false, int roofSize = 2048, Action<string>? progress = null) =>
        RunInterleaved([settings], warmup, repeats, profile, roofSize, progress)[0];

    /// <summary>Times two settings interleaved: round r runs A's repeat r, then B's (warm-up rounds first).</summary>
    /// <param name="a">Setting A (the baseline).</param>
    /// <param name="b">Setting B (the speed-up is A's seconds over B's).</param>
    /// <param name="warmup">Untimed rounds first (≥ 0).</param>
    /// <param name="repeats">Timed rounds (≥ 1).</param>
    /// <param name="profile">Split each setting's timed wall time into phases (train-step) or components (inference).</param>
    /// <param name="roofSize">Side n of the n×n GEMM of the roof (≥ 16).</param>
    /// <param name="progress">Receives one line per phase.</param>
    /// <exception cref="ViTokException">A setting the model or recipe refuses, or bad counts.</exception>
    public static BenchComparison Compare(BenchSettings a, BenchSettings b, int warmup, int repeats, bool profile = false, int roofSize = 2048, Action<string>? progress = null)
    {
        var r = RunInterleaved([a, b], warmup, repeats, profile, roofSize, progress);
        return new BenchComparison(r[0], r[1], [.. r[0].Seconds.Zip(r[1].Seconds, (x, y) => x / y)]);
    }

    /// <summary>The median of a non-empty list.</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        var s = values.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[s.Length / 2 - 1] + s[s.Length / 2]);
    }

    /// <summary>GFLOP/s of an n×n by n×n matrix product (<c>torch.mm</c>, 2n³ flops) at a dtype, device and thread
    /// count (0: the current count): the best of three after one warm-up.</summary>
    public static double GemmRoof(ScalarType dtype, Device device, int threads, int n)
    {
        if (n < 16) throw new ViTokException($"--roof-size {n}: expected a matrix side of at least 16.");
        int before = torch.get_num_threads();
        if (threads > 0) torch.set_num_threads(threads);
        try
        {
            using var scope = torch.NewDisposeScope();
            using var _ = torch.no_grad();
            using var gen = new Generator(0, device);
            var a = torch.randn([n, n], dtype: ScalarType.Float32, device: device, generator: gen).to(dtype);
            var b = torch.randn([n, n], dtype: ScalarType.Float32, device: device, generator: gen).to(dtype);
            double best = double.MaxValue;
            for (int i = 0; i < 4; i++)
            {
                Synchronize(device);
                long t0 = Stopwatch.GetTimestamp();
                using (torch.mm(a, b)) Synchronize(device);
                double s = Stopwatch.GetElapsedTime(t0).TotalSeconds;
                if (i > 0) best = Math.Min(best, s);
            }
            return 2.0 * n * n * (double)n / 1e9 / best;
        }
        finally
        {
            torch.set_num_threads(before);
        }
    }

    /// <summary>The process's peak resident memory in bytes (Linux <c>/proc/self/status</c> VmHWM); 0 where unknown.</summary>
    public static long PeakRssBytes()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (!line.StartsWith("VmHWM:", StringComparison.Ordinal)) continue;
                var digits = new string([.. line.Where(char.IsAsciiDigit)]);
                return long.Parse(digits, CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (IOException)
        {
            // not Linux: unknown
        }
        catch (UnauthorizedAccessException)
        {
            // no /proc access: unknown
        }
        return 0;
    }

    /// <summary>The cost model's GFLOP of one repeat: GMACs per item × 2 × batch (encoder, decoder or both), × 3 for
    /// a training step (the backward pass ≈ twice the forward).</summary>
    /// <param name="info">The model's figures at the setting's size (<see cref="IAutoencoder.Info"/>).</param>
    /// <param name="mode">What one repeat runs.</param>
    /// <param name="batch">Items per repeat.</param>
    public static double GflopPerRepeat(ModelInfo info, BenchMode mode, int batch)
    {
        double gmacs = mode switch
        {
            BenchMode.Encode => info.GmacsEncoder,
            BenchMode.Decode => info.GmacsDecoder,
            BenchMode.Both => info.GmacsTotal,
            _ => 3 * info.GmacsTotal,
        };
        return 2 * gmacs * batch;
    }

    /// <summary>How closely two settings of the same model reconstruct the same images (e.g. bf16 against f32): every
    /// image [3, H, W] in [-1, 1] goes through <see cref="LatentCodec"/> with each setting's model (random weights
    /// from the settings' seed, or the checkpoint), both outputs are quantised to 8 bits and compared.</summary>
    /// <returns>The PSNR in dB of B's 8-bit reconstruction against A's, per image (+∞ where they are identical).</returns>
    /// <exception cref="ViTokException">An image the model refuses.</exception>
    public static IReadOnlyList<double> ReconstructionAgreement(BenchSettings a, BenchSettings b, IReadOnlyList<(string Name, Tensor Image)> images)
    {
        using var ma = Build(a, new Device(a.Device));
        using var mb = Build(b, new Device(b.Device));
        var psnr = new List<double>();
        foreach (var (name, image) in images)
        {
            using var scope = torch.NewDisposeScope();
            var ya = Quantization.To8Bit(Reconstruct(ma, image, name, a.Device));
            var yb = Quantization.To8Bit(Reconstruct(mb, image, name, b.Device));
            psnr.Add(Psnr.Mean(ya, yb));
        }
        return psnr;
    }

    private static Tensor Reconstruct(IAutoencoder model, Tensor image, string name, string device)
    {
        using var latents = LatentCodec.EncodeImage(model, image.to(new Device(device)), name);
        return LatentCodec.DecodeImage(model, latents).cpu();
    }

    /// <summary>Builds every setting on its own thread, then runs the rounds one setting at a time.</summary>
    private static BenchResult[] RunInterleaved(BenchSettings[] settings, int warmup, int repeats, bool profile, int roofSize, Action<string>? progress)
    {
        if (warmup < 0) throw new ViTokException($"--warmup {warmup}: expected 0 or more untimed repeats.");
        if (repeats < 1) throw new ViTokException($"--repeats {repeats}: expected at least 1 timed repeat.");
        foreach (var s in settings) Check(s);
        var roofs = new double[settings.Length];
        for (int i = 0; i < settings.Length; i++)
        {
            var s = settings[i];
            int j = Array.FindIndex(settings, 0, i, o => o.Dtype == s.Dtype && o.Device == s.Device && o.Threads == s.Threads);
            if (j >= 0)
            {
                roofs[i] = roofs[j];
                continue;
            }
            progress?.Invoke($"GEMM roof: {roofSize}² {BenchSettings.DtypeName(s.Dtype)} on {s.Device}, {(s.Threads > 0 ? s.Threads : torch.get_num_threads())} thread(s)");
            roofs[i] = GemmRoof(s.Dtype, new Device(s.Device), s.Threads, roofSize);
        }
        var turn = new Turnstile(settings.Length);
        var players = settings.Select((s, i) => new Player(i, s, turn, warmup, repeats, profile, progress)).ToArray();
        var threads = players.Select(p => new Thread(p.Play, 64 << 20) { IsBackground = true, Name = $"bench-{p.Index}" }).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        var failure = players.Select(p => p.Failure).FirstOrDefault(e => e is not null and not OperationCanceledException)
                      ?? players.Select(p => p.Failure).FirstOrDefault(e => e is not null);
        if (failure is not null) ExceptionDispatchInfo.Capture(failure).Throw();
        long rss = PeakRssBytes();
        return [.. players.Select((p, i) => new BenchResult(settings[i], p.Times, GflopPerRepeat(p.Info!, settings[i].Mode, settings[i].Batch), roofs[i], rss, p.ProfileShares())
        {
            ShapeRoof = p.ShapeRoof,
        })];
    }

    private static void Check(BenchSettings s)
    {
        if (s.Checkpoint is null && s.Variant is null) throw new ViTokException("give --variant (a random-weight model) or --checkpoint.");
        if (s.Batch < 1) throw new ViTokException($"--batch {s.Batch}: expected at least 1.");
        if (s.Frames < 1) throw new ViTokException($"--frames {s.Frames}: expected at least 1.");
        if (s.Height < 1 || s.Width < 1) throw new ViTokException($"--size {s.Height}x{s.Width}: expected positive sides.");
        if (s.Checkpoint is not null && !File.Exists(s.Checkpoint) && !Directory.Exists(s.Checkpoint))
            throw new ViTokException($"--checkpoint {s.Checkpoint}: no such file or folder; give a .safetensors checkpoint or a ViTok-v2 weights folder.");
        if (s.Mode == BenchMode.TrainStep && s.Height != s.Width)
            throw new ViTokException($"--size {s.Height}x{s.Width}: train-step trains at image_size × image_size; give a square size such as --size {s.Height}.");
    }

    /// <summary>The model of a setting on its device and dtype, in eval mode.</summary>
    private static IAutoencoder Build(BenchSettings s, Device device)
    {
        torch.manual_seed(s.Seed);
        var model = s.Checkpoint is not null
            ? Autoencoders.Load(s.Checkpoint, s.Variant, device, s.Dtype)
            : Autoencoders.Create(s.Family, s.Variant ?? throw new ViTokException("give --variant (a random-weight model) or --checkpoint."), s.Channels);
        model.Module.to(device).to(s.Dtype);
        model.Module.eval();
        return model;
    }

    private static void Synchronize(Device device)
    {
        if (device.type == DeviceType.CUDA) torch.cuda.synchronize(device);
    }

    private static void ApplyThreads(BenchSettings s)
    {
        if (s.Threads > 0 && torch.get_num_threads() != s.Threads) torch.set_num_threads(s.Threads);
    }

    /// <summary>Round-robin baton: exactly one player runs at a time, in index order.</summary>
    private sealed class Turnstile(int players)
    {
        private readonly SemaphoreSlim[] _turns = [.. Enumerable.Range(0, players).Select(i => new SemaphoreSlim(i == 0 ? 1 : 0))];
        private volatile bool _aborted;

        public void Wait(int player)
        {
            _turns[player].Wait();
            if (_aborted) throw new OperationCanceledException("another benchmark setting failed");
        }

        public void Pass(int player) => _turns[(player + 1) % _turns.Length].Release();

        public void Abort()
        {
            _aborted = true;
            foreach (var t in _turns) t.Release(1 << 20);
        }
    }

    /// <summary>Stops the training loop after the last timed step, before it saves anything.</summary>
    private sealed class Stop : OperationCanceledException;

    /// <summary>One setting on its own thread: builds in its turn, then one repeat per turn.</summary>
    private sealed class Player(int index, BenchSettings s, Turnstile turn, int warmup, int repeats, bool profile, Action<string>? progress)
    {
        private PhaseClock? _clock;
        private ComponentProfile? _components;

        public int Index => index;
        public ModelInfo? Info { get; private set; }
        public List<double> Times { get; } = [];
        public Exception? Failure { get; private set; }

        public GemmShapeRoof? ShapeRoof { get; private set; }

        public IReadOnlyDictionary<string, double>? ProfileShares()
        {
            if (_components is not null) return _components.Shares(Times.Sum());
            if (_clock is null) return null;
            var seconds = _clock.Seconds;
            double total = seconds.Values.Sum();
            string[] order = [PhaseClock.Data, PhaseClock.Forward, PhaseClock.Backward, PhaseClock.Optimiser, PhaseClock.Other];
            return order.ToDictionary(k => k, k => total > 0 ? seconds.GetValueOrDefault(k) / total : 0.0, StringComparer.Ordinal);
        }

        public void Play()
        {
            try
            {
                turn.Wait(index);
                progress?.Invoke($"building {s.Label}");
                if (s.Mode == BenchMode.TrainStep) Train();
                else Infer();
                turn.Pass(index);
            }
            catch (Stop)
            {
                // The last timed step is done and this setting's model is freed: only now may the next one run.
                turn.Pass(index);
            }
            catch (Exception e)
            {
                Failure = e;
                turn.Abort();
            }
        }

        private void Infer()
        {
            var device = new Device(s.Device);
            ApplyThreads(s);
            using var model = Build(s, device);
            Info = model.Info(s.Frames, s.Height, s.Width);
            using var scope = torch.NewDisposeScope();
            using var gen = new Generator((ulong)s.Seed, device);
            long[] shape = s.Frames > 1 ? [s.Batch, 3, s.Frames, s.Height, s.Width] : [s.Batch, 3, s.Height, s.Width];
            var x = torch.rand(shape, ScalarType.Float32, device, generator: gen).Times(2.0).Minus(1.0);
            using var latents = s.Mode == BenchMode.Decode ? model.Encode(x) : null;
            var shapes = GemmShapeRoof.Record(model.Module, () => Once(model, x, latents));
            progress?.Invoke($"GEMM roof of the model's {shapes.Count} linear calls ({shapes.Distinct().Count()} shapes): {s.Label}");
            ShapeRoof = GemmShapeRoof.Measure(shapes, s.Dtype, device);
            turn.Pass(index);
            for (int i = 0; i < warmup + repeats; i++)
            {
                turn.Wait(index);
                ApplyThreads(s);
                if (profile && i == warmup) _components = ComponentProfile.Start();
                Synchronize(device);
                long t0 = Stopwatch.GetTimestamp();
                Once(model, x, latents);
                Synchronize(device);
                double seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
                if (i >= warmup) Times.Add(seconds);
                Report(i, seconds);
                if (i < warmup + repeats - 1) turn.Pass(index);   // the last turn passes once the model is freed
            }
            ComponentProfile.Stop();
        }

        private void Once(IAutoencoder model, Tensor x, Latents? latents)
        {
            using var scope = torch.NewDisposeScope();
            switch (s.Mode)
            {
                case BenchMode.Encode:
                    model.Encode(x).Dispose();
                    break;
                case BenchMode.Decode:
                    model.Decode(latents!.Z, latents.Grid);
                    break;
                default:
                    using (var l = model.Encode(x)) model.Decode(l.Z, l.Grid);
                    break;
            }
        }

        private void Report(int i, double seconds) =>
            progress?.Invoke(string.Format(CultureInfo.InvariantCulture, "{0} {1}/{2}: {3:F4} s{4}", s.Label,
                i < warmup ? i + 1 : i + 1 - warmup, i < warmup ? warmup : repeats, seconds, i < warmup ? " (warm-up)" : ""));

        /// <summary>The real loop: a stage-1 run (MSE + 1e-3·KL, AdamW, clipping, log cadence 10) on in-memory random
        /// images (or the setting's data through the real loader) in a temporary run folder that never reaches a checkpoint or sample step; stopped after the last
        /// timed step and deleted.</summary>
        private void Train()
        {
            var device = new Device(s.Device);
            ApplyThreads(s);
            int total = warmup + repeats;
            int steps = Math.Max(1000, total + 1);
            var (family, variant, channels) = s.Describe();
            var cfg = new TrainConfig
            {
                Family = family,
                Variant = variant,
                Channels = channels,
                InitFrom = s.Checkpoint,
                ImageSize = (int)s.Height,
                Frames = s.Frames,
                BatchSize = s.Batch,
                Steps = steps,
                Seed = s.Seed,
                Loss = new LossConfig { Reconstruction = "l2", PerceptualWeight = 0, KlWeight = 1e-3 },
                CheckpointEvery = steps,
                SampleEvery = steps,
                FirstCheckpointMinutes = 0,
                Dtype = BenchSettings.DtypeName(s.Dtype),
                Device = s.Device,
                Data = s.Data is null ? null : System.Text.Json.Nodes.JsonValue.Create(s.Data),
            };
            string dir = Path.Combine(Path.GetTempPath(), $"vitok-bench-{Environment.ProcessId}-{index}-{Guid.NewGuid():N}");
            try
            {
                torch.manual_seed(s.Seed);
                long[] shape = s.Frames > 1 ? [2 * s.Batch, 3, s.Frames, s.Height, s.Height] : [2 * s.Batch, 3, s.Height, s.Height];
                using var items = torch.rand(shape, ScalarType.Float32, device).Times(2.0).Minus(1.0);
                using var trainer = AutoencoderTrainer.Create(cfg, dir,
                    c => c.Data is null ? new TensorTrainingData(items, null, c.BatchSize, c.Seed) : LoaderTrainingData.Open(c), _ => null);
                Info = trainer.Model.Info(s.Frames, s.Height, s.Width);
                _clock = profile ? new PhaseClock(() => Synchronize(device)) : null;
                trainer.Phases = _clock;
                int done = 0;
                long start = 0;
                trainer.OnStep = _ =>
                {
                    Synchronize(device);
                    double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                    _clock?.Stop();
                    if (done >= warmup) Times.Add(seconds);
                    Report(done, seconds);
                    done++;
                    if (done == warmup) _clock?.Reset();
                    if (done == total) throw new Stop();   // passes the turn once the trainer is freed
                    turn.Pass(index);
                    turn.Wait(index);
                    ApplyThreads(s);
                    _clock?.Enter(PhaseClock.Other);
                    start = Stopwatch.GetTimestamp();
                };
                turn.Pass(index);
                turn.Wait(index);
                ApplyThreads(s);
                start = Stopwatch.GetTimestamp();
                trainer.RunLoop(CancellationToken.None);
            }
            finally
            {
                try
                {
                    if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
                }
                catch (IOException)
                {
                    // a temporary folder left behind is harmless
                }
            }
        }
    }
}
