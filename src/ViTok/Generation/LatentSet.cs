namespace ViTok.Generation;

/// <summary>A whole latent dataset in memory: posterior means (or deterministic latents) [N, L, c], log-variances
/// [N, L, c] when the tokenizer is variational, int64 labels [N] (-1 without classes) and the latent space.</summary>
public sealed class LatentSet(LatentSpace space, Tensor mean, Tensor? logVar, Tensor labels) : IDisposable
{
    /// <summary>The latent space the items live in (Scale = 1: raw tokenizer latents).</summary>
    public LatentSpace Space { get; } = space;

    /// <summary>Latents (posterior means) [N, L, c] float32.</summary>
    public Tensor Mean { get; } = mean;

    /// <summary>Posterior log-variances [N, L, c], or null.</summary>
    public Tensor? LogVar { get; } = logVar;

    /// <summary>Labels [N] int64.</summary>
    public Tensor Labels { get; } = labels;

    /// <summary>Number of items.</summary>
    public long Count => Mean.shape[0];

    /// <summary>Standard deviation of the latent distribution over all elements: √(Var[mean] + E[exp(logvar)]) for a
    /// variational tokenizer (the spread of posterior samples), the plain std otherwise; and the mean.</summary>
    public (double Mean, double Std) Statistics()
    {
        using var scope = torch.NewDisposeScope();
        var m = Mean.to(ScalarType.Float64);
        double mu = m.mean().item<double>();
        double variance = m.var().item<double>();
        if (LogVar is not null) variance += LogVar.to(ScalarType.Float64).exp().mean().item<double>();
        return (mu, Math.Sqrt(variance));
    }

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        Mean.Dispose();
        LogVar?.Dispose();
        Labels.Dispose();
    }
}
