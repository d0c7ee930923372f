using ViTok.Models;
using ViTok.Models.V2;

namespace ViTok.Tests.Models.V2;

[Collection(Support.TorchCollection.Name)]
public sealed class V2WindowAttentionTests
{
    // softmax(QKᵀ/√Dh + mask)V written out with a full N×N mask: allowed[i, j] = |i − j| ≤ sw ∧ (valid_j ∨ i = j).
    private static Tensor Naive(Tensor q, Tensor k, Tensor v, Tensor? valid, int sw, bool selfForPadded = true)
    {
        long n = q.shape[2];
        var i = torch.arange(n).unsqueeze(1);
        var j = torch.arange(n).unsqueeze(0);
        var allowed = (i - j).abs() <= sw;                                                      // [N, N]
        if (valid is not null)
        {
            var keys = valid.unsqueeze(1).unsqueeze(1);                                          // [B, 1, 1, N]
            allowed = allowed & (selfForPadded ? keys | i.eq(j) : keys);
        }
        var scores = q.matmul(k.transpose(-1, -2)) / Math.Sqrt(q.shape[^1]);
        scores = scores.masked_fill(allowed.logical_not(), double.NegativeInfinity);
        return scores.softmax(-1).matmul(v);
    }

    [Theory]
    [InlineData(37, 1, 0)]
    [InlineData(37, 4, 0)]
    [InlineData(64, 5, 8)]
    [InlineData(100, 16, 0)]
    [InlineData(100, 7, 3)]
    [InlineData(130, 64, 0)]
    public void SlidingWindow_EqualsFullAttentionWithTheBandMask(int n, int sw, int block)
    {
        // Arrange
        torch.manual_seed(n * 100 + sw);
        var q = torch.randn(2, 3, n, 8);
        var k = torch.randn(2, 3, n, 8);
        var v = torch.randn(2, 3, n, 8);

        // Act
        var windowed = V2Attention.SlidingWindow(q, k, v, null, sw, block);

        // Assert
        Assert.Equal(new long[] { 2, 3, n, 8 }, windowed.shape);
        Assert.True((windowed - Naive(q, k, v, null, sw)).abs().max().item<float>() < 1e-5);
    }

    [Theory]
    [InlineData(50, 3, 0)]
    [InlineData(50, 6, 4)]
    [InlineData(90, 20, 0)]
    public void SlidingWindow_PaddedBatch_RealQueriesEqualBandAndKeyMask(int n, int sw, int block)
    {
        // Arrange: item 0 has 31 real tokens then padding (a padded tail longer than sw), item 1 none padded; the
        // padding carries large noise.
        torch.manual_seed(n + sw);
        var valid = torch.ones([2, n], ScalarType.Bool);
        valid[0, 31..] = torch.tensor(false);
        var q = torch.randn(2, 2, n, 8);
        var k = torch.randn(2, 2, n, 8);
        var v = torch.randn(2, 2, n, 8);
        var pad = valid.logical_not().unsqueeze(1).unsqueeze(-1);
        k = k.masked_fill(pad, 40.0);
        v = v.masked_fill(pad, -30.0);

        // Act
        var windowed = V2Attention.SlidingWindow(q, k, v, valid, sw, block);

        // Assert: every row equals the naive reference with the self rule, the real rows equal band ∧ key mask, and
        // nothing is NaN (a padded query far from any real key sees itself).
        Assert.True((windowed - Naive(q, k, v, valid, sw)).abs().max().item<float>() < 1e-5);
        var strict = Naive(q, k, v, valid, sw, selfForPadded: false);
        Assert.True((windowed[0, .., ..31] - strict[0, .., ..31]).abs().max().item<float>() < 1e-5);
        Assert.True((windowed[1] - strict[1]).abs().max().item<float>() < 1e-5);
        Assert.False(windowed.isnan().any().item<bool>());
    }

    [Fact]
    public void SlidingWindow_GradientsEqualTheNaiveBandMask()
    {
        // Arrange
        torch.manual_seed(77);
        var valid = torch.ones([1, 40], ScalarType.Bool);
        valid[0, 33..] = torch.tensor(false);
        Tensor[] Leaves() => [.. Enumerable.Range(0, 3).Select(_ => torch.randn(1, 2, 40, 8).requires_grad_(true))];
        var a = Leaves();
        var b = a.Select(t => t.detach().clone().requires_grad_(true)).ToArray();
        var weight = torch.randn(1, 2, 40, 8) * valid.unsqueeze(1).unsqueeze(-1);

        // Act
        (V2Attention.SlidingWindow(a[0], a[1], a[2], valid, 5, 7) * weight).sum().backward();
        (Naive(b[0], b[1], b[2], valid, 5) * weight).sum().backward();

        // Assert
        for (int i = 0; i < 3; i++)
            Assert.True((a[i].grad! - b[i].grad!).abs().max().item<float>() < 1e-5, $"gradient {i}");
    }

    [Fact]
    public void Model_WindowOff_IsBitIdentical_AndAWindowCoveringEverythingIsFullAttention()
    {
        // Arrange
        torch.manual_seed(5);
        using var model = new V2Autoencoder(V2Config.FromVariant("w32_d1_h2-w32_d1_h2/1x4x8"));
        IAutoencoder ae = model;
        var x = torch.rand(1, 3, 16, 20) * 2 - 1;                                                  // 4×5 = 20 tokens
        var reference = ae.Reconstruct(x);

        // Act
        ae.AttentionWindow = 19;
        var covering = ae.Reconstruct(x);
        ae.AttentionWindow = 2;
        var windowed = ae.Reconstruct(x);
        ae.AttentionWindow = 0;
        var off = ae.Reconstruct(x);

        // Assert
        Assert.True(ae.HasAttentionWindow);
        Assert.True(reference.equal(off).all().item<bool>());
        Assert.True(reference.equal(covering).all().item<bool>());
        Assert.True((reference - windowed).abs().max().item<float>() > 1e-6);
        Assert.True(windowed.isfinite().all().item<bool>());
    }

    [Fact]
    public void Model_PaddedBatchWithWindow_EqualsNaiveBandAttentionPerLayer()
    {
        // Arrange: one attention layer with a window, a padded batch of two items.
        torch.manual_seed(9);
        var attn = new V2Attention(16, 2) { Window = 3 };
        var x = torch.randn(2, 24, 16);
        var row = torch.arange(24).div(6, RoundingMode.floor).unsqueeze(0).expand(2, 24).contiguous();
        var col = torch.arange(24).remainder(6).unsqueeze(0).expand(2, 24).contiguous();
        var (cos, sin) = Rope2D.Frequencies(row, col, 8);
        var valid = torch.ones([2, 24], ScalarType.Bool);
        valid[1, 14..] = torch.tensor(false);

        // Act
        var y = attn.call(x, cos, sin, valid.unsqueeze(1).unsqueeze(1));
        attn.Window = 0;
        var full = attn.call(x, cos, sin, valid.unsqueeze(1).unsqueeze(1));

        // Assert: item 1's real tokens only see real tokens (same as alone), and the window changes the result.
        attn.Window = 3;
        var alone = attn.call(x[1..2, ..14], cos[1..2, ..14], sin[1..2, ..14], null);
        Assert.True((alone - y[1..2, ..14]).abs().max().item<float>() < 1e-5);
        Assert.True((full - y).abs().max().item<float>() > 1e-6);
    }

    [Fact]
    public void Window_OnAFamilyWithoutOne_IsAOneLineError()
    {
        // Arrange
        IAutoencoder paper = Autoencoders.Create("paper", "Sw32d2h2-Bw32d2h2/4", 4);
        using var _ = paper;

        // Act
        paper.AttentionWindow = 0;
        var e = Assert.Throws<ViTokException>(() => paper.AttentionWindow = 64);

        // Assert
        Assert.False(paper.HasAttentionWindow);
        Assert.Equal(0, paper.AttentionWindow);
        Assert.Contains("--window", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
