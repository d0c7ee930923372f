using ViTok.Layers;

namespace ViTok.Models.V2;

/// <summary>Multi-head self-attention of ViTok-v2 (mirrors <c>vitok/models/modules/attention.py</c>, SDPA path):
/// fused <c>qkv_proj</c> without bias (rows: Q, K, V, each head-major), per-head RMSNorm on q and k before 2-D RoPE,
/// softmax scale 1/√Dh, <c>out_proj</c> without bias. Padding is handled by masking keys only, so no query row is
/// ever fully masked.</summary>
public sealed class V2Attention : nn.Module<Tensor, Tensor, Tensor, Tensor?, Tensor>
{
    private readonly RmsNorm norm_q;
    private readonly RmsNorm norm_k;
    private readonly Linear qkv_proj;
    private readonly Linear out_proj;
    private readonly long _heads;
    private readonly long _headDim;

    /// <summary>Creates the attention for <paramref name="dim"/> features split into <paramref name="heads"/> heads.</summary>
    public V2Attention(long dim, long heads, Device? device = null, ScalarType? dtype = null) : base(nameof(V2Attention))
    {
        if (dim % heads != 0)
            throw new ArgumentException($"width {dim} is not divisible by {heads} heads.");
        _heads = heads;
        _headDim = dim / heads;
        norm_q = new RmsNorm(_headDim, 1e-6, device, dtype);
        norm_k = new RmsNorm(_headDim, 1e-6, device, dtype);
        qkv_proj = nn.Linear(dim, 3 * dim, hasBias: false, device: device, dtype: dtype);
        out_proj = nn.Linear(dim, dim, hasBias: false, device: device, dtype: dtype);
        RegisterComponents();
    }

    /// <summary>Attends over x [B, N, dim] with RoPE cos/sin [B, N, Dh/2] and an optional key mask [B, 1, 1, N]
    /// (true = real token, may be null when nothing is padded).</summary>
    public override Tensor forward(Tensor x, Tensor cos, Tensor sin, Tensor? keyMask)
    {
        long b = x.shape[0], n = x.shape[1], c = x.shape[2];
        var qkv = qkv_proj.call(x).reshape(b, n, 3, _heads, _headDim).unbind(2); // 3 × [B, N, H, Dh]
        var q = Rope2D.Apply(norm_q.call(qkv[0]), cos, sin);
        var k = Rope2D.Apply(norm_k.call(qkv[1]), cos, sin);
        var v = qkv[2];
        var o = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), keyMask); // [B, H, N, Dh]
        return out_proj.call(o.transpose(1, 2).reshape(b, n, c));
    }
}
