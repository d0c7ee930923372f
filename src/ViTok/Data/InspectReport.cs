namespace ViTok.Data;

/// <summary>What <see cref="DataInspector.Inspect"/> found: counts, skips by reason, classes and size statistics.</summary>
public sealed record InspectReport
{
    /// <summary>The source kind.</summary>
    public required string Kind { get; init; }

    /// <summary>Where it looked.</summary>
    public required string Location { get; init; }

    /// <summary>Items found (files, records, clips or shard samples), readable or not.</summary>
    public long Items { get; init; }

    /// <summary>Items decoded without error.</summary>
    public long Readable { get; init; }

    /// <summary>Distinct skipped sources (files, shard members, whole shards).</summary>
    public long Skipped { get; init; }

    /// <summary>Skipped sources per reason key.</summary>
    public required IReadOnlyDictionary<string, int> SkippedByReason { get; init; }

    /// <summary>Number of classes (0 when unlabelled).</summary>
    public int Classes { get; init; }

    /// <summary>Class names, index = label.</summary>
    public required IReadOnlyList<string> ClassNames { get; init; }

    /// <summary>Readable items per label (-1 = none).</summary>
    public required IReadOnlyDictionary<int, int> ItemsPerLabel { get; init; }

    /// <summary>Source widths of the readable items.</summary>
    public SizeStats? Width { get; init; }

    /// <summary>Source heights of the readable items.</summary>
    public SizeStats? Height { get; init; }

    /// <summary>Source frame counts of the readable clips (null for images).</summary>
    public SizeStats? Frames { get; init; }

    /// <summary>Each skipped source with its reason, listed once.</summary>
    public required IReadOnlyList<SkipEntry> SkippedFiles { get; init; }

    /// <summary>Files where the source looked that it does not take (other kinds, links not followed), with why.</summary>
    public IReadOnlyList<IgnoredFile> Ignored { get; init; } = [];

    /// <summary>The contact sheet written, if any.</summary>
    public string? Sheet { get; init; }

    /// <summary>Wall-clock seconds the inspection took.</summary>
    public double Seconds { get; init; }
}
