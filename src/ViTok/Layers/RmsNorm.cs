namespace ViTok.Layers;

/// <summary>Root-mean-square normalisation over the last dimension with a learned scale (no bias), computed in
/// float32 and cast back to the input dtype. Mirrors <c>vitok/models/modules/norm.py: RMSNorm</c>:
/// y = x / sqrt(mean(x²) + eps) · weight.</summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly double _eps;

    /// <summary>Creates the norm over <paramref name="dim"/> features; the weight starts at 1.</summary>
    public RmsNorm(long dim, double eps = 1e-6, Device? device = null, ScalarType? dtype = null) : base(nameof(RmsNorm))
    {
        _eps = eps;
        // Detached: a module built inside a dispose scope must keep its parameters after the scope ends.
        weight = new Parameter(torch.ones(dim, dtype: dtype ?? ScalarType.Float32, device: device).DetachFromDisposeScope());
        RegisterComponents();
    }

    /// <summary>Normalises <paramref name="x"/> [..., dim].</summary>
    public override Tensor forward(Tensor x)
    {
        using var timer = ComponentProfile.Time(ComponentProfile.Norm);
        var x32 = x.to(ScalarType.Float32);
        var y = x32 * torch.rsqrt(x32.pow(Scalars.Of(2)).mean([-1], keepdim: true).Plus(_eps)) * weight.to(ScalarType.Float32);
        return y.to(x.dtype);
    }
}
