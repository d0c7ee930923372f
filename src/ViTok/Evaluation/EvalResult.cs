namespace ViTok.Evaluation;

/// <summary>What an evaluation measured. Reconstruction runs fill the model fields (family, variant, throughput,
/// GMACs); set comparisons (generated vs reference) leave them null.</summary>
public sealed record EvalResult
{
    /// <summary>The metrics in report order (keys as in JSON).</summary>
    public required IReadOnlyList<MetricValue> Metrics { get; init; }

    /// <summary>Items evaluated (images or clips; for set comparisons, the test set's size).</summary>
    public required long Count { get; init; }

    /// <summary>Reference items (set comparisons; equals <see cref="Count"/> for reconstructions).</summary>
    public required long ReferenceCount { get; init; }

    /// <summary>Where the data came from.</summary>
    public required string Data { get; init; }

    /// <summary>The source kind (images, video, fashion-mnist, ...).</summary>
    public required string Kind { get; init; }

    /// <summary>Frames per clip (0 for images).</summary>
    public required int Frames { get; init; }

    /// <summary>Item height in pixels.</summary>
    public required int Height { get; init; }

    /// <summary>Item width in pixels.</summary>
    public required int Width { get; init; }

    /// <summary>Wall time of the whole evaluation (loading, reconstruction, metrics), seconds.</summary>
    public required double WallSeconds { get; init; }

    /// <summary>Model family ("paper" or "v2").</summary>
    public string? Family { get; init; }

    /// <summary>Model variant.</summary>
    public string? Variant { get; init; }

    /// <summary>Seconds spent in the reconstruct step alone (encode + decode, synchronised).</summary>
    public double? ReconstructSeconds { get; init; }

    /// <summary>Items per second of the reconstruct step.</summary>
    public double? ItemsPerSecond { get; init; }

    /// <summary>The model's GMACs per item (encoder + decoder).</summary>
    public double? Gmacs { get; init; }

    /// <summary>Latent floats E per item.</summary>
    public long? LatentFloats { get; init; }

    /// <summary>Items skipped by the loader as unreadable.</summary>
    public long Skipped { get; init; }

    /// <summary>Items (images or clips; a clip when one of its frames is exact) whose 8-bit reconstruction equals the
    /// 8-bit input exactly: their PSNR is +∞, so the mean <c>psnr</c> is +∞ and is written as null in JSON when this is above 0.
    /// Null when PSNR was not computed (set comparisons).</summary>
    public long? Identical { get; init; }

    /// <summary>The best reconstructions by PSNR, highest first.</summary>
    public IReadOnlyList<EvalExample> Best { get; init; } = [];

    /// <summary>The worst reconstructions by PSNR, lowest first.</summary>
    public IReadOnlyList<EvalExample> Worst { get; init; } = [];

    /// <summary>Caveats (small samples, metrics left out and why).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>The sums to merge with the other shards' (<see cref="EvalOptions.Shard"/>); null for a whole run.</summary>
    public EvalShard? ShardStats { get; init; }

    /// <summary>The value of metric <paramref name="key"/>, or null when it was not computed.</summary>
    public double? Metric(string key) => Metrics.FirstOrDefault(m => m.Key == key)?.Value;

    /// <summary>The flat JSON object: every metric by its key, then <c>n</c>, <c>items_per_second</c>, <c>gmacs</c>,
    /// <c>wall_seconds</c>, <c>family</c>, <c>variant</c> and the data description. Every number is finite or null:
    /// <c>psnr</c> is null exactly when <c>identical</c> (the count of bit-exact reconstructions) is above 0, any
    /// other metric is null when it is not a finite number (see the notes), <c>items_per_second</c> is null when the
    /// reconstruct step took no measurable time.</summary>
    public IReadOnlyDictionary<string, object?> ToDictionary()
    {
        var d = new Dictionary<string, object?>();
        foreach (var m in Metrics) d[m.Key] = IO.Json.FiniteOrNull(m.Value);
        if (Identical is long identical) d["identical"] = identical;
        d["n"] = Count;
        if (ReferenceCount != Count) d["n_reference"] = ReferenceCount;
        d["items_per_second"] = IO.Json.FiniteOrNull(ItemsPerSecond);
        d["reconstruct_seconds"] = IO.Json.FiniteOrNull(ReconstructSeconds);
        d["wall_seconds"] = IO.Json.FiniteOrNull(WallSeconds);
        d["gmacs"] = IO.Json.FiniteOrNull(Gmacs);
        d["latent_floats"] = LatentFloats;
        d["family"] = Family;
        d["variant"] = Variant;
        d["data"] = Data;
        d["kind"] = Kind;
        d["frames"] = Frames;
        d["height"] = Height;
        d["width"] = Width;
        d["skipped"] = Skipped;
        return d;
    }
}
