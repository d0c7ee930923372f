using ViTok.Layers;

namespace ViTok.Tests.Layers;

[Collection(Support.TorchCollection.Name)]
public sealed class RmsNormTests
{
    [Fact]
    public void Forward_MatchesFormula()
    {
        // Arrange
        torch.manual_seed(11);
        var norm = new RmsNorm(8);
        var w = torch.randn(8);
        using (torch.no_grad()) norm.parameters().Single().copy_(w);
        var x = torch.randn(2, 5, 8) * 3;

        // Act
        var y = norm.call(x);

        // Assert: y = x / sqrt(mean(x²) + 1e-6) · w, computed element by element in double.
        var xd = x.to(ScalarType.Float64).data<double>().ToArray();
        var wd = w.to(ScalarType.Float64).data<double>().ToArray();
        var yd = y.to(ScalarType.Float64).data<double>().ToArray();
        for (int r = 0; r < 10; r++)
        {
            double ms = 0;
            for (int i = 0; i < 8; i++) ms += xd[r * 8 + i] * xd[r * 8 + i];
            double inv = 1 / Math.Sqrt(ms / 8 + 1e-6);
            for (int i = 0; i < 8; i++)
                Assert.True(Math.Abs(yd[r * 8 + i] - xd[r * 8 + i] * inv * wd[i]) < 1e-5, $"row {r} col {i}");
        }
    }

    [Fact]
    public void Forward_BFloat16Input_ComputesInFloat32AndCastsBack()
    {
        // Arrange
        torch.manual_seed(12);
        var norm = new RmsNorm(16, dtype: ScalarType.BFloat16);
        var x = (torch.randn(4, 16) * 100).to(ScalarType.BFloat16);

        // Act
        var y = norm.call(x);

        // Assert: same as the float32 computation rounded once to bf16.
        var x32 = x.to(ScalarType.Float32);
        var expected = (x32 * torch.rsqrt(x32.square().mean([-1], keepdim: true) + 1e-6)).to(ScalarType.BFloat16);
        Assert.Equal(ScalarType.BFloat16, y.dtype);
        Assert.True(y.equal(expected).all().item<bool>());
    }

    [Fact]
    public void Normalize_WithGroupScales_EqualsOneNormPerGroup()
    {
        // Arrange: q and k heads side by side [B, N, 2, H, Dh], each group with its own scale
        torch.manual_seed(13);
        var x = torch.randn([2, 3, 2, 4, 8]) * 2;
        var wq = torch.rand(8) + 0.5;
        var wk = torch.rand(8) + 0.5;

        // Act
        var y = RmsNorm.Normalize(x, torch.stack([wq, wk]).unsqueeze(1), 1e-6);

        // Assert
        Assert.True((y.select(2, 0) - RmsNorm.Normalize(x.select(2, 0), wq, 1e-6)).abs().max().item<float>() < 1e-6);
        Assert.True((y.select(2, 1) - RmsNorm.Normalize(x.select(2, 1), wk, 1e-6)).abs().max().item<float>() < 1e-6);
    }

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.BFloat16)]
    public void Normalize_WithoutAutograd_IsBitForBitTheDifferentiableResult_AndLeavesItsInputAlone(ScalarType dtype)
    {
        // Arrange
        torch.manual_seed(14);
        var x = (torch.randn(3, 7, 32) * 5).to(dtype);
        var w = (torch.rand(32) + 0.5).to(dtype);
        var before = x.clone();

        // Act: inference scales in place, training builds new tensors
        Tensor withGrad = RmsNorm.Normalize(x, w, 1e-6), withGrad32 = RmsNorm.Normalize(x, w, 1e-6, float32Output: true);
        Tensor inference, inference32;
        using (torch.no_grad())
        {
            inference = RmsNorm.Normalize(x, w, 1e-6);
            inference32 = RmsNorm.Normalize(x, w, 1e-6, float32Output: true);
        }

        // Assert
        Assert.True(inference.equal(withGrad).all().item<bool>());
        Assert.True(inference32.equal(withGrad32).all().item<bool>());
        Assert.True(x.equal(before).all().item<bool>());
    }
}
