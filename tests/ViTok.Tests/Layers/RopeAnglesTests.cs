using ViTok.Layers;
using ViTok.Tests.Support;

namespace ViTok.Tests.Layers;

[Collection(TorchCollection.Name)]
public class RopeAnglesTests
{
    [Theory]
    [InlineData(RopeAngles.Precision.Float64)]
    [InlineData(RopeAngles.Precision.Float32Reciprocal)]
    public void InverseFrequencies_AreThetaToTheMinusTwoKOverD(RopeAngles.Precision precision)
    {
        // Act
        var w = RopeAngles.InverseFrequencies(8, 10000.0, precision).data<float>().ToArray();

        // Assert: ω_k = 10000^(−2k/8), k = 0..3, to float32 rounding.
        Assert.Equal(4, w.Length);
        for (int k = 0; k < 4; k++) Assert.Equal(Math.Pow(10000.0, -2.0 * k / 8), w[k], 1e-6 * Math.Pow(10000.0, -2.0 * k / 8) + 1e-12);
    }

    [Fact]
    public void CosSin_PutsTheAxesSideBySideInTheOrderGiven()
    {
        // Arrange: two tokens, axis 0 (d = 4) at positions 2 and 0, axis 1 (d = 2) at positions 5 and 1.
        var a0 = torch.tensor(new long[] { 2, 0 });
        var a1 = torch.tensor(new long[] { 5, 1 });

        // Act
        var (cos, sin) = RopeAngles.CosSin([a0, a1], [4, 2], 100.0);

        // Assert: angles [p0·1, p0·100^(−1/2), p1·1] per token.
        Assert.Equal(new long[] { 2, 3 }, cos.shape);
        double[,] angles = { { 2, 2 * 0.1, 5 }, { 0, 0, 1 } };
        for (int n = 0; n < 2; n++)
            for (int j = 0; j < 3; j++)
            {
                Assert.Equal(Math.Cos(angles[n, j]), cos[n, j].item<float>(), 1e-6);
                Assert.Equal(Math.Sin(angles[n, j]), sin[n, j].item<float>(), 1e-6);
            }
    }

    [Fact]
    public void CosSin_RefusesMismatchedAxes()
    {
        Assert.Throws<ArgumentException>(() => RopeAngles.CosSin([torch.zeros(3)], [2, 2], 10000.0));
    }
}
