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

    /// <summary>Rotates x [B, N, H, Dh] or [B, N, G, H, Dh] (G groups such as q and k side by side) by the angles whose
    /// cos/sin are [B, N, Dh/2] (float32), as one complex multiplication: each pair (x₂ᵢ, x₂ᵢ₊₁) read as
    /// x₂ᵢ + i·x₂ᵢ₊₁ (a view, no copy) times cosᵢ + i·sinᵢ, i.e. (x₂ᵢcᵢ − x₂ᵢ₊₁sᵢ, x₂ᵢsᵢ + x₂ᵢ₊₁cᵢ), the rotation of
    /// <see cref="Apply"/>, in one vectorised kernel over x (plus one small kernel that forms the complex table
    /// [B, N, Dh/2]). Runs in float32 (bfloat16/half inputs are widened for the product and rounded back once, where
    /// <see cref="Apply"/> rounds each partial product to x's dtype). The result has x's dtype, or
    /// <paramref name="outputType"/> when given (e.g. a float32 x from <see cref="Layers.RmsNorm.Normalize"/>'s float32
    /// output, rounded to bfloat16 once here instead of once after the norm and once after the rotation).</summary>
    public static Tensor Rotate(Tensor x, Tensor cos, Tensor sin, ScalarType? outputType = null)
    {
        long d = x.shape[^1];
        var table = torch.complex(cos.to(ScalarType.Float32), sin.to(ScalarType.Float32));    // [B, N, Dh/2]
        for (long g = x.dim() - 2; g > 1; g--) table = table.unsqueeze(2);                      // [B, N, 1(, 1), Dh/2]
        var x32 = x.to(ScalarType.Float32);
        if (!x32.is_contiguous()) x32 = x32.contiguous();
        long[] pairs = [.. x.shape[..^1], d / 2, 2];
        var rotated = torch.view_as_real(torch.view_as_complex(x32.view(pairs)) * table);      // [..., Dh/2, 2]
        return rotated.view(x.shape).to(outputType ?? x.dtype);
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
