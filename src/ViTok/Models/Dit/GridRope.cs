using ViTok.Layers;

namespace ViTok.Models.Dit;

/// <summary>Rotary angles for a latent token grid (T, H, W) in raster order: 2D axial RoPE on (row, col) when T = 1
/// (images; the head dimension split d_row = 2·⌊Dh/4⌋, d_col = Dh − d_row), the paper's 3D axial RoPE
/// (<see cref="Rope3D.AxisDims"/>) on (t, row, col) otherwise. Same interleaved-pair convention as
/// <see cref="Rope3D.Apply"/>, which rotates q and k with these angles.</summary>
public static class GridRope
{
    /// <summary>Per-axis rotary dimensions for a grid with <paramref name="frames"/> latent frames.</summary>
    public static int[] AxisDims(long frames, int headDim)
    {
        if (frames > 1)
        {
            var (t, h, w) = Rope3D.AxisDims(headDim);
            return [t, h, w];
        }
        if (headDim % 2 != 0 || headDim < 4)
            throw new ArgumentOutOfRangeException(nameof(headDim), headDim, "2D RoPE needs an even head dimension of at least 4");
        int dr = 2 * (headDim / 4);
        return [dr, headDim - dr];
    }

    /// <summary>Cosines and sines [N, Dh/2] (float32) of the grid's tokens.</summary>
    public static (Tensor Cos, Tensor Sin) Angles((long T, long H, long W) grid, int headDim, double theta = 10000.0, Device? device = null)
    {
        var pos = Rope3D.GridPositions(grid.T, grid.H, grid.W, device);   // [N, 3] (t, row, col)
        var dims = AxisDims(grid.T, headDim);
        Tensor[] axes = dims.Length == 2 ? [pos[.., 1], pos[.., 2]] : [pos[.., 0], pos[.., 1], pos[.., 2]];
        return RopeAngles.CosSin(axes, [.. dims.Select(d => (long)d)], theta);
    }
}
