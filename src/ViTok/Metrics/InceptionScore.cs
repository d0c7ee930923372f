namespace ViTok.Metrics;

/// <summary>The Inception Score (Salimans et al. 2016) as the original code computes it (openai/improved-gan,
/// <c>inception_score.py</c>): class probabilities p(y|x) = softmax(logits) of every image, the set cut into
/// <c>splits</c> contiguous parts <c>[k·N/splits, (k+1)·N/splits)</c> in the order the images were added, and per part
/// exp(mean over x of KL(p(y|x) ‖ p(y))) with p(y) the part's mean; the score is the mean over the parts (and its
/// standard deviation, population form, as numpy's <c>std</c>). The probabilities are kept on the CPU in float32
/// (4 KB per image with the 1008 FID-Inception classes) because the parts depend on the final count; the sums are
/// float64. Feed it <see cref="FidInceptionV3.FeaturesAndLogits"/>'s logits for the standard score.</summary>
public sealed class InceptionScore : IDisposable
{
    /// <summary>Key in JSON output and metric logs.</summary>
    public const string Key = "inception_score";

    /// <summary>The usual number of splits.</summary>
    public const int DefaultSplits = 10;

    private readonly List<Tensor> _chunks = [];

    /// <summary>Number of images added so far.</summary>
    public long Count { get; private set; }

    /// <summary>Adds the class logits [B, K] of a batch (any float dtype or device).</summary>
    public void Add(Tensor logits)
    {
        if (logits.dim() != 2)
            throw new ArgumentException($"expected logits [B, K], got [{string.Join(", ", logits.shape)}]");
        if (_chunks.Count > 0 && logits.shape[1] != _chunks[0].shape[1])
            throw new ArgumentException($"the number of classes changed from {_chunks[0].shape[1]} to {logits.shape[1]}");
        if (logits.shape[0] == 0) return;
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var p = logits.detach().to(ScalarType.Float64).softmax(1).to(ScalarType.Float32).cpu();
        _chunks.Add(p.DetachFromDisposeScope());
        Count += logits.shape[0];
    }

    /// <summary>Mean and standard deviation of the score over <paramref name="splits"/> parts (at least one image
    /// per part).</summary>
    public (double Mean, double Std) Compute(int splits = DefaultSplits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(splits, 1);
        if (Count < splits)
            throw new InvalidOperationException($"the inception score over {splits} splits needs at least {splits} images, got {Count}");
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var p = torch.cat(_chunks).to(ScalarType.Float64);                  // [N, K]
        long n = p.shape[0];
        var scores = new double[splits];
        for (int k = 0; k < splits; k++)
        {
            long start = k * n / splits, end = (k + 1) * n / splits;
            var part = p.narrow(0, start, end - start);                      // [n_k, K]
            var marginal = part.mean([0], keepdim: true);                    // p(y) [1, K]
            // KL(p(y|x) ‖ p(y)) = Σ_y p log p − p log p(y); terms with p = 0 contribute 0.
            var logRatio = torch.where(part > Scalars.Of(0), part.log() - marginal.log(), torch.zeros_like(part));
            double kl = (part * logRatio).sum(1).mean().item<double>();
            scores[k] = Math.Exp(kl);
        }
        double mean = scores.Average();
        double std = Math.Sqrt(scores.Select(s => (s - mean) * (s - mean)).Average());
        return (mean, std);
    }

    /// <summary>Frees the kept probabilities.</summary>
    public void Dispose()
    {
        foreach (var c in _chunks) c.Dispose();
        _chunks.Clear();
        Count = 0;
    }
}
