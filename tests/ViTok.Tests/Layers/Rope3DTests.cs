using ViTok.Layers;
using ViTok.Tests.Support;

namespace ViTok.Tests.Layers;

[Collection(TorchCollection.Name)]
public class Rope3DTests
{
    [Theory]
    [InlineData(64, 24, 20, 20)]
    [InlineData(72, 24, 24, 24)]
    [InlineData(16, 8, 4, 4)]
    public void AxisSplitFollowsThePaperRule(int dh, int t, int h, int w)
    {
        Assert.Equal((t, h, w), Rope3D.AxisDims(dh));
    }

    [Fact]
    public void RotationMatchesHandComputation()
    {
        // Arrange: Dh = 12 → d_t = 4, d_h = d_w = 4; 6 pairs: 2 by t, 2 by row, 2 by col.
        torch.manual_seed(3);
        var x = torch.randn(1, 1, 1, 12);
        var pos = torch.tensor(new long[] { 2, 5, 7 }).reshape(1, 3);
        double theta = 10000.0;

        // Act
        var (cos, sin) = Rope3D.Angles(pos, 12, theta);
        var y = Rope3D.Apply(x, cos, sin);

        // Assert: pair i rotates by position(axis(i)) · θ^(−2k/d_axis).
        var xs = x.reshape(12).data<float>().ToArray();
        var ys = y.reshape(12).data<float>().ToArray();
        int[] axisPos = [2, 2, 5, 5, 7, 7];
        int[] k = [0, 1, 0, 1, 0, 1];
        for (int i = 0; i < 6; i++)
        {
            double angle = axisPos[i] * Math.Pow(theta, -2.0 * k[i] / 4);
            double e0 = xs[2 * i] * Math.Cos(angle) - xs[2 * i + 1] * Math.Sin(angle);
            double e1 = xs[2 * i] * Math.Sin(angle) + xs[2 * i + 1] * Math.Cos(angle);
            Assert.Equal(e0, ys[2 * i], 5);
            Assert.Equal(e1, ys[2 * i + 1], 5);
        }
    }

    [Fact]
    public void PairTableFormIsBitIdenticalToThePairwiseRotationForwardAndBackward()
    {
        // Arrange: q and k stacked [2, B, H, N, Dh] on a 2×3×4 grid, Dh = 12; the pairwise formula written out.
        torch.manual_seed(5);
        var (cos, sin) = Rope3D.Angles(Rope3D.GridPositions(2, 3, 4), 12);
        var x1 = torch.randn([2, 2, 3, 24, 12]).requires_grad_(true);
        var x2 = x1.detach().clone().requires_grad_(true);
        var upstream = torch.randn([2, 2, 3, 24, 12]);

        // Act
        var pairs = x1.reshape(2, 2, 3, 24, 6, 2);
        var (a, b) = (pairs.select(-1, 0), pairs.select(-1, 1));
        var expected = torch.stack([a * cos - b * sin, a * sin + b * cos], dim: -1).reshape(2, 2, 3, 24, 12);
        var (cosPairs, sinPairs) = Rope3D.PairTables(cos, sin);
        var actual = Rope3D.ApplyPairs(x2, cosPairs, sinPairs);
        (expected * upstream).sum().backward();
        (actual * upstream).sum().backward();

        // Assert
        Assert.True(expected.eq(actual).all().item<bool>());
        Assert.True(x1.grad!.eq(x2.grad!).all().item<bool>());
        Assert.True(Rope3D.Apply(x2.detach(), cos, sin).eq(actual.detach()).all().item<bool>());
    }

    [Fact]
    public void AttentionScoresAreUnchangedWhenAllPositionsShift()
    {
        // Arrange
        torch.manual_seed(4);
        var q = torch.randn(2, 3, 12, 16);
        var k = torch.randn(2, 3, 12, 16);
        var pos = Rope3D.GridPositions(2, 2, 3);
        var shifted = pos + torch.tensor(new long[] { 3, 11, 5 });

        // Act
        Tensor Scores(Tensor p)
        {
            var (c, s) = Rope3D.Angles(p, 16);
            return torch.matmul(Rope3D.Apply(q, c, s), Rope3D.Apply(k, c, s).transpose(-1, -2));
        }

        // Assert
        TensorAssert.Close(Scores(pos), Scores(shifted), 1e-4, "scores");
        Assert.True(TensorAssert.MaxAbsDiff(q, Rope3D.Apply(q, Rope3D.Angles(shifted, 16).Cos, Rope3D.Angles(shifted, 16).Sin)) > 1e-2);
    }

    [Fact]
    public void GridPositionsAreRasterOrder()
    {
        var pos = Rope3D.GridPositions(2, 2, 3);
        Assert.Equal(new long[] { 12, 3 }, pos.shape);
        Assert.Equal(new long[] { 0, 1, 2 }, pos[5].data<long>().ToArray());
        Assert.Equal(new long[] { 1, 0, 0 }, pos[6].data<long>().ToArray());
    }
}
