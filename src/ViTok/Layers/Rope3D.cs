namespace ViTok.Layers;

/// <summary>3D axial rotary position embedding (the paper's "3D axial RoPE", §2.2). The head dimension Dh is split
/// into time, height and width parts, d_h = d_w = 2·⌊Dh/6⌋ and d_t = Dh − 2·d_h (Dh 64 → 24/20/20, 72 → 24/24/24);
/// each part rotates its interleaved pairs (2i, 2i+1) by position·θ^(−2k/d_axis), θ = 10000, with positions the
/// integer tubelet coordinates (t, row, col). Pairs are ordered time, then height, then width.</summary>
public static class Rope3D
{
    /// <summary>The (d_t, d_h, d_w) split of a head dimension.</summary>
    public static (int T, int H, int W) AxisDims(int headDim)
    {
        if (headDim % 2 != 0 || headDim < 6)
            throw new ArgumentOutOfRangeException(nameof(headDim), headDim, "3D RoPE needs an even head dimension of at least 6");
        int dh = 2 * (headDim / 6);
        return (headDim - 2 * dh, dh, dh);
    }

    /// <summary>Integer tubelet coordinates of a (T, H, W) token grid in raster order (t, then row, then col): [N, 3] int64.</summary>
    public static Tensor GridPositions(long t, long h, long w, Device? device = null)
    {
        var tt = torch.arange(Scalars.Of(0), Scalars.Of(t), Scalars.One, ScalarType.Int64, device);
        var hh = torch.arange(Scalars.Of(0), Scalars.Of(h), Scalars.One, ScalarType.Int64, device);
        var ww = torch.arange(Scalars.Of(0), Scalars.Of(w), Scalars.One, ScalarType.Int64, device);
        var mesh = torch.meshgrid([tt, hh, ww], indexing: "ij");
        return torch.stack([mesh[0].reshape(-1), mesh[1].reshape(-1), mesh[2].reshape(-1)], dim: 1); // [N, 3]
    }

    /// <summary>Rotation angles' cosines and sines for positions [N, 3] (t, row, col): two float32 tensors [N, Dh/2].</summary>
    public static (Tensor Cos, Tensor Sin) Angles(Tensor positions, int headDim, double theta = 10000.0)
    {
        var (dt, dh, dw) = AxisDims(headDim);
        return RopeAngles.CosSin([positions[.., 0], positions[.., 1], positions[.., 2]], [dt, dh, dw], theta);
    }

    /// <summary>Rotates interleaved pairs of <paramref name="x"/> [..., N, Dh] by the angles [N, Dh/2]; computed in float32.</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        var shape = x.shape;
        var xf = x.to(ScalarType.Float32).reshape([.. shape[..^1], shape[^1] / 2, 2]);  // [..., N, Dh/2, 2]
        var x0 = xf.select(-1, 0);
        var x1 = xf.select(-1, 1);
        var r0 = x0 * cos - x1 * sin;
        var r1 = (x0 * sin).Plus(x1 * cos);
        return torch.stack([r0, r1], dim: -1).reshape(shape).to(x.dtype);                // [..., N, Dh]
    }
}
