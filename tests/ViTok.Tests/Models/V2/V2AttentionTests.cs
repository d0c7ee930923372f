using ViTok.Layers;
using ViTok.Models.V2;

namespace ViTok.Tests.Layers;

[Collection(Support.TorchCollection.Name)]
public sealed class V2AttentionTests
{
    [Fact]
    public void Forward_MatchesNaiveSoftmaxAttention()
    {
        // Arrange
        torch.manual_seed(31);
        var attn = new V2Attention(32, 4);
        var p = attn.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter);
        using (torch.no_grad())
        {
            p["norm_q.weight"].copy_(torch.rand(8) + 0.5);
            p["norm_k.weight"].copy_(torch.rand(8) + 0.5);
        }
        var x = torch.randn(2, 6, 32);
        var row = torch.randint(0, 4, [2, 6]);
        var col = torch.randint(0, 4, [2, 6]);
        var (cos, sin) = Rope2D.Frequencies(row, col, 8);

        // Act
        var y = attn.call(x, cos, sin, null);

        // Assert: softmax(QKᵀ/√Dh)V with the same projections, norms and RoPE written out.
        var qkv = x.matmul(p["qkv_proj.weight"].t()).reshape(2, 6, 3, 4, 8);
        Tensor Norm(Tensor t, Tensor w) => t * torch.rsqrt(t.square().mean([-1], keepdim: true) + 1e-6) * w;
        var q = Rope2D.Apply(Norm(qkv[.., .., 0], p["norm_q.weight"]), cos, sin).transpose(1, 2);
        var k = Rope2D.Apply(Norm(qkv[.., .., 1], p["norm_k.weight"]), cos, sin).transpose(1, 2);
        var v = qkv[.., .., 2].transpose(1, 2);
        var o = (q.matmul(k.transpose(-1, -2)) / Math.Sqrt(8)).softmax(-1).matmul(v);
        var expected = o.transpose(1, 2).reshape(2, 6, 32).matmul(p["out_proj.weight"].t());
        Assert.True((y - expected).abs().max().item<float>() < 1e-5);
    }

    [Fact]
    public void Forward_PaddedKeysDoNotChangeRealTokens()
    {
        // Arrange: 4 real tokens then 3 padding tokens filled with large noise.
        torch.manual_seed(32);
        var attn = new V2Attention(16, 2);
        var real = torch.randn(1, 4, 16);
        var padded = torch.cat([real, torch.randn(1, 3, 16) * 50], 1);
        var mask = torch.tensor(new[] { true, true, true, true, false, false, false }).reshape(1, 1, 1, 7);
        var row = torch.tensor(new long[] { 0, 0, 1, 1, 0, 0, 0 }).reshape(1, 7);
        var col = torch.tensor(new long[] { 0, 1, 0, 1, 0, 0, 0 }).reshape(1, 7);
        var (cos, sin) = Rope2D.Frequencies(row, col, 8);

        // Act
        var alone = attn.call(real, cos[.., ..4], sin[.., ..4], null);
        var inBatch = attn.call(padded, cos, sin, mask);

        // Assert
        Assert.True((alone - inBatch[.., ..4]).abs().max().item<float>() < 1e-6);
        Assert.False(inBatch.isnan().any().item<bool>());
    }
}
