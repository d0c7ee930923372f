namespace ViTok.Models;

/// <summary>The token grid of a latent sequence: <see cref="T"/> × <see cref="H"/> × <see cref="W"/> tokens in raster
/// order (time, row, column), and whether it decodes to images [B, 3, H·p, W·p] (<see cref="IsImage"/>, T = 1) or to
/// videos [B, 3, T·q, H·p, W·p].</summary>
/// <param name="T">Token rows in time (1 for images).</param>
/// <param name="H">Token rows.</param>
/// <param name="W">Token columns.</param>
/// <param name="IsImage">True for image latents (decoded without a time axis).</param>
public readonly record struct TokenGrid(long T, long H, long W, bool IsImage)
{
    /// <summary>Tokens on the grid, T·H·W.</summary>
    public long Tokens => T * H * W;

    /// <summary>The grid as a (T, H, W) tuple.</summary>
    public (long T, long H, long W) Dims => (T, H, W);

    /// <summary>Canonical text, e.g. <c>1x8x8 image</c>.</summary>
    public override string ToString() => $"{T}x{H}x{W} {(IsImage ? "image" : "video")}";
}
