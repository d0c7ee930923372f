using System.Diagnostics;

namespace ViTok.Data;

/// <summary>Measures items per second through a <see cref="DataLoader"/>, batch tensors included, epoch after epoch
/// until a time or item budget is spent.</summary>
public static class DataBench
{
    /// <summary>Runs the loader for about <paramref name="seconds"/> (and at most <paramref name="maxItems"/> items).</summary>
    public static BenchReport Run(IDataSource source, DataLoaderOptions options, double seconds = 10, long maxItems = long.MaxValue,
        CancellationToken ct = default)
    {
        var loader = new DataLoader(source, options);
        var clock = Stopwatch.StartNew();
        double first = 0;
        long items = 0, batches = 0, firstItems = 0;
        int size = 0, frames = 0;
        foreach (var batch in loader.Batches(default, ct))
        {
            items += batch.Count;
            batches++;
            if (batches == 1)
            {
                first = clock.Elapsed.TotalSeconds;
                firstItems = items;
                size = (int)batch.Pixels.shape[^1];
                frames = batch.Pixels.dim() == 5 ? (int)batch.Pixels.shape[2] : 0;
            }
            if (clock.Elapsed.TotalSeconds - first >= seconds || items >= maxItems) break;
        }
        double total = clock.Elapsed.TotalSeconds, steady = total - first;
        return new BenchReport
        {
            Kind = source.Kind,
            Location = source.Location,
            Workers = options.Workers,
            BatchSize = options.BatchSize,
            Size = size,
            Frames = frames,
            Items = items,
            Batches = batches,
            Seconds = Math.Round(steady, 3),
            ItemsPerSecond = Math.Round(batches > 1 && steady > 0 ? (items - firstItems) / steady : items / Math.Max(total, 1e-9), 1),
            ItemsPerSecondOverall = Math.Round(items / Math.Max(total, 1e-9), 1),
            FirstBatchSeconds = Math.Round(first, 3),
            Skipped = loader.Skips.Count,
        };
    }
}
