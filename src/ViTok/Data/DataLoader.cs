namespace ViTok.Data;

/// <summary>Parallel, deterministic batching over a map-style or streaming source. Workers decode items into managed
/// arrays behind a bounded prefetch queue; batches are assembled into tensors on the consuming thread. The epoch order
/// (a per-epoch shuffle, split by <see cref="DataLoaderOptions.Shard"/>) and each item's random transform derive from
/// (seed, epoch, index) only, so any number of workers gives the same batches in the same order. Bad items are skipped,
/// recorded once in <see cref="Skips"/>, and replaced by the next items; an epoch with no readable item is an error.</summary>
public sealed class DataLoader
{
    private readonly IDataSource _source;

    /// <summary>Creates a loader over <paramref name="source"/> (an <see cref="IDataset"/> or <see cref="IStreamDataset"/>).</summary>
    /// <exception cref="ViTokException">The batch size, workers or shard are not valid.</exception>
    public DataLoader(IDataSource source, DataLoaderOptions? options = null)
    {
        if (source is not IDataset and not IStreamDataset)
            throw new ArgumentException("the source must be an IDataset or an IStreamDataset", nameof(source));
        _source = source;
        Options = options ?? new DataLoaderOptions();
        if (Options.BatchSize <= 0) throw new ViTokException($"batch size must be positive (got {Options.BatchSize}).");
        if (Options.Workers < 0) throw new ViTokException($"workers must be 0 or more (got {Options.Workers}).");
        if (Options.Shard.Count < 1 || Options.Shard.Index < 0 || Options.Shard.Index >= Options.Shard.Count)
            throw new ViTokException($"shard {Options.Shard} is not valid: expected i/N with 0 <= i < N.");
        Skips = new SkipLog(Options.Log);
    }

    /// <summary>The settings.</summary>
    public DataLoaderOptions Options { get; }

    /// <summary>The data source read, in its own item order (the loader shuffles, shards and batches it).</summary>
    public IDataSource Source => _source;

    /// <summary>Every skipped item so far, each listed once.</summary>
    public SkipLog Skips { get; }

    /// <summary>Items in one epoch of this shard (readable or not); -1 for a streaming source.</summary>
    public long ItemsPerEpoch => _source is IDataset ds ? ShardLength(ds.Count) : -1;

    /// <summary>The batches of epoch <paramref name="epoch"/> from <paramref name="start"/> items in. Each batch is
    /// disposed when the next one is requested or the enumeration ends.</summary>
    public IEnumerable<Batch> Epoch(int epoch, long start = 0, CancellationToken ct = default)
    {
        var pending = new List<Sample>(Options.BatchSize);
        Batch? previous = null;
        try
        {
            foreach (var (sample, position) in Samples(epoch, start, ct))
            {
                pending.Add(sample);
                if (pending.Count < Options.BatchSize) continue;
                previous?.Dispose();
                previous = MakeBatch(pending, epoch, new LoaderPosition(epoch, position + 1));
                pending.Clear();
                yield return previous;
            }
            if (pending.Count > 0 && !Options.DropLast)
            {
                previous?.Dispose();
                previous = MakeBatch(pending, epoch, new LoaderPosition(epoch + 1, 0));
                yield return previous;
            }
        }
        finally
        {
            previous?.Dispose();
        }
    }

    /// <summary>Batches from <paramref name="from"/> on, epoch after epoch, without end. Save <see cref="Batch.Next"/>
    /// to resume exactly after a batch.</summary>
    /// <exception cref="ViTokException">A whole epoch gives no full batch.</exception>
    public IEnumerable<Batch> Batches(LoaderPosition from = default, CancellationToken ct = default)
    {
        for (int epoch = from.Epoch; ; epoch++)
        {
            long start = epoch == from.Epoch ? from.Index : 0;
            int yielded = 0;
            foreach (var b in Epoch(epoch, start, ct))
            {
                yielded++;
                yield return b;
            }
            // A whole epoch without one batch would make this loop spin for ever: the data hold fewer readable items
            // than one (dropped-last) batch.
            if (yielded == 0 && start == 0)
                throw new ViTokException($"{_source.Location}: a whole epoch gives no full batch of {Options.BatchSize} items (the data hold fewer readable items than one batch); lower the batch size or add data.");
        }
    }

    /// <summary>The readable samples of an epoch in order, with their position in the epoch order; no batching and no
    /// tensors. Throws <see cref="ViTokException"/> when a whole epoch yields no readable item.</summary>
    /// <exception cref="ViTokException">The source has no readable item.</exception>
    public IEnumerable<(Sample Sample, long Position)> Samples(int epoch, long start = 0, CancellationToken ct = default)
    {
        int capacity = Options.Prefetch > 0 ? Options.Prefetch : Math.Max(2 * Options.BatchSize, 2 * Options.Workers);
        long seen = 0, readable = 0;
        using (var pipeline = _source switch
        {
            IDataset ds => new OrderedPipeline<(long, int)>(MapOrder(ds, epoch, start), w =>
                ItemOutcome.Run(w.Item1, ds.SourceOf(w.Item2), () => ds.Get(w.Item2, DataRng.For(Options.Seed, epoch, w.Item2))),
                Options.Workers, capacity, ct),
            IStreamDataset ss => new OrderedPipeline<(long, RawItem)>(StreamOrder(ss, epoch, start), w =>
                ItemOutcome.Run(w.Item1, w.Item2.Source, () => ss.Decode(w.Item2, DataRng.For(Options.Seed, epoch, w.Item1))),
                Options.Workers, capacity, ct) as IDisposable,
            _ => throw new InvalidOperationException(),
        })
        {
            while (Take(pipeline, out var outcome))
            {
                seen++;
                if (outcome.Fatal is not null) throw outcome.Fatal;
                if (outcome.Skip is not null)
                {
                    Skips.Record(outcome.Skip);
                    continue;
                }
                readable++;
                yield return (outcome.Sample!, outcome.Position);
            }
        }
        if (readable == 0 && start == 0)
        {
            string what = seen == 0 ? "it holds no items" + (Options.Shard.Count > 1 ? $" for shard {Options.Shard}" : "")
                : $"all {seen} items were skipped; {Skips.Summary(20)}";
            throw new ViTokException($"{_source.Location}: no readable {_source.Kind} item ({what}).");
        }
    }

    private static bool Take(IDisposable pipeline, out ItemOutcome outcome) => pipeline switch
    {
        OrderedPipeline<(long, int)> p => p.TryTake(out outcome),
        OrderedPipeline<(long, RawItem)> p => p.TryTake(out outcome),
        _ => throw new InvalidOperationException(),
    };

    private long ShardLength(int count)
    {
        int n = Options.Shard.Count, i = Options.Shard.Index;
        return count <= i ? 0 : (count - 1 - i) / n + 1;
    }

    // Positions p of this shard's epoch order map to dataset indices order[i + p·N].
    private IEnumerable<(long, int)> MapOrder(IDataset ds, int epoch, long start)
    {
        int[]? order = Options.Shuffle ? new DataRng(Mix(Options.Seed, epoch)).Permutation(ds.Count) : null;
        long len = ShardLength(ds.Count);
        for (long p = Math.Max(0, start); p < len; p++)
        {
            long g = Options.Shard.Index + p * Options.Shard.Count;
            yield return (p, order is null ? (int)g : order[g]);
        }
    }

    // Shard files in a per-epoch order; whole files per process when there are enough of them, else every N-th sample;
    // then a seeded shuffle buffer. Positions count the items this process receives.
    private IEnumerable<(long, RawItem)> StreamOrder(IStreamDataset ss, int epoch, long start)
    {
        int n = Options.Shard.Count, i = Options.Shard.Index;
        bool byFile = ss.PartCount >= n;
        var parts = Enumerable.Range(0, ss.PartCount).Where(p => !byFile || p % n == i).ToArray();
        var rng = new DataRng(Mix(Options.Seed, epoch));
        if (Options.Shuffle) parts = rng.Permutation(parts.Length).Select(k => parts[k]).ToArray();
        IEnumerable<RawItem> Raw()
        {
            long k = 0;
            foreach (int part in parts)
            {
                foreach (var item in ss.ReadPart(part, Skips))
                {
                    if (byFile || k % n == i) yield return item;
                    k++;
                }
            }
        }
        IEnumerable<RawItem> Shuffled()
        {
            if (!Options.Shuffle || Options.ShuffleBuffer <= 1)
            {
                foreach (var item in Raw()) yield return item;
                yield break;
            }
            var buffer = new List<RawItem>(Options.ShuffleBuffer);
            foreach (var item in Raw())
            {
                if (buffer.Count < Options.ShuffleBuffer)
                {
                    buffer.Add(item);
                    continue;
                }
                int j = rng.NextInt(buffer.Count);
                yield return buffer[j];
                buffer[j] = item;
            }
            foreach (int j in rng.Permutation(buffer.Count)) yield return buffer[j];
        }
        long pos = 0;
        foreach (var item in Shuffled())
        {
            if (pos >= start) yield return (pos, item);
            pos++;
        }
    }

    private Batch MakeBatch(List<Sample> samples, int epoch, LoaderPosition next)
    {
        var first = samples[0];
        foreach (var s in samples)
        {
            if (s.Frames != first.Frames || s.Height != first.Height || s.Width != first.Width)
                throw new ViTokException($"{_source.Location}: items of different sizes in one batch ({first.Source}: "
                    + $"[{string.Join(", ", first.Shape)}], {s.Source}: [{string.Join(", ", s.Shape)}]). Set a size (--size) so every item is resized and cropped to it.");
        }
        int len = first.Pixels.Length;
        var buffer = new float[(long)len * samples.Count];
        for (int b = 0; b < samples.Count; b++) Array.Copy(samples[b].Pixels, 0, buffer, (long)b * len, len);
        long[] shape = [samples.Count, .. first.Shape];
        var labels = samples.Select(s => s.Label).ToArray();
        // The batch owns its tensors: keep them out of any dispose scope the consumer has open.
        var pixels = torch.tensor(buffer, shape, ScalarType.Float32).DetachFromDisposeScope();
        var labelTensor = torch.tensor(labels.Select(l => (long)l).ToArray(), ScalarType.Int64).DetachFromDisposeScope();
        return new Batch(pixels, labelTensor, labels, samples.Select(s => s.Source).ToArray(), epoch, next);
    }

    private static ulong Mix(ulong seed, int epoch) => DataRng.For(seed, epoch, -7).NextUInt64();
}
