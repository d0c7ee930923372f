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

    /// <summary>Rotates interleaved pairs of <paramref name="x"/> [..., N, Dh] by the angles [N, Dh/2]; computed in float32.
    /// Same result as <see cref="ApplyPairs"/> on <see cref="PairTables"/> (which it calls).</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        var (cosPairs, sinPairs) = PairTables(cos, sin);
        return ApplyPairs(x, cosPairs, sinPairs);
    }

    /// <summary>The angles [N, Dh/2] spread over the interleaved pairs for <see cref="ApplyPairs"/>: cosines
    /// (cos θ, cos θ) and signed sines (−sin θ, +sin θ) per pair, two float32 tensors [N, Dh]. Build them once per
    /// forward and share them between the blocks.</summary>
    public static (Tensor CosPairs, Tensor SinPairs) PairTables(Tensor cos, Tensor sin)
    {
        long n = cos.shape[0], half = cos.shape[1];
        var c = torch.stack([cos, cos], dim: -1).reshape(n, 2 * half);
        var s = torch.stack([-sin, sin], dim: -1).reshape(n, 2 * half);
        return (c, s);
    }

    /// <summary>Rotates interleaved pairs (x₀, x₁) of <paramref name="x"/> [..., N, Dh] to (x₀cos − x₁sin, x₁cos + x₀sin)
    /// with the tables of <see cref="PairTables"/> [N, Dh], as x·cosPairs + swap(x)·sinPairs where swap exchanges the
    /// two members of each pair: four kernels forward instead of a dozen, and bit-identical to the pairwise formula
    /// (x₁·(−sin) is −(x₁·sin) exactly and a sum of two terms does not depend on their order). Computed in float32,
    /// returned in x's dtype. Pass q and k stacked ([2, ...]) to rotate both with one call.</summary>
    public static Tensor ApplyPairs(Tensor x, Tensor cosPairs, Tensor sinPairs)
    {
        var shape = x.shape;
        var xf = x.to(ScalarType.Float32);
        var swapped = xf.reshape([.. shape[..^1], shape[^1] / 2, 2]).flip(-1).reshape(shape);   // (x₁, x₀) per pair
        return (xf * cosPairs).Plus(swapped * sinPairs).to(x.dtype);                               // [..., N, Dh]
    }
}
