namespace ViTok.Training;

/// <summary>Which parameters get weight decay: weight matrices and kernels only (rank ≥ 2), never biases, norms or
/// other vectors (paper §3.3, "weight decay 1e-4 on weight matrices").</summary>
public static class ParamGroups
{
    /// <summary>True for parameters that receive weight decay.</summary>
    public static bool Decays(string name, Parameter p) =>
        p.dim() >= 2 && !name.EndsWith(".bias", StringComparison.Ordinal) && !name.Contains("norm", StringComparison.Ordinal);
}
