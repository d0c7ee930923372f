namespace ViTok.Evaluation;

/// <summary>Keeps the K best and K worst items by PSNR seen so far (their 8-bit pixels only), for the report grid.</summary>
internal sealed class ExampleTracker
{
    private readonly int _k;
    private readonly List<EvalExample> _best = [];    // PSNR descending
    private readonly List<EvalExample> _worst = [];   // PSNR ascending

    public ExampleTracker(int k) => _k = Math.Max(0, k);

    /// <summary>Whether an item with this PSNR would enter either list (decides whether its pixels are copied).</summary>
    public bool Wants(double psnr) =>
        _k > 0 && (_best.Count < _k || psnr > _best[^1].Psnr || _worst.Count < _k || psnr < _worst[^1].Psnr);

    public void Offer(EvalExample e)
    {
        Insert(_best, e, (a, b) => b.Psnr.CompareTo(a.Psnr));
        Insert(_worst, e, (a, b) => a.Psnr.CompareTo(b.Psnr));
    }

    /// <summary>The best items (highest PSNR first) and the worst (lowest first) that are not among the best.</summary>
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
