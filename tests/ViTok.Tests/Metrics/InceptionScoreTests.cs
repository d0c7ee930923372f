using ViTok.Metrics;

namespace ViTok.Tests.Metrics;

[Collection(Support.TorchCollection.Name)]
public class InceptionScoreTests
{
    [Fact]
    public void ConfidentAndEvenlySpreadPredictionsScoreTheNumberOfClasses()
    {
        // Arrange: 40 items, each certain of one class, cycling through 4 classes (every split of 10 holds all 4 about
        // evenly: p(y) near uniform, KL = log 4 per item where the split is exactly balanced).
        using var isc = new InceptionScore();
        var classes = torch.arange(40) % 4;
        using var logits = F.one_hot(classes, 4).to(ScalarType.Float32) * 200;

        // Act
        isc.Add(logits);
        var (mean, _) = isc.Compute(splits: 2);

        // Assert: with 2 splits of 20 items, each split holds 5 of every class: p(y) is exactly uniform.
        Assert.Equal(40, isc.Count);
        Assert.Equal(4.0, mean, 9);
    }

    [Fact]
    public void IdenticalPredictionsScoreOne()
    {
        using var isc = new InceptionScore();
        using var logits = torch.randn(1, 7).expand(12, 7).contiguous();
        isc.Add(logits.narrow(0, 0, 5));
        isc.Add(logits.narrow(0, 5, 7));

        var (mean, std) = isc.Compute(splits: 3);

        Assert.Equal(1.0, mean, 12);
        Assert.Equal(0.0, std, 12);
    }

    [Fact]
    public void MatchesTheOriginalFormulaOnContiguousSplits()
    {
        // Arrange: random logits; the reference is the original numpy code written out with plain loops.
        torch.manual_seed(7);
        using var logits = torch.randn(23, 5, dtype: ScalarType.Float64) * 3;
        using var isc = new InceptionScore();
        isc.Add(logits);
        var p = logits.softmax(1).to(ScalarType.Float32).to(ScalarType.Float64).data<double>().ToArray();
        const int n = 23, k = 5, splits = 4;
        var scores = new List<double>();
        for (int s = 0; s < splits; s++)
        {
            int start = s * n / splits, end = (s + 1) * n / splits;
            var marginal = new double[k];
            for (int i = start; i < end; i++)
                for (int c = 0; c < k; c++) marginal[c] += p[i * k + c] / (end - start);
            double kl = 0;
            for (int i = start; i < end; i++)
                for (int c = 0; c < k; c++) kl += p[i * k + c] * (Math.Log(p[i * k + c]) - Math.Log(marginal[c]));
            scores.Add(Math.Exp(kl / (end - start)));
        }
        double expectedMean = scores.Average();
        double expectedStd = Math.Sqrt(scores.Select(v => (v - expectedMean) * (v - expectedMean)).Average());

        // Act
        var (mean, std) = isc.Compute(splits);

        // Assert
        Assert.Equal(expectedMean, mean, 10);
        Assert.Equal(expectedStd, std, 10);
    }

    [Fact]
    public void RandomWeightInceptionGivesAFiniteScoreOfAtLeastOne()
    {
        // Arrange: the FID network with random weights on random images (the real weights are user-supplied).
        torch.manual_seed(3);
        using var net = new FidInceptionV3();
        net.eval();
        using var images = torch.rand(4, 3, 64, 64) * 2 - 1;
        using var isc = new InceptionScore();

        // Act
        using (torch.no_grad())
        {
            var (features, logits) = net.FeaturesAndLogits(images);
            Assert.Equal(new long[] { 4, 2048 }, features.shape);
            Assert.Equal(new long[] { 4, 1008 }, logits.shape);
            isc.Add(logits);
            features.Dispose();
            logits.Dispose();
        }
        var (mean, std) = isc.Compute(splits: 2);

        // Assert
        Assert.True(double.IsFinite(mean) && double.IsFinite(std), $"IS {mean} ± {std}");
        Assert.True(mean >= 1.0 - 1e-12, $"IS {mean} < 1");
    }

    [Fact]
    public void TooFewImagesForTheSplitsIsAnError()
    {
        using var isc = new InceptionScore();
        using var logits = torch.randn(3, 4);
        isc.Add(logits);
        Assert.Throws<InvalidOperationException>(() => isc.Compute(splits: 10));
    }
}
