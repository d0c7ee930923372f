using ViTok.Models.V2;
using static ViTok.Export.OnnxOps;

namespace ViTok.Export;

/// <summary>ONNX graphs of ViTok-v2 (<see cref="V2Autoencoder"/>), one emitter per module mirroring its forward.
/// Both halves take the NaFlex layout: <c>patch_mask</c> [batch, tokens] bool (true = real token), <c>row_idx</c> and
/// <c>col_idx</c> [batch, tokens] int64 (grid coordinates of each token). Encoder: <c>patches</c> [batch, tokens, 3p²]
/// (channel-major per token, values in [-1, 1]) → <c>z</c> [batch, tokens, c] (affine-free LayerNorm'd latents,
/// padding rows 0). Decoder: <c>z</c> → <c>patches</c> [batch, tokens, 3p²] (padding rows 0). Padding keys are
/// masked with an additive −∞ bias; RoPE angles come from row_idx/col_idx in the graph.</summary>
public static class V2Onnx
{
    private const double NormEps = 1e-6;

    /// <summary>The encoder graph.</summary>
    /// <exception cref="ViTokException">When the model has no encoder.</exception>
    public static OnnxGraph Encoder(V2Autoencoder model, int opset)
    {
        if (!model.HasEncoder) throw new ViTokException($"variant {model.Config}: this model was loaded without its encoder; export --part decoder.");
        var c = model.Config;
        var sd = model.state_dict();
        var g = new OnnxGraph("vitok_v2_encoder", opset);
        var patches = g.Input("patches", OnnxDataType.Float, "batch", "tokens", c.PixelsPerToken);
        var layout = Layout(g, c.EncoderHeadDim, c.RopeTheta);
        var x = Linear(g, patches, sd, "patch_embed.");                                        // [B, N, W_enc]
        for (int i = 0; i < c.EncoderDepth; i++)
            x = Block(g, x, sd, $"encoder_blocks.{i}.", c.EncoderHeads, c.EncoderHeadDim, layout);
        var z = LayerNormNoAffine(g, Linear(g, x, sd, "to_code."), c.Channels, NormEps);       // [B, N, c]
        g.Output(ZeroPadding(g, z, layout), "z", OnnxDataType.Float, "batch", "tokens", c.Channels);
        return g;
    }

    /// <summary>The decoder graph.</summary>
    /// <exception cref="ViTokException">When the model has no decoder.</exception>
    public static OnnxGraph Decoder(V2Autoencoder model, int opset)
    {
        if (!model.HasDecoder) throw new ViTokException($"variant {model.Config}: this model was loaded without its decoder; export --part encoder.");
        var c = model.Config;
        var sd = model.state_dict();
        var g = new OnnxGraph("vitok_v2_decoder", opset);
        var z = g.Input("z", OnnxDataType.Float, "batch", "tokens", c.Channels);
        var layout = Layout(g, c.DecoderHeadDim, c.RopeTheta);
        var x = Linear(g, z, sd, "decoder_embed.");                                           // [B, N, W_dec]
        for (int i = 0; i < c.DecoderDepth; i++)
            x = Block(g, x, sd, $"decoder_blocks.{i}.", c.DecoderHeads, c.DecoderHeadDim, layout);
        g.Output(ZeroPadding(g, Linear(g, x, sd, "to_pixels."), layout), "patches", OnnxDataType.Float, "batch", "tokens", c.PixelsPerToken);
        return g;
    }

    private sealed record TokenLayout(string Mask, string KeyBias, string Cos, string Sin);

    // The mask inputs, the additive key bias [B, 1, 1, N] and Rope2D.Frequencies as cos/sin [B, N, 1, Dh/2, 1].
    private static TokenLayout Layout(OnnxGraph g, int headDim, double theta)
    {
        var mask = g.Input("patch_mask", OnnxDataType.Bool, "batch", "tokens");
        var row = g.Input("row_idx", OnnxDataType.Int64, "batch", "tokens");
        var col = g.Input("col_idx", OnnxDataType.Int64, "batch", "tokens");
        var keyBias = g.Op("Where", [g.Op("Unsqueeze", [mask, g.Ints(1, 2)]), g.Scalar(0f), g.Scalar(float.NegativeInfinity)]);
        float[] invFreq = InverseFrequencies(headDim, theta);
        string Angles(string idx) => g.Op("Mul", [g.Op("Unsqueeze", [g.Op("Cast", [idx], OnnxAttribute.Of("to", (long)OnnxDataType.Float)), g.Ints(-1)]),
                                                  g.Floats(invFreq, invFreq.Length)]);          // [B, N, Dh/4]
        string fy = Angles(row), fx = Angles(col);
        string Both(string op) => g.Op("Unsqueeze", [g.Op("Concat", [g.Op(op, [fy]), g.Op(op, [fx])], OnnxAttribute.Of("axis", -1L)), g.Ints(2, 4)]);
        return new TokenLayout(mask, keyBias, Both("Cos"), Both("Sin"));
    }

    // Rope2D's inverse frequencies, computed with the same float32 operations as the model.
    private static float[] InverseFrequencies(int headDim, double theta)
    {
        using var scope = torch.NewDisposeScope();
        long axisDim = headDim / 2;
        var exponents = torch.arange(Scalars.Of(0), Scalars.Of(axisDim), Scalars.Of(2), dtype: ScalarType.Int64).to(ScalarType.Float32).Over(axisDim);
        return torch.pow(torch.tensor((float)theta), exponents).reciprocal().data<float>().ToArray();
    }

    private static string ZeroPadding(OnnxGraph g, string x, TokenLayout layout) =>
        g.Op("Where", [g.Op("Unsqueeze", [layout.Mask, g.Ints(-1)]), x, g.Scalar(0f)]);

    // V2Block: x + γ · (Attn(RMSNorm(x)) + SwiGLU(RMSNorm(x))).
    private static string Block(OnnxGraph g, string x, IReadOnlyDictionary<string, Tensor> sd, string prefix, int heads, int headDim, TokenLayout layout)
    {
        var h = RmsNorm(g, x, sd, prefix + "norm1.", NormEps);
        var sum = g.Op("Add", [Attention(g, h, sd, prefix + "attn.", heads, headDim, layout), SwiGlu(g, h, sd, prefix + "ffn.")]);
        return g.Op("Add", [x, g.Op("Mul", [sum, g.Weight(prefix + "layer_scale.gamma", sd[prefix + "layer_scale.gamma"])])]);
    }

    // V2Attention: qkv_proj → 3 × [B, N, H, Dh]; RMSNorm then RoPE on q and k; masked SDPA; out_proj.
    private static string Attention(OnnxGraph g, string x, IReadOnlyDictionary<string, Tensor> sd, string prefix, int heads, int headDim, TokenLayout layout)
    {
        var qkv = g.Op("Reshape", [Linear(g, x, sd, prefix + "qkv_proj."), g.Ints(0, 0, 3, heads, headDim)]);
        var parts = g.OpN("Split", 3, [qkv, g.Ints(1, 1, 1)], OnnxAttribute.Of("axis", 2L));                 // 3 × [B, N, 1, H, Dh]
        string Head(int i) => g.Op("Squeeze", [parts[i], g.Ints(2)]);                                          // [B, N, H, Dh]
        string ToHeads(string t) => g.Op("Transpose", [t], OnnxAttribute.Of("perm", 0L, 2, 1, 3));            // [B, H, N, Dh]
        var q = RotatePairs(g, RmsNorm(g, Head(0), sd, prefix + "norm_q.", NormEps), layout.Cos, layout.Sin);
        var k = RotatePairs(g, RmsNorm(g, Head(1), sd, prefix + "norm_k.", NormEps), layout.Cos, layout.Sin);
        var o = OnnxOps.Attention(g, ToHeads(q), ToHeads(k), ToHeads(Head(2)), headDim, layout.KeyBias);
        return Linear(g, g.Op("Reshape", [ToHeads(o), g.Ints(0, 0, -1)]), sd, prefix + "out_proj.");
    }

    // SwiGlu: fc1 → (value, gate); fc2(silu(gate) · value).
    private static string SwiGlu(OnnxGraph g, string x, IReadOnlyDictionary<string, Tensor> sd, string prefix)
    {
        var hidden = sd[prefix + "fc2.weight"].shape[1];
        var vg = SplitLast(g, Linear(g, x, sd, prefix + "fc1."), hidden, hidden);
        return Linear(g, g.Op("Mul", [Silu(g, vg[1]), vg[0]]), sd, prefix + "fc2.");
    }
}
