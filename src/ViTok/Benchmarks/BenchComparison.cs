namespace ViTok.Benchmarks;

/// <summary>Two settings run interleaved (A, B, A, B, …) in one process by <see cref="ModelBench.Compare"/>.</summary>
/// <param name="A">The first setting's result.</param>
/// <param name="B">The second setting's result.</param>
/// <param name="Speedups">Per round: A's seconds over B's (above 1: B is faster), in run order.</param>
public sealed record BenchComparison(BenchResult A, BenchResult B, IReadOnlyList<double> Speedups)
{
    /// <summary>Median of the per-round speed-ups of B over A.</summary>
    public double Speedup => ModelBench.Median(Speedups);

    /// <summary>Smallest per-round speed-up.</summary>
    public double SpeedupMin => Speedups.Min();

    /// <summary>Largest per-round speed-up.</summary>
    public double SpeedupMax => Speedups.Max();
}
