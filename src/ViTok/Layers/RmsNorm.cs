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

    /// <summary>The learned scale [dim].</summary>
    public Tensor Weight => weight;

    /// <summary>The epsilon added to the mean square.</summary>
    public double Eps => _eps;

    /// <summary>Normalises <paramref name="x"/> [..., dim].</summary>
    public override Tensor forward(Tensor x) => Normalize(x, weight, _eps);

    /// <summary>y = x / sqrt(mean(x²) + eps) · weight over the last dimension of <paramref name="x"/>, in float32, cast
    /// back to x's dtype (or kept in float32 with <paramref name="float32Output"/>, for a caller that goes on in float32,
    /// such as the RoPE rotation); <paramref name="weight"/> broadcasts against x (e.g. [dim], or [G, 1, dim] to
    /// normalise G groups of heads with their own scales in one pass).</summary>
    public static Tensor Normalize(Tensor x, Tensor weight, double eps, bool float32Output = false)
    {
        using var timer = ComponentProfile.Time(ComponentProfile.Norm);
        var x32 = x.to(ScalarType.Float32);                             // x itself when x is float32, else a fresh copy
        var inv = x32.pow(Scalars.Of(2)).mean([-1], keepdim: true);
        inv.add_(Scalars.Of(eps), Scalars.One).rsqrt_();               // fresh tensor: in place is safe for autograd
        var w32 = weight.to(ScalarType.Float32);
        Tensor y;
        if (torch.is_grad_enabled()) y = x32 * inv * w32;
        else                                                            // inference: the same products, fewer buffers
            y = (x.dtype == ScalarType.Float32 ? x32 * inv : x32.mul_(inv)).mul_(w32);
        return float32Output ? y : y.to(x.dtype);
    }
}
