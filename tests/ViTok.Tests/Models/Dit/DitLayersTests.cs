using ViTok.Layers;
using ViTok.Tests.Support;
using ViTok.Models.Dit;

namespace ViTok.Tests.Layers;

[Collection(TorchCollection.Name)]
public class DitLayersTests
{
    [Fact]
    public void SinusoidalTimestepEmbeddingMatchesTheFormula()
    {
        // Arrange
        var t = torch.tensor(new float[] { 0, 1, 37.5f, 999 });

        // Act
        var emb = TimestepEmbedding.Sinusoidal(t, 8);

        // Assert: [cos(t·ω_k), sin(t·ω_k)], ω_k = 10000^(−k/4).
        var tv = new double[] { 0, 1, 37.5, 999 };
        for (int i = 0; i < 4; i++)
        for (int k = 0; k < 4; k++)
        {
            double w = Math.Pow(10000, -k / 4.0);
            Assert.Equal(Math.Cos(tv[i] * w), emb[i, k].item<float>(), 3e-4);
            Assert.Equal(Math.Sin(tv[i] * w), emb[i, k + 4].item<float>(), 3e-4);
        }
    }

    [Fact]
    public void TimestepEmbeddingHasDitKeys()
    {
        using var te = new TimestepEmbedding(32);
        Assert.Equal(new[] { "mlp.0.bias", "mlp.0.weight", "mlp.2.bias", "mlp.2.weight" }, te.state_dict().Keys.Order(StringComparer.Ordinal));
        Assert.Equal(new long[] { 32, 256 }, te.state_dict()["mlp.0.weight"].shape);
    }

    [Fact]
    public void LabelDropoutUsesTheNullClassAtTheGivenRate()
    {
        var labels = torch.zeros(20000, ScalarType.Int64);
        using var g = new Generator(1);
        var dropped = LabelEmbedding.DropLabels(labels, 10, 0.1, g);
        double rate = (dropped == 10).to(ScalarType.Float32).mean().item<float>();
        Assert.InRange(rate, 0.09, 0.11);
        Assert.True(((dropped == 0).logical_or(dropped == 10)).all().item<bool>());
    }

    [Fact]
    public void GridRopeIs3DAxialForVideosAnd2DForImages()
    {
        // 3D: the same angles as the tokenizer's Rope3D.
        var (c3, s3) = GridRope.Angles((2, 3, 4), 24);
        var (rc, rs) = Rope3D.Angles(Rope3D.GridPositions(2, 3, 4), 24);
        TensorAssert.Close(rc, c3, 1e-6);
        TensorAssert.Close(rs, s3, 1e-6);

        // 2D: half the pairs rotate with the row, half with the column; none is wasted on time.
        Assert.Equal(new[] { 12, 12 }, GridRope.AxisDims(1, 24));
        var (c2, s2) = GridRope.Angles((1, 3, 4), 24);
        Assert.Equal(new long[] { 12, 12 }, c2.shape);
        var angle = torch.atan2(s2, c2);
        // token 5 = (row 1, col 1); token 4 = (row 1, col 0): the first pair is row·1, pair 6 is col·1.
        Assert.Equal(1.0, angle[5, 0].item<float>(), 5);
        Assert.Equal(0.0, angle[4, 6].item<float>(), 5);
        Assert.Equal(1.0, angle[5, 6].item<float>(), 5);
    }
}
