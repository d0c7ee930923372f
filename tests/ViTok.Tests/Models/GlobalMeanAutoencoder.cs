using ViTok.Models;

namespace ViTok.Tests.Models;

/// <summary>Test double for tiling: a fixed-grid "auto-encoder" (p = 1, c = 3) whose latents are the pixels plus the mean
/// colour of the whole input it is given, z = x + mean(x), and whose decoder is the identity. It is the simplest model
/// with a global-context term, the effect that makes a tile's latents differ from the untiled ones everywhere inside the
/// tile (see <see cref="Tiling"/>).</summary>
public sealed class GlobalMeanAutoencoder : ViTok.Tests.Evaluation.IdentityAutoencoder
{
    public override bool AcceptsAnySize => false;

    public override Latents Encode(Tensor x, int? tokenBudget = null)
    {
        var z = (x + x.mean([2L, 3L], keepdim: true)).flatten(2).transpose(1, 2).contiguous();   // [B, H·W, 3]
        var posterior = DiagonalGaussian.Deterministic(z);
        return new Latents(posterior.Mode(), posterior, new TokenGrid(1, x.shape[2], x.shape[3], true), (1, x.shape[2], x.shape[3]));
    }
}
