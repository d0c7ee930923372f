namespace ViTok.Export;

/// <summary>Emitters shared by both families: each adds the nodes of one layer to an <see cref="OnnxGraph"/> and
/// mirrors that layer's TorchSharp forward (Linear, LayerNorm, RMSNorm, SiLU, pairwise RoPE rotation, scaled
/// dot-product attention), reading weights by their state-dict keys.</summary>
public static class OnnxOps
{
    /// <summary><c>nn.Linear</c> at <paramref name="prefix"/>: x @ weightᵀ (+ bias). x [..., in] → [..., out].</summary>
    public static string Linear(OnnxGraph g, string x, IReadOnlyDictionary<string, Tensor> sd, string prefix)
    {
        using var wt = sd[prefix + "weight"].t();
        var y = g.Op("MatMul", [x, g.Weight(prefix + "weight_t", wt)]);
        return sd.TryGetValue(prefix + "bias", out var b) ? g.Op("Add", [y, g.Weight(prefix + "bias", b)]) : y;
    }

    /// <summary><c>nn.LayerNorm</c> over the last dimension with the affine weights at <paramref name="prefix"/>.</summary>
    public static string LayerNorm(OnnxGraph g, string x, IReadOnlyDictionary<string, Tensor> sd, string prefix, double eps) =>
        g.Op("LayerNormalization", [x, g.Weight(prefix + "weight", sd[prefix + "weight"]), g.Weight(prefix + "bias", sd[prefix + "bias"])],
             OnnxAttribute.Of("axis", -1L), OnnxAttribute.Of("epsilon", (float)eps));

    /// <summary>Affine-free LayerNorm over the last dimension (<paramref name="dim"/> features).</summary>
    public static string LayerNormNoAffine(OnnxGraph g, string x, int dim, double eps) =>
        g.Op("LayerNormalization", [x, g.Floats([.. Enumerable.Repeat(1f, dim)], dim), g.Floats(new float[dim], dim)],
             OnnxAttribute.Of("axis", -1L), OnnxAttribute.Of("epsilon", (float)eps));

    /// <summary><c>Layers.RmsNorm</c> at <paramref name="prefix"/>: x · 1/√(mean(x²) + eps) · weight.</summary>
    public static string RmsNorm(OnnxGraph g, string x, IReadOnlyDictionary<string, Tensor> sd, string prefix, double eps)
    {
        var ms = ReduceMeanLast(g, g.Op("Mul", [x, x]));
        var inv = g.Op("Reciprocal", [g.Op("Sqrt", [g.Op("Add", [ms, g.Scalar((float)eps)])])]);
        return g.Op("Mul", [g.Op("Mul", [x, inv]), g.Weight(prefix + "weight", sd[prefix + "weight"])]);
    }

    /// <summary>Mean over the last axis, keeping it (ReduceMean's axes are an attribute before opset 18, an input from 18).</summary>
    public static string ReduceMeanLast(OnnxGraph g, string x) => g.Opset < 18
        ? g.Op("ReduceMean", [x], OnnxAttribute.Of("axes", [-1L]), OnnxAttribute.Of("keepdims", 1L))
        : g.Op("ReduceMean", [x, g.Ints(-1)], OnnxAttribute.Of("keepdims", 1L));

    /// <summary>SiLU: x · sigmoid(x).</summary>
    public static string Silu(OnnxGraph g, string x) => g.Op("Mul", [x, g.Op("Sigmoid", [x])]);

    /// <summary>Size of dimension <paramref name="axis"/> of <paramref name="x"/> as an int64 tensor [1].</summary>
    public static string Dim(OnnxGraph g, string x, int axis) =>
        g.Op("Shape", [x], OnnxAttribute.Of("start", (long)axis), OnnxAttribute.Of("end", (long)axis + 1));

    /// <summary>Concatenates 1-D int64 pieces into a shape.</summary>
    public static string Shape(OnnxGraph g, params string[] parts) => g.Op("Concat", parts, OnnxAttribute.Of("axis", 0L));

    /// <summary>Splits the last axis into the given sizes.</summary>
    public static string[] SplitLast(OnnxGraph g, string x, params long[] sizes) =>
        g.OpN("Split", sizes.Length, [x, g.Ints(sizes)], OnnxAttribute.Of("axis", -1L));

    /// <summary>Rotates the interleaved pairs (2i, 2i+1) of x [d0, d1, d2, Dh] by angles whose cos/sin broadcast
    /// against [d0, d1, d2, Dh/2, 1]: (x₀cos − x₁sin, x₀sin + x₁cos) (Rope3D.Apply / Rope2D.Apply).</summary>
    public static string RotatePairs(OnnxGraph g, string x, string cos, string sin)
    {
        var pairs = g.Op("Reshape", [x, g.Ints(0, 0, 0, -1, 2)]);                           // [.., Dh/2, 2]
        var xs = SplitLast(g, pairs, 1, 1);                                                   // x0, x1 [.., Dh/2, 1]
        var r0 = g.Op("Sub", [g.Op("Mul", [xs[0], cos]), g.Op("Mul", [xs[1], sin])]);
        var r1 = g.Op("Add", [g.Op("Mul", [xs[0], sin]), g.Op("Mul", [xs[1], cos])]);
        var stacked = g.Op("Concat", [r0, r1], OnnxAttribute.Of("axis", -1L));                // [.., Dh/2, 2]
        return g.Op("Reshape", [stacked, g.Ints(0, 0, 0, -1)]);                             // [.., Dh]
    }

    /// <summary>Scaled dot-product attention of q, k, v [B, H, N, Dh] with scale 1/√Dh and an optional additive key
    /// bias [B, 1, 1, N] (0 for real keys, −∞ for padding): softmax(q·kᵀ·scale + bias)·v → [B, H, N, Dh].</summary>
    public static string Attention(OnnxGraph g, string q, string k, string v, long headDim, string? keyBias)
    {
        var kt = g.Op("Transpose", [k], OnnxAttribute.Of("perm", 0L, 1, 3, 2));
        var scores = g.Op("Mul", [g.Op("MatMul", [q, kt]), g.Scalar((float)(1.0 / Math.Sqrt(headDim)))]);
        if (keyBias is not null) scores = g.Op("Add", [scores, keyBias]);
        return g.Op("MatMul", [g.Op("Softmax", [scores], OnnxAttribute.Of("axis", -1L)), v]);
    }
}
