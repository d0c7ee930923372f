namespace ViTok.Benchmarks;

/// <summary>What <see cref="ModelBench"/> measured for one setting.</summary>
/// <param name="Settings">The setting.</param>
/// <param name="Seconds">Wall seconds of each timed repeat (after the warm-up), in run order.</param>
/// <param name="GflopPerRepeat">Floating-point work of one repeat from the cost model (<c>ModelInfo</c>): GMACs per
/// item × 2 × batch, × 3 for a training step (forward + backward ≈ 2 × forward).</param>
/// <param name="RoofGflops">GFLOP/s of a square matrix product (<c>torch.mm</c>) at the setting's dtype, device and
/// threads, measured in the same process: the GEMM roof.</param>
/// <param name="PeakRssBytes">The process's peak resident memory (Linux <c>VmHWM</c>) at the end; 0 where unknown.</param>
/// <param name="Profile">With a profile: share (0–1) of the timed wall time per phase of a training step (data, forward,
/// backward, optimiser, other) or per model component of inference (<c>ComponentProfile.Components</c>); null
/// otherwise.</param>
public sealed record BenchResult(BenchSettings Settings, IReadOnlyList<double> Seconds, double GflopPerRepeat, double RoofGflops,
    long PeakRssBytes, IReadOnlyDictionary<string, double>? Profile)
{
    /// <summary>Median seconds per repeat.</summary>
    public double Median => ModelBench.Median(Seconds);

    /// <summary>Fastest repeat (seconds).</summary>
    public double Min => Seconds.Min();

    /// <summary>Slowest repeat (seconds).</summary>
    public double Max => Seconds.Max();

    /// <summary>Items (images or clips) per second at the median.</summary>
    public double ImagesPerSecond => Settings.Batch / Median;

    /// <summary>Achieved GFLOP/s at the median (cost model over wall time).</summary>
    public double AchievedGflops => GflopPerRepeat / Median;

    /// <summary>Achieved GFLOP/s as a share (0–1, may exceed 1 when the cost model undercounts) of the GEMM roof.</summary>
    public double RoofShare => RoofGflops > 0 ? AchievedGflops / RoofGflops : double.NaN;

    /// <summary>Inference: the roof of the model's own linear-layer GEMM shapes, timed in the same run
    /// (<see cref="GemmShapeRoof"/>); null for a training step.</summary>
    public GemmShapeRoof? ShapeRoof { get; init; }

    /// <summary>Achieved GFLOP/s as a share of <see cref="ShapeRoof"/> (NaN without one).</summary>
    public double ShapeRoofShare => ShapeRoof is { Gflops: > 0 } r ? AchievedGflops / r.Gflops : double.NaN;
}
