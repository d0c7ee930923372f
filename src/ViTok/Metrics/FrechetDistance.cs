namespace ViTok.Metrics;

/// <summary>The Fréchet distance between two Gaussians fitted to feature sets (the statistic behind FID/FVD, here
/// generic over the feature extractor): ‖μ₁−μ₂‖² + Tr Σ₁ + Tr Σ₂ − 2·Tr (Σ₁Σ₂)^½, in float64, with sample
/// covariances (N−1). The trace of the matrix square root is computed without forming it: Σ₁Σ₂ has the eigenvalues
/// of the symmetric PSD matrix Σ₁^½ Σ₂ Σ₁^½, so Tr (Σ₁Σ₂)^½ = Σᵢ √λᵢ. Eigenvalues within round-off of zero
/// (|λ| ≤ D·ε·λmax) count as zero, since a square root would blow their noise up from ε to √ε. This stays exact
/// when the covariances are singular (fewer samples than dimensions), where a general sqrtm struggles.</summary>
public static class FrechetDistance
{
    /// <summary>Fréchet distance between feature sets [N₁, D] and [N₂, D] (N ≥ 2 each).</summary>
    public static double Compute(Tensor featuresA, Tensor featuresB)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var (mu1, s1) = Statistics(featuresA);
        var (mu2, s2) = Statistics(featuresB);
        return FromStatistics(mu1, s1, mu2, s2);
    }

    /// <summary>Mean [D] and sample covariance [D, D] (divisor N−1) of features [N, D], in float64.</summary>
    public static (Tensor Mean, Tensor Covariance) Statistics(Tensor features)
    {
        if (features.dim() != 2)
            throw new ArgumentException($"expected features [N, D], got [{string.Join(", ", features.shape)}]");
        if (features.shape[0] < 2)
            throw new ArgumentException($"a covariance needs at least 2 samples, got {features.shape[0]}");
        using var scope = torch.NewDisposeScope();
        var x = features.detach().to(ScalarType.Float64);
        var mu = x.mean([0]);
        var xc = x - mu;
        var cov = xc.t().matmul(xc).Over((x.shape[0] - 1));
        return (mu.MoveToOuterDisposeScope(), cov.MoveToOuterDisposeScope());
    }

    /// <summary>Fréchet distance between N(μ₁, Σ₁) and N(μ₂, Σ₂): means [D], covariances [D, D].</summary>
    public static double FromStatistics(Tensor mean1, Tensor cov1, Tensor mean2, Tensor cov2)
    {
        long d = mean1.shape[0];
        if (mean1.dim() != 1 || !mean2.shape.SequenceEqual(mean1.shape)
            || !cov1.shape.SequenceEqual(new[] { d, d }) || !cov2.shape.SequenceEqual(new[] { d, d }))
            throw new ArgumentException(
                $"statistics do not match: means [{string.Join(", ", mean1.shape)}] and [{string.Join(", ", mean2.shape)}], " +
                $"covariances [{string.Join(", ", cov1.shape)}] and [{string.Join(", ", cov2.shape)}]");
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var m1 = mean1.to(ScalarType.Float64);
        var m2 = mean2.to(ScalarType.Float64);
        var s1 = cov1.to(ScalarType.Float64);
        var s2 = cov2.to(ScalarType.Float64);
        double meanTerm = (m1 - m2).pow(Scalars.Of(2)).sum().item<double>();
        double trace = s1.trace().item<double>() + s2.trace().item<double>();
        return meanTerm + trace - 2.0 * TraceSqrtProduct(s1, s2);
    }

    /// <summary>Tr (Σ₁Σ₂)^½ for symmetric PSD Σ₁, Σ₂ (float64 [D, D]), via Σᵢ √λᵢ(Σ₁^½ Σ₂ Σ₁^½).</summary>
    public static double TraceSqrtProduct(Tensor cov1, Tensor cov2)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var s1 = Symmetrize(cov1.to(ScalarType.Float64));
        var s2 = Symmetrize(cov2.to(ScalarType.Float64));
        var (l1, u1) = torch.linalg.eigh(s1);
        var root1 = (u1 * SqrtEigenvalues(l1).unsqueeze(0)).matmul(u1.t());      // Σ₁^½ = U √Λ Uᵀ
        var m = Symmetrize(root1.matmul(s2).matmul(root1));
        return SqrtEigenvalues(torch.linalg.eigvalsh(m)).sum().item<double>();
    }

    // √λ for the eigenvalues of a symmetric PSD matrix, with those within round-off of zero (and negatives) set to 0.
    private static Tensor SqrtEigenvalues(Tensor eigenvalues)
    {
        double tol = eigenvalues.shape[0] * Math.Pow(2, -52) * eigenvalues.abs().max().item<double>();
        using var tolerance = tol.ToScalar();
        return torch.where(eigenvalues > tolerance, eigenvalues, torch.zeros_like(eigenvalues)).sqrt();
    }

    private static Tensor Symmetrize(Tensor a) => (a.Plus(a.t())).Times(0.5);
}
