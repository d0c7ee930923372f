using ViTok.Layers;

namespace ViTok.Models.Dit;

/// <summary>DiT block with adaLN-Zero conditioning (mirrors DiT's <c>models.py: DiTBlock</c>) and the tokenizer's
/// Llama upgrades: affine-free LayerNorm (eps 1e-6), attention with RoPE (fused qkv without bias, projection with
/// bias), SwiGLU MLP with biases. <c>adaLN_modulation</c> = SiLU → Linear(W → 6W), zero-initialised, gives shift,
/// scale and gate for each branch. x [B, N, W], c [B, W], cos/sin the RoPE tables of <see cref="Rope3D.PairTables"/> [N, Dh] → [B, N, W].</summary>
public sealed class DitBlock : nn.Module<Tensor, Tensor, Tensor, Tensor, Tensor>
{
    private readonly LayerNorm norm1;
    private readonly PaperAttention attn;
    private readonly LayerNorm norm2;
    private readonly GatedMlp mlp;
    private readonly Sequential adaLN_modulation;

    /// <summary>Creates a block of width <paramref name="dim"/>.</summary>
    public DitBlock(int dim, int heads, int hidden, double eps) : base(nameof(DitBlock))
    {
        norm1 = nn.LayerNorm(dim, eps, elementwise_affine: false);
        attn = new PaperAttention(dim, heads);
        norm2 = nn.LayerNorm(dim, eps, elementwise_affine: false);
        mlp = new GatedMlp(dim, hidden);
        adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(dim, 6 * dim));
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x, Tensor c, Tensor cos, Tensor sin)
    {
        var m = adaLN_modulation.call(c).chunk(6, dim: -1);   // shift_msa, scale_msa, gate_msa, shift_mlp, scale_mlp, gate_mlp: [B, W]
        x = x.Plus(m[2].unsqueeze(1) * attn.call(Modulation.Apply(norm1.call(x), m[0], m[1]), cos, sin));
        return x.Plus(m[5].unsqueeze(1) * mlp.call(Modulation.Apply(norm2.call(x), m[3], m[4])));
    }
}
