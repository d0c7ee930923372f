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

    /// <summary>The running sums as float64 arrays, for merging statistics computed in separate processes: the shift
    /// (the first batch's mean, [D]), Σ (x − shift) [D] and Σ (x − shift)(x − shift)ᵀ [D·D, row-major]. All empty
    /// before the first batch.</summary>
    public (long Count, double[] Shift, double[] Sum, double[] Outer) Export() => _shift is null
        ? (0, [], [], [])
        : (Count, _shift.cpu().data<double>().ToArray(), _sum!.cpu().data<double>().ToArray(), _outer!.cpu().data<double>().ToArray());

    /// <summary>Adds sums exported by <see cref="Export"/> (another set of features) as if their features had been
    /// added here: the other set's sums are moved onto this set's shift c, exactly up to rounding:
    /// with δ = s − c, Σ (x − c) = S + nδ and Σ (x − c)(x − c)ᵀ = O + Sδᵀ + δSᵀ + nδδᵀ.</summary>
    /// <exception cref="ArgumentException">The arrays' sizes disagree with each other or with this set's dimension.</exception>
    public void Merge(long count, double[] shift, double[] sum, double[] outer)
    {
        if (count == 0) return;
        long d = shift.Length;
        if (sum.Length != d || outer.Length != d * d || (_shift is not null && _shift.shape[0] != d))
            throw new ArgumentException($"statistics of dimension {d} (sum {sum.Length}, outer {outer.Length}) do not match dimension {Dimension}");
        using var scope = torch.NewDisposeScope();
        var s = torch.tensor(shift, ScalarType.Float64);
        var sumOther = torch.tensor(sum, ScalarType.Float64);
        var outerOther = torch.tensor(outer, ScalarType.Float64).view(d, d);
        if (_shift is null)
        {
            _shift = s.clone().DetachFromDisposeScope();
            _sum = torch.zeros(d, dtype: ScalarType.Float64).DetachFromDisposeScope();
            _outer = torch.zeros(d, d, dtype: ScalarType.Float64).DetachFromDisposeScope();
        }
        var delta = (s - _shift.cpu()).to(_sum!.device);
        sumOther = sumOther.to(_sum.device);
        outerOther = outerOther.to(_sum.device);
        var cross = torch.outer(sumOther, delta);
        _outer!.add_(outerOther.Plus(cross).Plus(cross.t()).Plus(torch.outer(delta, delta).Times(count)), Scalars.One);
        _sum.add_(sumOther.Plus(delta.Times(count)), Scalars.One);
        Count += count;
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
