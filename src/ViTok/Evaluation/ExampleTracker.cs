namespace ViTok.Evaluation;

/// <summary>Keeps the K best and K worst items by relative error (<see cref="EvalExample.RelativeError"/>, lower is
/// better) seen so far (their 8-bit pixels only), for the report grid.</summary>
internal sealed class ExampleTracker
{
    private readonly int _k;
    private readonly List<EvalExample> _best = [];    // relative error ascending
    private readonly List<EvalExample> _worst = [];   // relative error descending

    public ExampleTracker(int k) => _k = Math.Max(0, k);

    /// <summary>Whether an item with this relative error would enter either list (decides whether its pixels are copied).</summary>
    public bool Wants(double relativeError) =>
        _k > 0 && (_best.Count < _k || relativeError < _best[^1].RelativeError || _worst.Count < _k || relativeError > _worst[^1].RelativeError);

    public void Offer(EvalExample e)
    {
        Insert(_best, e, (a, b) => a.RelativeError.CompareTo(b.RelativeError));
        Insert(_worst, e, (a, b) => b.RelativeError.CompareTo(a.RelativeError));
    }

    /// <summary>The best items (lowest relative error first) and the worst (highest first) that are not among the best.</summary>
    public (IReadOnlyList<EvalExample> Best, IReadOnlyList<EvalExample> Worst) Result()
    {
        var bestIndices = _best.Select(e => e.Index).ToHashSet();
        return (_best.ToList(), _worst.Where(e => !bestIndices.Contains(e.Index)).ToList());
    }

    private void Insert(List<EvalExample> list, EvalExample e, Comparison<EvalExample> order)
    {
        int at = list.FindIndex(x => order(e, x) < 0);
        if (at < 0) at = list.Count;
        if (at >= _k) return;
        list.Insert(at, e);
        if (list.Count > _k) list.RemoveAt(list.Count - 1);
    }
}
