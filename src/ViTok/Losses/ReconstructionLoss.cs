namespace ViTok.Losses;

/// <summary>Pixel reconstruction losses: l2 (paper), l1 (paper ablation) and Charbonnier √(d² + ε²), ε = 1e-3 (v2).</summary>
public static class ReconstructionLoss
{
    /// <summary>The loss named <paramref name="kind"/>, averaged over all elements (computed in fp32).</summary>
    /// <exception cref="ViTokException">The kind is unknown.</exception>
    public static Tensor Compute(string kind, Tensor reconstruction, Tensor target)
    {
        var d = reconstruction.to(ScalarType.Float32) - target.to(ScalarType.Float32);
        return kind switch
        {
            "l2" => d.pow(Scalars.Of(2)).mean(),
            "l1" => d.abs().mean(),
            "charbonnier" => (d.pow(Scalars.Of(2)).Plus(1e-6)).sqrt().mean(),
            _ => throw new ViTokException($"unknown reconstruction loss '{kind}'; expected l2, l1 or charbonnier"),
        };
    }
}
