namespace ViTok.Data;

/// <summary>Centres images on a black canvas: the authors' Fashion-MNIST preprocessing (28 → 32) for training
/// (<c>pad_to</c>) and for latent datasets (<c>encode-dataset --pad-to</c>).</summary>
public static class CentredPad
{
    /// <summary>Images [B, 3, H, W] or clips [B, 3, T, H, W] in [-1, 1] on a black (−1) canvas of side × side, the extra
    /// row or column of an odd margin at the bottom/right; a new tensor (side ≤ 0: <paramref name="x"/> itself).</summary>
    /// <param name="x">The batch.</param>
    /// <param name="side">Canvas side in pixels.</param>
    /// <param name="option">How the setting is spelled for the user (e.g. "pad_to" or "--pad-to"), for the error.</param>
    /// <param name="fix">The fix the error names.</param>
    /// <exception cref="ViTokException">The items are larger than the canvas.</exception>
    public static Tensor Apply(Tensor x, int side, string option, string fix)
    {
        if (side <= 0) return x;
        long h = x.shape[^2], w = x.shape[^1];
        if (h > side || w > side)
            throw new ViTokException($"{option} {side} is smaller than the items ({w}x{h}); {fix}.");
        long top = (side - h) / 2, left = (side - w) / 2;
        long[] pad = x.dim() == 5 ? [left, side - w - left, top, side - h - top, 0, 0] : [left, side - w - left, top, side - h - top];
        return F.pad(x, pad, value: -1.0);
    }
}
