using ViTok.Layers;
using ViTok.Models.V2;

namespace ViTok.Tests.Layers;

[Collection(Support.TorchCollection.Name)]
public sealed class Rope2DTests
{
    [Fact]
    public void Apply_MatchesHandComputedRotation()
    {
        // Arrange: head dim 8 → 2 frequencies per axis: ω = 1 and 1/√10000 = 0.01.
        // Pairs (0,1), (2,3) turn by row·ω0, row·ω1; pairs (4,5), (6,7) by col·ω0, col·ω1.
        torch.manual_seed(21);
        const long dh = 8;
        var row = torch.tensor(new long[] { 0, 2, 5 }).reshape(1, 3);
        var col = torch.tensor(new long[] { 0, 3, 1 }).reshape(1, 3);
        var x = torch.randn(1, 3, 2, dh); // [B, N, H, Dh]

        // Act
        var (cos, sin) = Rope2D.Frequencies(row, col, dh);
        var y = Rope2D.Apply(x, cos, sin);

        // Assert
        double[] omega = [1.0, 0.01];
        var xs = x.to(ScalarType.Float64).data<double>().ToArray();
        var ys = y.to(ScalarType.Float64).data<double>().ToArray();
        long[] rows = [0, 2, 5], cols = [0, 3, 1];
        for (int n = 0; n < 3; n++)
            for (int h = 0; h < 2; h++)
                for (int pair = 0; pair < 4; pair++)
                {
                    double angle = (pair < 2 ? rows[n] : cols[n]) * omega[pair % 2];
                    int o = (n * 2 + h) * (int)dh + 2 * pair;
                    double a = xs[o], b = xs[o + 1];
                    Assert.True(Math.Abs(ys[o] - (a * Math.Cos(angle) - b * Math.Sin(angle))) < 1e-5, $"n{n} h{h} pair{pair} re");
                    Assert.True(Math.Abs(ys[o + 1] - (a * Math.Sin(angle) + b * Math.Cos(angle))) < 1e-5, $"n{n} h{h} pair{pair} im");
                }
    }

    [Fact]
    public void Frequencies_LayoutIsRowHalfThenColumnHalf()
    {
        // Act
        var (cos, sin) = Rope2D.Frequencies(torch.tensor(new long[] { 3 }).reshape(1, 1), torch.tensor(new long[] { 7 }).reshape(1, 1), 16);

        // Assert: Dh/2 = 8 angles: row·θ^(-k/4) for k = 0..3, then col·θ^(-k/4).
        var s = sin.to(ScalarType.Float64).data<double>().ToArray();
        Assert.Equal(8, s.Length);
        for (int k = 0; k < 4; k++)
        {
            double w = Math.Pow(10000, -2.0 * k / 8);
            Assert.True(Math.Abs(s[k] - Math.Sin(3 * w)) < 1e-5, $"row k{k}");
            Assert.True(Math.Abs(s[4 + k] - Math.Sin(7 * w)) < 1e-5, $"col k{k}");
        }
    }

    [Fact]
    public void Frequencies_HeadDimNotDivisibleBy4_Throws()
    {
        var p = torch.zeros(1, 1, ScalarType.Int64);
        Assert.Throws<ArgumentException>(() => Rope2D.Frequencies(p, p, 6));
    }

    [Fact]
    public void Rotate_EqualsApply_ForHeadsAndForQkGroups()
    {
        // Arrange
        torch.manual_seed(22);
        var row = torch.randint(0, 9, [2, 5]);
        var col = torch.randint(0, 9, [2, 5]);
        var (cos, sin) = Rope2D.Frequencies(row, col, 16);
        var x = torch.randn([2, 5, 3, 16]);      // [B, N, H, Dh]
        var qk = torch.randn([2, 5, 2, 3, 16]);  // [B, N, 2, H, Dh]

        // Act
        var y = Rope2D.Rotate(x, cos, sin);
        var yq = Rope2D.Rotate(qk, cos, sin);
        var yb = Rope2D.Rotate(x.to(ScalarType.BFloat16), cos, sin);

        // Assert
        Assert.Equal(ScalarType.BFloat16, yb.dtype);
        Assert.True((yb.to(ScalarType.Float32) - Rope2D.Apply(x.to(ScalarType.BFloat16), cos, sin).to(ScalarType.Float32)).abs().max().item<float>() < 0.05);
        Assert.True((y - Rope2D.Apply(x, cos, sin)).abs().max().item<float>() < 1e-6);
        Assert.True((yq.select(2, 0) - Rope2D.Apply(qk.select(2, 0), cos, sin)).abs().max().item<float>() < 1e-6);
        Assert.True((yq.select(2, 1) - Rope2D.Apply(qk.select(2, 1), cos, sin)).abs().max().item<float>() < 1e-6);
    }

    [Fact]
    public void NormThenRotate_Bf16_RoundsOnceAtTheEnd()
    {
        // Arrange: bf16 q/k groups as the attention sees them
        torch.manual_seed(23);
        var row = torch.randint(0, 9, [2, 5]);
        var col = torch.randint(0, 9, [2, 5]);
        var (cos, sin) = Rope2D.Frequencies(row, col, 16);
        var qk = (torch.randn([2, 5, 2, 3, 16]) * 4).to(ScalarType.BFloat16);
        var scales = (torch.rand([2, 1, 16]) + 0.5).to(ScalarType.BFloat16);

        // Act: the attention's path (norm kept float32 into the rotation) and the two-rounding path
        var norm32 = RmsNorm.Normalize(qk, scales, 1e-6, float32Output: true);
        var once = Rope2D.Rotate(norm32, cos, sin, ScalarType.BFloat16);
        var twice = Rope2D.Rotate(RmsNorm.Normalize(qk, scales, 1e-6), cos, sin);

        // Assert: the float32 output is the bf16 output before its rounding, and the fused path is the exact float32
        // norm + rotation rounded once to bf16 (bit for bit), never further from it than the two-rounding path
        Assert.Equal(ScalarType.Float32, norm32.dtype);
        Assert.True(norm32.to(ScalarType.BFloat16).equal(RmsNorm.Normalize(qk, scales, 1e-6)).all().item<bool>());
        var exact = Rope2D.Rotate(RmsNorm.Normalize(qk.to(ScalarType.Float32), scales.to(ScalarType.Float32), 1e-6), cos, sin);
        Assert.Equal(ScalarType.BFloat16, once.dtype);
        Assert.True(once.equal(exact.to(ScalarType.BFloat16)).all().item<bool>());
        var errOnce = (once.to(ScalarType.Float32) - exact).abs().sum().item<float>();
        var errTwice = (twice.to(ScalarType.Float32) - exact).abs().sum().item<float>();
        Assert.True(errOnce < errTwice, $"one rounding {errOnce} vs two {errTwice}");
    }
}
