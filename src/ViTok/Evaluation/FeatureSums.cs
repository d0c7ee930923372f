namespace ViTok.Evaluation;

/// <summary>The running sums of one set of feature vectors (<see cref="ViTok.Metrics.FeatureStatistics.Export"/>):
/// count, the shift c (the first batch's mean, [D]), Σ (x − c) [D] and Σ (x − c)(x − c)ᵀ [D·D, row-major], all
/// float64. Sums of disjoint sets merge exactly (up to rounding), so shards of an evaluation give one run's
/// Gaussian statistics.</summary>
public sealed record FeatureSums(long Count, double[] Shift, double[] Sum, double[] Outer);
