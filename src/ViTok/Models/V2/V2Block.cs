using ViTok.Layers;

namespace ViTok.Models.V2;

/// <summary>ViTok-v2 transformer block (mirrors <c>vitok/models/ae.py: Block</c>): one RMSNorm feeds attention and
/// SwiGLU in parallel; their sum is scaled by LayerScale and added to the residual.
/// x ← x + γ · (Attn(RMSNorm(x)) + SwiGLU(RMSNorm(x))).</summary>
public sealed class V2Block : nn.Module<Tensor, Tensor, Tensor, Tensor?, Tensor>
{
    private readonly RmsNorm norm1;
    private readonly V2Attention attn;
    private readonly SwiGlu ffn;
    private readonly LayerScale layer_scale;

    /// <summary>Creates a block of <paramref name="dim"/> features, <paramref name="heads"/> heads and a SwiGLU with
    /// <paramref name="hidden"/> units.</summary>
    public V2Block(long dim, long heads, long hidden, double layerScaleInit = 1e-4, Device? device = null, ScalarType? dtype = null)
        : base(nameof(V2Block))
    {
        norm1 = new RmsNorm(dim, 1e-6, device, dtype);
        attn = new V2Attention(dim, heads, device, dtype);
        ffn = new SwiGlu(dim, hidden, device, dtype);
        layer_scale = new LayerScale(dim, layerScaleInit, device, dtype);
        RegisterComponents();
    }

    /// <summary>The attention's sliding-window half-width in tokens (0: full attention); see <see cref="V2Attention.Window"/>.</summary>
    public int Window
    {
        get => attn.Window;
        set => attn.Window = value;
    }

    /// <summary>Applies the block to x [B, N, dim] with RoPE tables (see <see cref="V2Attention.forward"/>) and an
    /// optional key mask [B, 1, 1, N].</summary>
    public override Tensor forward(Tensor x, Tensor cos, Tensor sin, Tensor? keyMask)
    {
        var h = norm1.call(x);
        var a = attn.call(h, cos, sin, keyMask);
        var m = ffn.call(h);
        using (ComponentProfile.Time(ComponentProfile.Residual))
        {
            if (torch.is_grad_enabled()) return x.Plus(layer_scale.call(a.Plus(m)));
            return torch.addcmul(x, a.PlusInPlace(m), layer_scale.Gamma, Scalars.One);   // inference: a is this block's own temporary
        }
    }
}
