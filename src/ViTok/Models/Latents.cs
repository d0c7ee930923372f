namespace ViTok.Models;

/// <summary>What <see cref="IAutoencoder.Encode"/> returns for a batch: the latents <see cref="Z"/> (the posterior's
/// mode), the <see cref="Posterior"/> they came from, the token <see cref="Grid"/>, and the pixel size the model saw.
/// Owns its tensors: dispose it.</summary>
/// <param name="Z">z [B, N, c] float32, the posterior's mode. The first <see cref="TokenGrid.Tokens"/> rows of each
/// item are the grid in raster order; with a token budget N may be larger (ViTok-v2 pads the sequence with zero
/// rows up to the budget).</param>
/// <param name="Posterior">q(z | x) with moments [B, N, c] float32 (deterministic for ViTok-v2).</param>
/// <param name="Grid">The token grid of every item of the batch.</param>
/// <param name="ProcessedSize">The pixel size (frames, height, width) the model encoded, after any token-budget
/// resize and before the family's own padding to its patch multiple (frames = 1 for images); the decoded canvas
/// [grid·patch] is cropped to it.</param>
public sealed record Latents(Tensor Z, DiagonalGaussian Posterior, TokenGrid Grid, (long Frames, long Height, long Width) ProcessedSize) : IDisposable
{
    /// <summary>Frees <see cref="Z"/> and the posterior's moments.</summary>
    public void Dispose()
    {
        Z.Dispose();
        Posterior.Dispose();
    }
}
