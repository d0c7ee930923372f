using System.Diagnostics;
using ViTok.Data;
using ViTok.Models;

namespace ViTok.Evaluation;

/// <summary>The paper's reconstruction evaluation (§4.1): the first N items of a source (in its order, eval transform
/// set by the caller) go through the auto-encoder batch by batch; inputs, references and reconstructions are all
/// quantised to 8 bits (<see cref="Quantization"/>); PSNR, SSIM, LPIPS and the ResNet18 perceptual distance are
/// averaged over images (a clip's frames count as images), and FID/IS, the ResNet18 Fréchet distance and FVD are
/// computed from Gaussian statistics accumulated on the way. It also times the reconstruct step and keeps the best and
/// worst items by PSNR. The metric networks are loaded once per evaluator and reused by later calls.</summary>
public sealed class ReconstructionEvaluator : IDisposable
{
    private readonly MetricNetworks _nets;

    /// <summary>An evaluator with <paramref name="options"/> (defaults: <see cref="EvalOptions"/>).</summary>
    /// <exception cref="ViTokException">The count or a batch size is not positive.</exception>
    public ReconstructionEvaluator(EvalOptions? options = null)
    {
        Options = options ?? new EvalOptions();
        if (Options.Count < 1) throw new ViTokException($"the number of items to evaluate must be positive (got {Options.Count}).");
        if (Options.BatchSize < 1 || Options.MetricBatchSize < 1)
            throw new ViTokException($"batch sizes must be positive (got {Options.BatchSize} and {Options.MetricBatchSize}).");
        _nets = new MetricNetworks(Options);
    }

    /// <summary>The settings.</summary>
    public EvalOptions Options { get; }

    /// <summary>Reconstructs and scores the first <see cref="EvalOptions.Count"/> items of <paramref name="source"/>.
    /// The model runs on its own device and dtype, in eval mode (its previous mode is restored afterwards); metric
    /// networks run in float32 on the model's device.</summary>
    public EvalResult Evaluate(IAutoencoder model, IDataSource source, CancellationToken ct = default)
    {
        bool training = model.Module.training;
        model.Module.eval();
        try
        {
            return EvaluateInEvalMode(model, source, ct);
        }
        finally
        {
            if (training) model.Module.train();
        }
    }

    private EvalResult EvaluateInEvalMode(IAutoencoder model, IDataSource source, CancellationToken ct)
    {
        var wall = Stopwatch.StartNew();
        var first = model.Module.parameters().FirstOrDefault();
        Device device = first?.device ?? CPU;
        ScalarType dtype = first?.dtype ?? ScalarType.Float32;
        _nets.Place(device);
        var loader = Loader(source);
        var notes = new List<string>();
        var examples = new ExampleTracker(Options.GridItems);
        MetricRun? run = null;
        long total = Target(source);
        var (start, end) = ShardRange(total);
        long done = 0, target = end - start;
        double reconstructSeconds = 0;
        long identical = 0;
        int frames = 0, height = 0, width = 0;
        try
        {
            foreach (var batch in loader.Epoch(0, start, ct))
            {
                int take = (int)Math.Min(batch.Count, target - done);
                if (run is null)
                {
                    // Outside the batch's scope: the metric networks loaded here must outlive it.
                    (frames, height, width) = Geometry(batch.Pixels);
                    CheckFits(model, source, frames, height, width);
                    // The metrics are chosen for the whole evaluation, so that every shard computes the same ones.
                    run = new MetricRun(EvalMetrics.Resolve(Options, frames > 0, height, width, paired: true, notes, total, frames), _nets, Options);
                    if (Options.Shard.Count > 1 && run.Metrics.Contains(EvalMetrics.InceptionScore))
                        throw new ViTokException($"--shard: {EvalMetrics.InceptionScore} does not merge from shards (it needs every image's class probabilities); " +
                                                 "leave it out with --metrics, or evaluate in one process.");
                }
                using var scope = torch.NewDisposeScope();
                var x = batch.Pixels.narrow(0, 0, take);
                // The model sees the 8-bit image, as a PIL-based pipeline would feed it.
                var reference = Quantization.To8Bit(x.to(device));
                var timer = Stopwatch.StartNew();
                var output = ReconstructNative(model, reference.to(dtype), batch.Sources, take);
                if (device.type == DeviceType.CUDA) torch.cuda.synchronize(device);
                timer.Stop();
                reconstructSeconds += timer.Elapsed.TotalSeconds;
                if (!output.shape.SequenceEqual(reference.shape))
                    throw new ViTokException($"{Items(batch.Sources, take)}: model {model.Variant} returned [{string.Join(", ", output.shape)}] for input [{string.Join(", ", reference.shape)}].");
                if (!IO.Finite.All(output))
                {
                    int bad = Enumerable.Range(0, take).First(i => !IO.Finite.All(output[i]));
                    IO.Finite.CheckOutput(output[bad], batch.Sources[bad], "reconstructed pixels");
                }
                var reconstruction = Quantization.To8Bit(output);
                double[] psnr = run.AddPairs(reference, reconstruction);
                identical += psnr.Take(take).Count(double.IsPositiveInfinity);
                double[] relative = RelativeErrors(reference, reconstruction);
                for (int i = 0; i < take; i++)
                {
                    if (!examples.Wants(relative[i])) continue;
                    examples.Offer(new EvalExample(batch.Sources[i], done + i, psnr[i], frames, height, width,
                        Quantization.ToBytes(reference[i]), Quantization.ToBytes(reconstruction[i]), relative[i]));
                }
                done += take;
                Options.Progress?.Invoke(done, target);
                if (done >= target) break;
            }
            if (run is null) throw new ViTokException($"{source.Location}: no items to evaluate.");
            bool sharded = Options.Shard.Count > 1;
            var metrics = run.Compute(frames > 0, notes, distributions: !sharded);
            if (sharded)
                notes.Add($"shard {Options.Shard}: items {start} to {start + done - 1} of {total}; the Fréchet distances come from `vitok eval merge`.");
            var (best, worst) = examples.Result();
            var gmacs = model.Gmacs(Math.Max(frames, 1), PadTo(height, model), PadTo(width, model));
            var latentFloats = model.LatentFloats(Math.Max(frames, 1), PadTo(height, model), PadTo(width, model));
            EvalShard? shard = null;
            if (sharded)
            {
                var (sums, features) = run.Export();
                shard = new EvalShard
                {
                    Shard = Options.Shard, Items = done, Target = total, PairedFrames = run.PairedFrames, Metrics = run.Metrics,
                    Sums = sums, Features = features, Identical = identical, ReconstructSeconds = reconstructSeconds,
                    WallSeconds = wall.Elapsed.TotalSeconds, Skipped = loader.Skips.Count, Data = source.Location, Kind = source.Kind,
                    Frames = frames, Height = height, Width = width, Family = model.Family, Variant = model.Variant,
                    Gmacs = gmacs, LatentFloats = latentFloats,
                };
            }
            return new EvalResult
            {
                ShardStats = shard,
                Metrics = metrics,
                Count = done,
                ReferenceCount = done,
                Data = source.Location,
                Kind = source.Kind,
                Frames = frames,
                Height = height,
                Width = width,
                Family = model.Family,
                Variant = model.Variant,
                ReconstructSeconds = reconstructSeconds,
                ItemsPerSecond = reconstructSeconds > 0 ? done / reconstructSeconds : double.PositiveInfinity,
                Gmacs = gmacs,
                LatentFloats = latentFloats,
                Skipped = loader.Skips.Count,
                Identical = identical,
                Best = best,
                Worst = worst,
                Notes = notes,
                WallSeconds = wall.Elapsed.TotalSeconds,
            };
        }
        finally
        {
            run?.Dispose();
        }
    }

    /// <summary>The items [start, end) of this process's shard: whole batches, shard i of N taking batches
    /// ⌊i·B/N⌋ to ⌊(i+1)·B/N⌋ of the B batches of a single run.</summary>
    /// <exception cref="ViTokException">More shards than batches.</exception>
    private (long Start, long End) ShardRange(long total)
    {
        var shard = Options.Shard;
        if (shard.Count <= 1) return (0, total);
        long batches = (total + Options.BatchSize - 1) / Options.BatchSize;
        if (batches < shard.Count)
            throw new ViTokException($"--shard {shard}: {total} items make only {batches} batches of {Options.BatchSize}; use at most {batches} shards (or a smaller --batch-size).");
        long first = shard.Index * batches / shard.Count, last = (shard.Index + 1) * batches / shard.Count;
        return (first * Options.BatchSize, Math.Min(total, last * Options.BatchSize));
    }

    /// <summary>One evaluation's result from the sums of all its shards (<c>vitok eval merge</c>): the per-image means
    /// and the Fréchet distances equal a single run's up to float64 summation order; throughput is all items over all
    /// reconstruct seconds, wall time the sum over shards. There is no best/worst grid.</summary>
    /// <param name="shards">Every shard once (see <see cref="EvalShard.CheckComplete"/>).</param>
    /// <exception cref="ViTokException">A metric cannot be computed from the merged sums.</exception>
    public static EvalResult Merge(IReadOnlyList<EvalShard> shards)
    {
        var first = shards[0];
        using var run = MetricRun.Merge(shards, new EvalOptions());
        var notes = new List<string> { $"merged from {shards.Count} shards." };
        long items = shards.Sum(s => s.Items);
        double seconds = shards.Sum(s => s.ReconstructSeconds);
        return new EvalResult
        {
            Metrics = run.Compute(first.Frames > 0, notes),
            Count = items,
            ReferenceCount = items,
            Data = first.Data,
            Kind = first.Kind,
            Frames = first.Frames,
            Height = first.Height,
            Width = first.Width,
            Family = first.Family,
            Variant = first.Variant,
            ReconstructSeconds = seconds,
            ItemsPerSecond = seconds > 0 ? items / seconds : double.PositiveInfinity,
            Gmacs = first.Gmacs,
            LatentFloats = first.LatentFloats,
            Skipped = shards.Sum(s => s.Skipped),
            Identical = shards.Sum(s => s.Identical),
            Notes = notes,
            WallSeconds = shards.Sum(s => s.WallSeconds),
        };
    }

    /// <summary>Compares two independent sets, e.g. generated samples against real data (gFID, gIS, gFVD): the first
    /// <see cref="EvalOptions.Count"/> items of each, quantised to 8 bits, with the distribution metrics only.</summary>
    /// <exception cref="ViTokException">The sets hold items of different sizes, or the reference has no items.</exception>
    public EvalResult CompareSets(IDataSource reference, IDataSource test, Device? device = null, CancellationToken ct = default)
    {
        var wall = Stopwatch.StartNew();
        _nets.Place(device ?? CPU);
        var notes = new List<string>();
        MetricRun? run = null;
        int frames = 0, height = 0, width = 0;
        try
        {
            long refCount = 0, testCount = 0;
            foreach (var (src, isReference) in new[] { (reference, true), (test, false) })
            {
                var loader = Loader(src);
                long done = 0, target = Target(src);
                foreach (var batch in loader.Epoch(0, 0, ct))
                {
                    int take = (int)Math.Min(batch.Count, target - done);
                    var geometry = Geometry(batch.Pixels);
                    if (run is null)
                    {
                        (frames, height, width) = geometry;
                        run = new MetricRun(EvalMetrics.Resolve(Options, frames > 0, height, width, paired: false, notes, Math.Min(Target(reference), Target(test)), frames), _nets, Options);
                    }
                    else if (geometry != (frames, height, width))
                        throw new ViTokException($"{src.Location}: items of {Describe(geometry)}, but {reference.Location} has {Describe((frames, height, width))}; " +
                                                 "compare sets of one size (set --size and --frames).");
                    using var scope = torch.NewDisposeScope();
                    var q = Quantization.To8Bit(batch.Pixels.narrow(0, 0, take));
                    if (isReference) run.AddReference(q);
                    else run.AddTest(q);
                    done += take;
                    Options.Progress?.Invoke(done, target);
                    if (done >= target) break;
                }
                if (isReference) refCount = done;
                else testCount = done;
            }
            if (run is null) throw new ViTokException($"{reference.Location}: no items to evaluate.");
            return new EvalResult
            {
                Metrics = run.Compute(frames > 0, notes),
                Count = testCount,
                ReferenceCount = refCount,
                Data = $"{test.Location} vs {reference.Location}",
                Kind = test.Kind,
                Frames = frames,
                Height = height,
                Width = width,
                Notes = notes,
                WallSeconds = wall.Elapsed.TotalSeconds,
            };
        }
        finally
        {
            run?.Dispose();
        }
    }

    /// <summary>Reconstructs a batch at its native size, with the rule of <see cref="LatentCodec"/> (and so of
    /// <c>vitok reconstruct</c>): a family with a size rule (the paper family) gets height and width padded by edge
    /// replication to the patch multiple and the reconstruction cropped back; ViTok-v2 takes any size. Errors about one item name its source.</summary>
    private static Tensor ReconstructNative(IAutoencoder model, Tensor x, IReadOnlyList<string> sources, int take)
    {
        try
        {
            if (model.AcceptsAnySize) return model.Reconstruct(x);
            long h = x.shape[^2], w = x.shape[^1];
            long padH = PadTo(h, model) - h, padW = PadTo(w, model) - w;
            if (padH + padW == 0) return model.Reconstruct(x);
            using var scope = torch.NewDisposeScope();
            long[] pad = x.dim() == 5 ? [0, padW, 0, padH, 0, 0] : [0, padW, 0, padH];
            var padded = F.pad(x, pad, PaddingModes.Replicate);
            return model.Reconstruct(padded).narrow(-2, 0, h).narrow(-1, 0, w).contiguous().MoveToOuterDisposeScope();
        }
        catch (BatchItemException e) when (e.Index < take)
        {
            throw new ViTokException($"{sources[e.Index]}: {e.Detail}", e);
        }
        catch (ViTokException e) when (e is not BatchItemException)
        {
            throw new ViTokException($"{Items(sources, take)}: {e.Message}", e);
        }
    }

    // The size a family with a size rule sees: the next multiple of its patch (families that take any size: unchanged).
    private static long PadTo(long size, IAutoencoder model) =>
        model.AcceptsAnySize ? size : (size + model.PatchSize - 1) / model.PatchSize * model.PatchSize;

    private static string Items(IReadOnlyList<string> sources, int take) =>
        take == 1 ? sources[0] : $"{sources[0]} (batch of {take}, up to {sources[take - 1]})";

    /// <summary>Frees the metric networks.</summary>
    public void Dispose() => _nets.Dispose();

    private Data.DataLoader Loader(IDataSource source) => new(source, new DataLoaderOptions
    {
        BatchSize = Options.BatchSize,
        Workers = Options.Workers,
        Shuffle = false,
    });

    private long Target(IDataSource source) => source is IDataset ds ? Math.Min(Options.Count, ds.Count) : Options.Count;

    private static (int Frames, int Height, int Width) Geometry(Tensor x) => x.dim() == 5
        ? ((int)x.shape[2], (int)x.shape[3], (int)x.shape[4])
        : (0, (int)x.shape[2], (int)x.shape[3]);

    private static string Describe((int Frames, int Height, int Width) g) =>
        g.Frames > 0 ? $"{g.Frames}-frame {g.Width}x{g.Height} clips" : $"{g.Width}x{g.Height} images";

    // The paper family needs clips whose length is a multiple of the tubelet; say so with the source and the fix before
    // running. Sizes that are not a multiple of the patch are padded (ReconstructNative), as `vitok reconstruct` does.
    private static void CheckFits(IAutoencoder model, IDataSource source, int frames, int height, int width)
    {
        int q = model.TubeletSize;
        if (model.AcceptsAnySize) return;
        if (frames == 0 && q > 1)
            throw new ViTokException($"{source.Location}: model {model.Variant} takes clips (tubelet q = {q}) but the data are images; give a video source.");
        if (frames > 0 && frames % q != 0)
            throw new ViTokException($"{source.Location}: clips have {frames} frames, not a multiple of the tubelet size {q} of {model.Variant}; " +
                                     $"set --frames to a multiple of {q}.");
    }

    /// <summary>Per item: mean squared error over the reference's pixel variance (population), in float64; the
    /// variance is floored at (2/255)² so that flat images do not divide by zero.</summary>
    /// <param name="reference">[B, ...] in [−1, 1].</param>
    /// <param name="reconstruction">Same shape.</param>
    public static double[] RelativeErrors(Tensor reference, Tensor reconstruction)
    {
        using var scope = torch.NewDisposeScope();
        var x = reference.to(ScalarType.Float64).cpu().flatten(1);
        var y = reconstruction.to(ScalarType.Float64).cpu().flatten(1);
        var d = torch.sub(y, x);
        var mse = d.mul(d).mean([1]);
        var variance = x.var(1, unbiased: false).clamp_min(Scalars.Of(4.0 / (255.0 * 255.0)));
        return torch.div(mse, variance).data<double>().ToArray();
    }
}
