using ViTok.Layers;
using ViTok.Models.Paper;
using static ViTok.Export.OnnxOps;

namespace ViTok.Export;

/// <summary>ONNX graphs of the paper family (<see cref="PaperAutoencoder"/>), one emitter per module mirroring its
/// forward. Encoder: <c>pixels</c> [batch, 3, frames, height, width] in [-1, 1] → Conv3d tubelets → 3D-RoPE
/// transformer (LayerNorm, gated MLP) → <c>mean</c>, <c>logvar</c> [batch, grid_t, grid_h, grid_w, c] (the posterior;
/// the deterministic latent is the mean, grid = (T/q, H/p, W/p)). Decoder: <c>z</c> [batch, grid_t, grid_h, grid_w, c]
/// → <c>pixels</c> [batch, 3, grid_t·q, grid_h·p, grid_w·p]. The 3D RoPE angles are computed in the graph from the
/// grid, so every axis but the channels is dynamic.</summary>
public static class PaperOnnx
{
    /// <summary>The encoder graph.</summary>
    public static OnnxGraph Encoder(PaperAutoencoder model, int opset)
    {
        var c = model.Config;
        var sd = model.state_dict();
        var g = new OnnxGraph("vitok_paper_encoder", opset);
        var pixels = g.Input("pixels", OnnxDataType.Float, "batch", 3, "frames", "height", "width");
        var grid = TubeletEmbed(g, pixels, sd, c, out var tokens);                           // tokens [B, L, W_enc]
        var (cos, sin) = Rope(g, grid, c.EncoderWidth / c.EncoderHeads, c.RopeTheta);
        var x = Transformer(g, tokens, sd, "encoder.", c.EncoderDepth, c.EncoderHeads, c.EncoderWidth / c.EncoderHeads, c.NormEps, cos, sin);
        var moments = SplitLast(g, Linear(g, x, sd, "encoder_to_code."), c.Channels, c.Channels);   // mean, logvar [B, L, c]
        var logVar = g.Op("Clip", [moments[1], g.Scalar((float)c.LogVarMin), g.Scalar((float)c.LogVarMax)]);
        var shape = Shape(g, grid.B, grid.T, grid.H, grid.W, g.Ints(c.Channels));
        g.Output(g.Op("Reshape", [moments[0], shape]), "mean", OnnxDataType.Float, "batch", "grid_t", "grid_h", "grid_w", c.Channels);
        g.Output(g.Op("Reshape", [logVar, shape]), "logvar", OnnxDataType.Float, "batch", "grid_t", "grid_h", "grid_w", c.Channels);
        return g;
    }

    /// <summary>The decoder graph.</summary>
    public static OnnxGraph Decoder(PaperAutoencoder model, int opset)
    {
        var c = model.Config;
        var sd = model.state_dict();
        var g = new OnnxGraph("vitok_paper_decoder", opset);
        var z = g.Input("z", OnnxDataType.Float, "batch", "grid_t", "grid_h", "grid_w", c.Channels);
        var grid = new Grid(Dim(g, z, 0), Dim(g, z, 1), Dim(g, z, 2), Dim(g, z, 3));
        var (cos, sin) = Rope(g, grid, c.DecoderWidth / c.DecoderHeads, c.RopeTheta);
        var x = Linear(g, g.Op("Reshape", [z, g.Ints(0, -1, c.Channels)]), sd, "code_to_decoder.");    // [B, L, W_dec]
        x = Transformer(g, x, sd, "decoder.", c.DecoderDepth, c.DecoderHeads, c.DecoderWidth / c.DecoderHeads, c.NormEps, cos, sin);
        g.Output(TubeletDecode(g, x, sd, c, grid), "pixels", OnnxDataType.Float, "batch", 3, "frames", "height", "width");
        return g;
    }

    private sealed record Grid(string B, string T, string H, string W);

    // TubeletEmbed: Conv3d(3 → W, kernel = stride = (q, p, p)), flattened to tokens in raster order (t, row, col).
    private static Grid TubeletEmbed(OnnxGraph g, string pixels, IReadOnlyDictionary<string, Tensor> sd, PaperConfig c, out string tokens)
    {
        long q = c.TubeletSize, p = c.PatchSize;
        var conv = g.Op("Conv", [pixels, g.Weight("tubelet_embed.proj.weight", sd["tubelet_embed.proj.weight"]),
                                 g.Weight("tubelet_embed.proj.bias", sd["tubelet_embed.proj.bias"])],
                        OnnxAttribute.Of("kernel_shape", q, p, p), OnnxAttribute.Of("strides", q, p, p));      // [B, W, t, h, w]
        tokens = g.Op("Transpose", [g.Op("Reshape", [conv, g.Ints(0, 0, -1)])], OnnxAttribute.Of("perm", 0L, 2, 1));  // [B, L, W]
        return new Grid(Dim(g, conv, 0), Dim(g, conv, 2), Dim(g, conv, 3), Dim(g, conv, 4));
    }

    // TubeletDecode: ConvTranspose3d with kernel = stride = (q, p, p) never overlaps, so it is exactly a per-token
    // Linear(W → 3·q·p·p) (kernel [W, 3, q, p, p] viewed as [W, 3qpp], bias repeated per kernel cell) followed by a
    // pixel shuffle: [B, t, h, w, 3, q, p, p] → [B, 3, t, q, h, p, w, p] → [B, 3, T, H, W].
    private static string TubeletDecode(OnnxGraph g, string x, IReadOnlyDictionary<string, Tensor> sd, PaperConfig c, Grid grid)
    {
        long q = c.TubeletSize, p = c.PatchSize, cell = q * p * p;
        var w = sd["tubelet_decode.proj.weight"];
        using var kernel = w.reshape(w.shape[0], 3 * cell);
        using var bias = sd["tubelet_decode.proj.bias"].repeat_interleave(cell);
        var y = g.Op("Add", [g.Op("MatMul", [x, g.Weight("tubelet_decode.kernel", kernel)]), g.Weight("tubelet_decode.bias", bias)]); // [B, L, 3qpp]
        var cells = g.Op("Reshape", [y, Shape(g, grid.B, grid.T, grid.H, grid.W, g.Ints(3, q, p, p))]);
        var shuffled = g.Op("Transpose", [cells], OnnxAttribute.Of("perm", 0L, 4, 1, 5, 2, 6, 3, 7));
        var full = Shape(g, grid.B, g.Ints(3), g.Op("Mul", [grid.T, g.Ints(q)]), g.Op("Mul", [grid.H, g.Ints(p)]), g.Op("Mul", [grid.W, g.Ints(p)]));
        return g.Op("Reshape", [shuffled, full]);
    }

    // Rope3D.GridPositions + Angles: token i of the (t, h, w) grid sits at (i / (h·w), (i / w) mod h, i mod w); each
    // axis part is pos · θ^(−2k/d). Returns cos/sin [L, Dh/2, 1] (broadcast over [B, H, L, Dh/2, 1]).
    private static (string Cos, string Sin) Rope(OnnxGraph g, Grid grid, int headDim, double theta)
    {
        var hw = g.Op("Mul", [grid.H, grid.W]);
        var count = g.Op("Squeeze", [g.Op("Mul", [grid.T, hw]), g.Ints(0)]);
        var idx = g.Op("Range", [g.Scalar(0L), count, g.Scalar(1L)]);                                     // [L]
        string[] pos =
        [
            g.Op("Div", [idx, hw]),
            g.Op("Mod", [g.Op("Div", [idx, grid.W]), grid.H]),
            g.Op("Mod", [idx, grid.W]),
        ];
        var (dt, dh, dw) = Rope3D.AxisDims(headDim);
        int[] dims = [dt, dh, dw];
        var parts = new string[3];
        for (int a = 0; a < 3; a++)
        {
            var invFreq = Enumerable.Range(0, dims[a] / 2).Select(k => (float)Math.Pow(theta, -2.0 * k / dims[a])).ToArray();
            var p = g.Op("Unsqueeze", [g.Op("Cast", [pos[a]], OnnxAttribute.Of("to", (long)OnnxDataType.Float)), g.Ints(1)]);   // [L, 1]
            parts[a] = g.Op("Mul", [p, g.Floats(invFreq, invFreq.Length)]);                                                    // [L, d/2]
        }
        var angles = g.Op("Unsqueeze", [g.Op("Concat", parts, OnnxAttribute.Of("axis", 1L)), g.Ints(2)]);                     // [L, Dh/2, 1]
        return (g.Op("Cos", [angles]), g.Op("Sin", [angles]));
    }

    // PaperTransformer: blocks then the final LayerNorm.
    private static string Transformer(OnnxGraph g, string x, IReadOnlyDictionary<string, Tensor> sd, string prefix, int depth, int heads,
                                      int headDim, double eps, string cos, string sin)
    {
        for (int i = 0; i < depth; i++)
            x = Block(g, x, sd, $"{prefix}blocks.{i}.", heads, headDim, eps, cos, sin);
        return LayerNorm(g, x, sd, prefix + "norm.", eps);
    }

    // PaperBlock: x += attn(norm1(x)); x += mlp(norm2(x)).
    private static string Block(OnnxGraph g, string x, IReadOnlyDictionary<string, Tensor> sd, string prefix, int heads, int headDim,
                                double eps, string cos, string sin)
    {
        x = g.Op("Add", [x, Attention(g, LayerNorm(g, x, sd, prefix + "norm1.", eps), sd, prefix + "attn.", heads, headDim, cos, sin)]);
        return g.Op("Add", [x, GatedMlp(g, LayerNorm(g, x, sd, prefix + "norm2.", eps), sd, prefix + "mlp.")]);
    }

    // PaperAttention: fused qkv (no bias) → [3, B, H, N, Dh], RoPE on q and k, SDPA, proj.
    private static string Attention(OnnxGraph g, string x, IReadOnlyDictionary<string, Tensor> sd, string prefix, int heads, int headDim,
                                    string cos, string sin)
    {
        var qkv = g.Op("Reshape", [Linear(g, x, sd, prefix + "qkv."), g.Ints(0, 0, 3, heads, headDim)]);
        var parts = g.OpN("Split", 3, [g.Op("Transpose", [qkv], OnnxAttribute.Of("perm", 2L, 0, 3, 1, 4)), g.Ints(1, 1, 1)],
                          OnnxAttribute.Of("axis", 0L));                                                       // 3 × [1, B, H, N, Dh]
        var q = RotatePairs(g, g.Op("Squeeze", [parts[0], g.Ints(0)]), cos, sin);
        var k = RotatePairs(g, g.Op("Squeeze", [parts[1], g.Ints(0)]), cos, sin);
        var o = OnnxOps.Attention(g, q, k, g.Op("Squeeze", [parts[2], g.Ints(0)]), headDim, null);         // [B, H, N, Dh]
        var merged = g.Op("Reshape", [g.Op("Transpose", [o], OnnxAttribute.Of("perm", 0L, 2, 1, 3)), g.Ints(0, 0, -1)]);
        return Linear(g, merged, sd, prefix + "proj.");
    }

    // GatedMlp: fc3(silu(fc1·x) ⊙ fc2·x).
    private static string GatedMlp(OnnxGraph g, string x, IReadOnlyDictionary<string, Tensor> sd, string prefix) =>
        Linear(g, g.Op("Mul", [Silu(g, Linear(g, x, sd, prefix + "fc1.")), Linear(g, x, sd, prefix + "fc2.")]), sd, prefix + "fc3.");
}
