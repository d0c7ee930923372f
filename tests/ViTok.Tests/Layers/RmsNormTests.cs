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
}
