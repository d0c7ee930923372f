using System.Diagnostics;

namespace ViTok.Data;

/// <summary>Reads every item of a source once (in parallel, in order) and reports counts, skips by reason, classes and
/// size statistics; optionally writes a contact sheet of the first readable samples after a transform.</summary>
public static class DataInspector
{
    /// <summary>Inspects <paramref name="source"/>. <paramref name="sheetSource"/> (the same data with the transform
    /// to show) supplies the contact sheet's samples when <paramref name="sheetPath"/> is given.</summary>
    public static InspectReport Inspect(IDataSource source, int workers = 2, string? sheetPath = null,
        IDataSource? sheetSource = null, int sheetCount = 16, ulong seed = 0, TextWriter? log = null, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        var loader = new DataLoader(source, new DataLoaderOptions
        {
            Workers = workers, Shuffle = false, BatchSize = 1, Prefetch = Math.Max(4, 4 * workers), Seed = seed, Log = log,
        });
        long readable = 0;
        var widths = new List<int>();
        var heights = new List<int>();
        var frames = new List<int>();
        var perLabel = new SortedDictionary<int, int>();
        ViTokException? none = null;
        try
        {
            foreach (var (s, _) in loader.Samples(0, 0, ct))
            {
                readable++;
                widths.Add(s.SourceWidth);
                heights.Add(s.SourceHeight);
                if (s.Frames > 0) frames.Add(s.SourceFrames);
                perLabel[s.Label] = perLabel.GetValueOrDefault(s.Label) + 1;
            }
        }
        catch (ViTokException e) when (loader.Skips.Count > 0 || readable == 0)
        {
            // No readable item: still report what was found; the caller decides whether that is an error.
            none = e;
        }
        long items = source is IDataset ds ? ds.Count : readable + loader.Skips.Entries.Count(e => !IsWholePart(source, e));

        string? sheet = null;
        if (sheetPath is not null && readable > 0)
        {
            var sheetLoader = new DataLoader(sheetSource ?? source, new DataLoaderOptions
            {
                Workers = workers, Shuffle = false, BatchSize = 1, Prefetch = Math.Max(4, 2 * workers), Seed = seed,
            });
            var samples = sheetLoader.Samples(0, 0, ct).Take(sheetCount).Select(t => t.Sample).ToList();
            ContactSheet.Save(samples, sheetPath);
            sheet = Path.GetFullPath(sheetPath);
        }

        var report = new InspectReport
        {
            Kind = source.Kind,
            Location = source.Location,
            Items = items,
            Readable = readable,
            Skipped = loader.Skips.Count,
            SkippedByReason = loader.Skips.CountsByReason,
            Classes = source.Classes.Count,
            ClassNames = source.Classes,
            ItemsPerLabel = perLabel,
            Width = SizeStats.Of(widths),
            Height = SizeStats.Of(heights),
            Frames = SizeStats.Of(frames),
            SkippedFiles = loader.Skips.Entries,
            Ignored = source.Ignored,
            Sheet = sheet,
            Seconds = Math.Round(clock.Elapsed.TotalSeconds, 3),
        };
        if (none is not null && report.Readable == 0 && report.Skipped == 0) throw none;
        return report;
    }

    private static bool IsWholePart(IDataSource source, SkipEntry e) =>
        source is WebDatasetShards w && w.Shards.Contains(e.Source);
}
