namespace ViTok.Data;

/// <summary>Throughput of the whole pipeline (read, decode, transform, batch tensor) measured by <see cref="DataBench"/>.</summary>
public sealed record BenchReport
{
    /// <summary>The source kind.</summary>
    public required string Kind { get; init; }

    /// <summary>Where the items came from.</summary>
    public required string Location { get; init; }

    /// <summary>Decoding threads.</summary>
    public int Workers { get; init; }

    /// <summary>Items per batch.</summary>
    public int BatchSize { get; init; }

    /// <summary>Output side in pixels.</summary>
    public int Size { get; init; }

    /// <summary>Frames per clip (0 for images).</summary>
    public int Frames { get; init; }

    /// <summary>Items delivered in batches.</summary>
    public long Items { get; init; }

    /// <summary>Batches delivered.</summary>
    public long Batches { get; init; }

    /// <summary>Seconds from the first batch to the last (the steady state).</summary>
    public double Seconds { get; init; }

    /// <summary>Items per second after the first batch: what a training loop sees.</summary>
    public double ItemsPerSecond { get; init; }

    /// <summary>Items per second including start-up and the first batch.</summary>
    public double ItemsPerSecondOverall { get; init; }

    /// <summary>Seconds until the first batch was ready.</summary>
    public double FirstBatchSeconds { get; init; }

    /// <summary>Distinct items skipped while benchmarking.</summary>
    public int Skipped { get; init; }
}
