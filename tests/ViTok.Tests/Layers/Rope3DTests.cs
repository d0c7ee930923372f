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
