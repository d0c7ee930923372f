using ViTok.Layers;

namespace ViTok.Models.V2;

/// <summary>Multi-head self-attention of ViTok-v2 (mirrors <c>vitok/models/modules/attention.py</c>, SDPA path):
/// fused <c>qkv_proj</c> without bias (rows: Q, K, V, each head-major), per-head RMSNorm on q and k before 2-D RoPE,
/// softmax scale 1/√Dh, <c>out_proj</c> without bias. Padding is handled by masking keys only, so no query row is
/// ever fully masked. With <see cref="Window"/> &gt; 0 it is the reference's 1-D sliding window (flash-attn
/// <c>window_size=(sw, sw)</c> over the raster-order token sequence, see <see cref="SlidingWindow"/>).</summary>
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

    /// <summary>Sliding-window half-width sw in tokens (key j is visible to query i iff |i − j| ≤ sw); 0 (the
    /// default) is full attention, today's exact path. A window of N − 1 or more covers every key and takes the full
    /// path too.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative window.</exception>
    public int Window
    {
        get;
        set => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), "the attention window must be 0 (off) or positive.");
    }

    /// <summary>Attends over x [B, N, dim] with RoPE cos/sin [B, N, Dh/2] (<see cref="Rope2D.Frequencies"/>, made once
    /// per pass by the model) and an optional key mask [B, 1, 1, N] (true = real token, may be null when nothing is
    /// padded).</summary>
    /// <remarks>q and k are normalised and rotated together, as one [B, N, 2, H, Dh] view of the fused projection
    /// (each with its own norm scale), so each step is one kernel for both (the rotation one complex product,
    /// <see cref="Rope2D.Rotate"/>; in bfloat16 the normalised q and k stay float32 into the rotation and are rounded once); q, k and v reach the fused
    /// scaled-dot-product attention as strided [B, H, N, Dh] views of that buffer (no contiguous copies), and its
    /// [B, H, N, Dh] output is read back through a transpose view.</remarks>
    public override Tensor forward(Tensor x, Tensor cos, Tensor sin, Tensor? keyMask)
    {
        long b = x.shape[0], n = x.shape[1], c = x.shape[2];
        Tensor qkv;
        using (ComponentProfile.Time(ComponentProfile.AttentionProjections))
            qkv = qkv_proj.call(x).view(b, n, 3, _heads, _headDim);                                    // [B, N, 3, H, Dh]
        Tensor qk;
        using (ComponentProfile.Time(ComponentProfile.Rope))
        {
            var scales = torch.stack([norm_q.Weight, norm_k.Weight]).unsqueeze(1);                   // [2, 1, Dh]
            qk = Rope2D.Rotate(RmsNorm.Normalize(qkv.narrow(2, 0, 2), scales, norm_q.Eps, float32Output: true), cos, sin, qkv.dtype); // [B, N, 2, H, Dh]
        }
        Tensor o;
        using (ComponentProfile.Time(ComponentProfile.AttentionCore))
        {
            var q = qk.select(2, 0).transpose(1, 2);                                                  // [B, H, N, Dh] views
            var k = qk.select(2, 1).transpose(1, 2);
            var v = qkv.select(2, 2).transpose(1, 2);
            o = (Window > 0 && Window < n - 1
                ? SlidingWindow(q, k, v, keyMask?.squeeze(1).squeeze(1), Window)
                : F.scaled_dot_product_attention(q, k, v, keyMask))                                   // [B, H, N, Dh]
                .transpose(1, 2).reshape(b, n, c);
        }
        using (ComponentProfile.Time(ComponentProfile.AttentionProjections))
            return out_proj.call(o);
    }

    /// <summary>1-D sliding-window attention in bounded memory: q, k, v [B, H, N, Dh] → [B, H, N, Dh]; key j is visible
    /// to query i iff |i − j| ≤ <paramref name="window"/> (flash-attn <c>window_size=(sw, sw)</c>) and j is a real
    /// token of <paramref name="valid"/> [B, N] (null: none padded). Queries are taken in blocks of
    /// <paramref name="block"/> (default max(sw, 64)); a block [s, e) attends only to keys [s − sw, e + sw), so the
    /// scores of one block, B·H·block·(block + 2sw), are the largest temporary: O(N·sw) work and memory instead of N².
    /// Equal to full attention with the band ∧ key mask for every real query. A padded query also sees itself, so no
    /// row is ever empty (its output is discarded by the model; padded keys never reach a real query).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A window or block below 1.</exception>
    public static Tensor SlidingWindow(Tensor q, Tensor k, Tensor v, Tensor? valid, int window, int block = 0)
    {
        if (window < 1) throw new ArgumentOutOfRangeException(nameof(window), "the window must be at least 1.");
        if (block < 0) throw new ArgumentOutOfRangeException(nameof(block), "the block must be positive (0: the default).");
        long n = q.shape[2], blk = block > 0 ? block : Math.Max(window, 64);
        using var scope = torch.NewDisposeScope();
        var output = torch.empty_like(q);                                                                                // [B, H, N, Dh]
        for (long s = 0; s < n; s += blk)
        {
            using var blockScope = torch.NewDisposeScope();
            long e = Math.Min(n, s + blk), ks = Math.Max(0, s - window), ke = Math.Min(n, e + window);
            var qi = torch.arange(Scalars.Of(s), Scalars.Of(e), Scalars.One, ScalarType.Int64, q.device).unsqueeze(1);    // [bq, 1]
            var kj = torch.arange(Scalars.Of(ks), Scalars.Of(ke), Scalars.One, ScalarType.Int64, q.device).unsqueeze(0);  // [1, bk]
            var mask = qi.sub(kj).abs().le(Scalars.Of(window));                                                          // [bq, bk]
            if (valid is not null)
                mask = mask.logical_and(valid.narrow(1, ks, ke - ks).unsqueeze(1).unsqueeze(1).logical_or(qi.eq(kj)));   // [B, 1, bq, bk]
            var o = F.scaled_dot_product_attention(q.narrow(2, s, e - s), k.narrow(2, ks, ke - ks), v.narrow(2, ks, ke - ks), mask);
            output.narrow(2, s, e - s).copy_(o);
        }
        return output.MoveToOuterDisposeScope();
    }
}
