namespace ViTok.Models;

/// <summary>The encoder's posterior q(z | x) = N(<see cref="Mean"/>, diag(exp(<see cref="LogVar"/>))) over latents
/// [B, N, c] (as diffusers' <c>DiagonalGaussianDistribution</c>). A deterministic family (ViTok-v2) has no variance:
/// <see cref="LogVar"/> is null, the distribution is a point mass at the mean, <see cref="Sample(Generator?)"/> returns the mean and
/// <see cref="Kl()"/> null. The posterior owns its tensors: dispose it (or the <see cref="Latents"/> holding it).</summary>
public sealed class DiagonalGaussian : IDisposable
{
    /// <summary>A posterior with mean and log-variance of the same shape [B, N, c] (the log-variance already clamped
    /// by the family, e.g. to the paper's [−30, 20]).</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public DiagonalGaussian(Tensor mean, Tensor? logVar)
    {
        if (logVar is not null && !mean.shape.SequenceEqual(logVar.shape))
            throw new ArgumentException($"mean [{string.Join(", ", mean.shape)}] and log-variance [{string.Join(", ", logVar.shape)}] differ in shape.", nameof(logVar));
        Mean = mean;
        LogVar = logVar;
    }

    /// <summary>The point mass at <paramref name="mean"/> (a deterministic encoder).</summary>
    public static DiagonalGaussian Deterministic(Tensor mean) => new(mean, null);

    /// <summary>Mean μ [B, N, c].</summary>
    public Tensor Mean { get; }

    /// <summary>Log-variance log σ² [B, N, c] (natural log), or null for a deterministic encoder.</summary>
    public Tensor? LogVar { get; }

    /// <summary>True when there is no variance (<see cref="LogVar"/> is null).</summary>
    public bool IsDeterministic => LogVar is null;

    /// <summary>The mode, which for a Gaussian is the mean: a new handle on <see cref="Mean"/> [B, N, c] (dispose it
    /// independently).</summary>
    public Tensor Mode() => Mean.alias();

    /// <summary>A reparameterised sample z = μ + exp(½·log σ²)·ε, ε ~ N(0, I) drawn from <paramref name="generator"/>
    /// (the global generator when null), [B, N, c] in the mean's dtype and device; the mean itself when deterministic.
    /// Differentiable when the moments are; its temporaries are freed (own dispose scope).</summary>
    public Tensor Sample(Generator? generator = null)
    {
        if (LogVar is null) return Mean.alias();
        using var scope = torch.NewDisposeScope();
        return Sample(Mean, LogVar, generator).MoveToOuterDisposeScope();
    }

    /// <summary>KL(q ‖ N(0, I)) as the families define it: the mean over every latent element of
    /// ½(μ² + σ² − 1 − log σ²), a scalar tensor (paper §3.1's β-weighted term; not summed over channels). Null when
    /// deterministic. Own dispose scope.</summary>
    public Tensor? Kl()
    {
        if (LogVar is null) return null;
        using var scope = torch.NewDisposeScope();
        return Kl(Mean, LogVar).MoveToOuterDisposeScope();
    }

    /// <summary>The reparameterised sample of <see cref="Sample(Generator?)"/> for raw moments (any equal shapes); no
    /// dispose scope (for training steps, which have their own).</summary>
    public static Tensor Sample(Tensor mean, Tensor logVar, Generator? generator = null) =>
        mean.Plus(torch.exp(logVar.Times(0.5)) * BatchDraws.Randn(mean.shape, mean.dtype, mean.device, generator));

    /// <summary>The KL term of <see cref="Kl()"/> for raw moments (any equal shapes): a scalar tensor; no dispose scope.</summary>
    public static Tensor Kl(Tensor mean, Tensor logVar) =>
        ((mean.pow(Scalars.Of(2)).Plus(logVar.exp()).Minus(1.0) - logVar).Times(0.5)).mean();

    /// <summary>Frees the moments.</summary>
    public void Dispose()
    {
        Mean.Dispose();
        LogVar?.Dispose();
    }
}
