using ViTok.Layers;

namespace ViTok.Models.Paper;

/// <summary>Pre-norm transformer block of the paper family (mirrors vit_modules/transformer.py Block):
/// x += attn(norm1(x)); x += mlp(norm2(x)). LayerNorm with affine, eps 1e-5. [B, N, W] → [B, N, W].</summary>
public sealed class PaperBlock : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly LayerNorm norm1;
    private readonly PaperAttention attn;
    private readonly LayerNorm norm2;
    private readonly GatedMlp mlp;

    /// <summary>Creates a block of width <paramref name="dim"/>.</summary>
    public PaperBlock(int dim, int heads, int hidden, double eps) : base(nameof(PaperBlock))
    {
        norm1 = nn.LayerNorm(dim, eps);
        attn = new PaperAttention(dim, heads);
        norm2 = nn.LayerNorm(dim, eps);
        mlp = new GatedMlp(dim, hidden);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x, Tensor cos, Tensor sin)
    {
        x = x.Plus(attn.call(norm1.call(x), cos, sin));
        return x.Plus(mlp.call(norm2.call(x)));
    }
}
