namespace ViTok.Models;

/// <summary>The latents of one image and the contract to decode them: z [N, c] for the real tokens in raster order on
/// a rows × cols grid; the size the model saw (<see cref="ProcessedHeight"/> × <see cref="ProcessedWidth"/>, after
/// any token-budget resize) and the original file's size.</summary>
public sealed record ImageLatents(string Name, Tensor Z, int Rows, int Cols, int OriginalHeight, int OriginalWidth, int ProcessedHeight, int ProcessedWidth) : IDisposable
{
    /// <summary>Frees <see cref="Z"/>.</summary>
    public void Dispose() => Z.Dispose();
}
