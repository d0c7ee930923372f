namespace ViTok.Metrics;

/// <summary>Running mean and sample covariance of feature vectors, accumulated batch by batch in float64 without
/// keeping the features (so 50k × 2048 features cost one D×D matrix). Sums are taken around the first batch's mean
/// (the shifted-data algorithm), which keeps the covariance accurate when the mean is large against the spread.</summary>
public sealed class FeatureStatistics : IDisposable
{
    private Tensor? _shift;    // [D] float64
    private Tensor? _sum;      // [D]    Σ (x − shift)
    private Tensor? _outer;    // [D, D] Σ (x − shift)(x − shift)ᵀ

    /// <summary>Number of feature vectors added so far.</summary>
    public long Count { get; private set; }

    /// <summary>Feature dimension D (0 before the first batch).</summary>
    public long Dimension => _shift?.shape[0] ?? 0;

    /// <summary>Adds a batch of features [B, D] (any float dtype, any device; kept on that device in float64).</summary>
    public void Add(Tensor features)
    {
        if (features.dim() != 2)
            throw new ArgumentException($"expected features [B, D], got [{string.Join(", ", features.shape)}]");
        if (_shift is not null && features.shape[1] != _shift.shape[0])
            throw new ArgumentException($"feature dimension changed from {_shift.shape[0]} to {features.shape[1]}");
        if (features.shape[0] == 0) return;
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var x = features.detach().to(ScalarType.Float64);
        if (_shift is null)
        {
            long d = x.shape[1];
            // Long-lived state: detached from every dispose scope (a caller's scope must not free it); Dispose frees it.
            _shift = x.mean([0]).DetachFromDisposeScope();
            _sum = torch.zeros(d, dtype: ScalarType.Float64, device: x.device).DetachFromDisposeScope();
            _outer = torch.zeros(d, d, dtype: ScalarType.Float64, device: x.device).DetachFromDisposeScope();
        }
        var xc = x - _shift.to(x.device);
        _sum!.add_(xc.sum([0]).to(_sum.device), Scalars.One);
        _outer!.add_(xc.t().matmul(xc).to(_outer.device), Scalars.One);
        Count += x.shape[0];
    }

    /// <summary>Mean [D] and sample covariance [D, D] (divisor N−1), float64; needs at least 2 samples.</summary>
    public (Tensor Mean, Tensor Covariance) Compute()
    {
        if (Count < 2) throw new InvalidOperationException($"a covariance needs at least 2 samples, got {Count}");
        using var scope = torch.NewDisposeScope();
        var m = _sum!.Over(Count);
        var cov = (_outer! - torch.outer(m, m).Times(Count)).Over((Count - 1));
        var mean = m.Plus(_shift!);
        return (mean.MoveToOuterDisposeScope(), cov.MoveToOuterDisposeScope());
    }

    /// <summary>Fréchet distance between the Gaussians fitted to this set and <paramref name="other"/>.</summary>
    public double FrechetDistanceTo(FeatureStatistics other)
    {
        using var scope = torch.NewDisposeScope();
        var (m1, s1) = Compute();
        var (m2, s2) = other.Compute();
        return FrechetDistance.FromStatistics(m1, s1, m2.to(m1.device), s2.to(m1.device));
    }

    /// <summary>Frees the accumulated sums.</summary>
    public void Dispose()
    {
        _shift?.Dispose();
        _sum?.Dispose();
        _outer?.Dispose();
        _shift = _sum = _outer = null;
        Count = 0;
    }
}
