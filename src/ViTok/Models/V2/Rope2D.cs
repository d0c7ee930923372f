using ViTok.Layers;

namespace ViTok.Models.V2;

/// <summary>2-D axial rotary position embedding of ViTok-v2 (mirrors
/// <c>vitok/models/modules/rotary_embedding.py</c>): the head dimension Dh is split in two halves of Dh/2, each
/// with Dh/4 frequencies θ^(-2k/(Dh/2)); adjacent element pairs (2i, 2i+1) are rotated ("complex" convention), the
/// first Dh/4 pairs by row·ω and the last Dh/4 by col·ω. Positions are the raw integer grid coordinates.</summary>
public static class Rope2D
{
    /// <summary>The reference θ.</summary>
    public const double DefaultTheta = 10000.0;

    /// <summary>Cosines and sines [B, N, Dh/2] (float32) for integer positions <paramref name="row"/> and
    /// <paramref name="col"/> [B, N].</summary>
    public static (Tensor Cos, Tensor Sin) Frequencies(Tensor row, Tensor col, long headDim, double theta = DefaultTheta)
    {
        if (headDim % 4 != 0)
            throw new ArgumentException($"2-D RoPE needs a head dimension divisible by 4, got {headDim}.");
        long axisDim = headDim / 2;
        return RopeAngles.CosSin([row, col], [axisDim, axisDim], theta, RopeAngles.Precision.Float32Reciprocal); // [B, N, Dh/2]
    }

    /// <summary>The rotation tables of <see cref="Rotate"/> from the angle tables cos/sin [B, N, Dh/2]: cosines with
    /// each value repeated for its pair, (c₀, c₀, c₁, c₁, …), and signed sines (−s₀, s₀, −s₁, s₁, …), both
    /// [B, N, 1, Dh] in <paramref name="dtype"/> (the dtype the rotation runs in; the reference casts its tables to
    /// the activations' dtype too). Built once per forward pass and shared by every block.</summary>
    public static (Tensor Cos, Tensor Sin) RotationTables(Tensor cos, Tensor sin, ScalarType dtype)
    {
        using var scope = torch.NewDisposeScope();
        var c = torch.stack([cos, cos], -1).flatten(-2);                        // [B, N, Dh]
        var s = torch.stack([sin.neg(), sin], -1).flatten(-2);                  // [B, N, Dh]
        return (c.unsqueeze(2).to(dtype).MoveToOuterDisposeScope(), s.unsqueeze(2).to(dtype).MoveToOuterDisposeScope());
    }

    /// <summary>Rotates x [B, N, H, Dh] or [B, N, G, H, Dh] (G groups such as q and k side by side) by the rotation
    /// tables [B, N, 1, Dh] of <see cref="RotationTables"/>, in three kernels: x·cos + swap(x)·sin, where swap
    /// exchanges the elements of each pair (x₂ᵢ, x₂ᵢ₊₁) → (x₂ᵢ₊₁, x₂ᵢ). Equal to <see cref="Apply"/>: the real part
    /// x₂ᵢcᵢ − x₂ᵢ₊₁sᵢ and the imaginary part x₂ᵢ₊₁cᵢ + x₂ᵢsᵢ.</summary>
    public static Tensor Rotate(Tensor x, Tensor cos, Tensor sin)
    {
        long d = x.shape[^1];
        if (x.dim() == 5)
        {
            cos = cos.unsqueeze(2);
            sin = sin.unsqueeze(2);
        }
        long[] pairs = [.. x.shape[..^1], d / 2, 2];
        var swapped = x.reshape(pairs).flip(-1).reshape(x.shape);
        return torch.addcmul(swapped * sin, x, cos, Scalars.One);
    }

    /// <summary>Rotates x [B, N, H, Dh] by the angles whose cos/sin are [B, N, Dh/2]; the rotation runs in x's dtype.</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        long b = x.shape[0], n = x.shape[1], h = x.shape[2], d = x.shape[3];
        var pairs = x.reshape(b, n, h, d / 2, 2);
        var xr = pairs.select(-1, 0); // [B, N, H, Dh/2]
        var xi = pairs.select(-1, 1);
        var c = cos.unsqueeze(2).to(x.dtype); // [B, N, 1, Dh/2]
        var s = sin.unsqueeze(2).to(x.dtype);
        var outR = xr * c - xi * s;
        var outI = (xr * s).Plus(xi * c);
        return torch.stack([outR, outI], -1).flatten(3); // [B, N, H, Dh]
    }
}
