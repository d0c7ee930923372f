
namespace ViTok.Models.Paper;

/// <summary>Latents of the paper-family encoder: <see cref="Z"/> [B, L, c] on a (t, h, w) token grid, with the
/// posterior moments it came from and whether the input was an image (rank 4) or a video (rank 5).</summary>
public sealed record PaperLatents(Tensor Z, Tensor Mean, Tensor LogVar, (long T, long H, long W) Grid, bool IsImage) : IDisposable
{
    /// <summary>Disposes the three tensors.</summary>
    public void Dispose()
    {
        Z.Dispose();
        Mean.Dispose();
        LogVar.Dispose();
    }
}
