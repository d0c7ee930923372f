namespace ViTok.Layers;

/// <summary>Multi-head self-attention of the paper family (mirrors vitok/models/vit_modules/attention.py): fused
/// <c>qkv</c> Linear without bias, 3D RoPE on q and k, scaled dot-product attention, <c>proj</c> Linear with bias.
/// Input and output [B, N, W]; the RoPE tables of <see cref="Rope3D.PairTables"/> [N, Dh].</summary>
public sealed class PaperAttention : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly Linear qkv;   // W -> 3W (q ‖ k ‖ v, head-major)
    private readonly Linear proj;  // W -> W
    private readonly int _heads;

    /// <summary>Creates the attention for width <paramref name="dim"/> and <paramref name="heads"/> heads.</summary>
    public PaperAttention(int dim, int heads) : base(nameof(PaperAttention))
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(dim % heads, 0, nameof(heads));
        _heads = heads;
        qkv = nn.Linear(dim, 3 * dim, hasBias: false);
        proj = nn.Linear(dim, dim, hasBias: true);
        RegisterComponents();
    }

    /// <summary>Attention over all tokens with the RoPE tables <paramref name="cosPairs"/>, <paramref name="sinPairs"/>
    /// [N, Dh] of <see cref="Rope3D.PairTables"/>.</summary>
    public override Tensor forward(Tensor x, Tensor cosPairs, Tensor sinPairs)
    {
        long b = x.shape[0], n = x.shape[1], w = x.shape[2];
        var parts = qkv.call(x).reshape(b, n, 3, _heads, w / _heads).permute(2, 0, 3, 1, 4); // [3, B, H, N, Dh]
        var qk = Rope3D.ApplyPairs(parts.narrow(0, 0, 2), cosPairs, sinPairs);                // q and k in one pass
        var o = F.scaled_dot_product_attention(qk[0], qk[1], parts[2]);                        // [B, H, N, Dh]
        return proj.call(o.transpose(1, 2).reshape(b, n, w));                                  // [B, N, W]
    }
}
