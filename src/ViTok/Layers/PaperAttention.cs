namespace ViTok.Layers;

/// <summary>Multi-head self-attention of the paper family (mirrors vitok/models/vit_modules/attention.py): fused
/// <c>qkv</c> Linear without bias, 3D RoPE on q and k, scaled dot-product attention, <c>proj</c> Linear with bias.
/// Input and output [B, N, W]; cos/sin [N, Dh/2].</summary>
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

    /// <summary>Attention over all tokens with RoPE angles <paramref name="cos"/>, <paramref name="sin"/>.</summary>
    public override Tensor forward(Tensor x, Tensor cos, Tensor sin)
    {
        long b = x.shape[0], n = x.shape[1], w = x.shape[2];
        var parts = qkv.call(x).reshape(b, n, 3, _heads, w / _heads).permute(2, 0, 3, 1, 4); // [3, B, H, N, Dh]
        var q = Rope3D.Apply(parts[0], cos, sin);
        var k = Rope3D.Apply(parts[1], cos, sin);
        var o = F.scaled_dot_product_attention(q, k, parts[2]);                                // [B, H, N, Dh]
        return proj.call(o.transpose(1, 2).reshape(b, n, w));                                  // [B, N, W]
    }
}
