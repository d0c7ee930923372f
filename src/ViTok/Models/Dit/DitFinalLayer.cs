using ViTok.Layers;

namespace ViTok.Models.Dit;

/// <summary>DiT's final layer (mirrors <c>models.py: FinalLayer</c>): affine-free LayerNorm, adaLN shift and scale
/// from SiLU → Linear(W → 2W), then Linear(W → c); both linears zero-initialised. No unpatchify: one output token per
/// latent token. x [B, N, W], c [B, W] → [B, N, c].</summary>
public sealed class DitFinalLayer : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly LayerNorm norm_final;
    private readonly Linear linear;
    private readonly Sequential adaLN_modulation;

    /// <summary>Creates the layer from width <paramref name="dim"/> to <paramref name="channels"/> outputs.</summary>
    public DitFinalLayer(int dim, int channels, double eps) : base(nameof(DitFinalLayer))
    {
        norm_final = nn.LayerNorm(dim, eps, elementwise_affine: false);
        linear = nn.Linear(dim, channels);
        adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(dim, 2 * dim));
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x, Tensor c)
    {
        var m = adaLN_modulation.call(c).chunk(2, dim: -1);   // shift, scale: [B, W]
        return linear.call(Modulation.Apply(norm_final.call(x), m[0], m[1]));
    }
}
