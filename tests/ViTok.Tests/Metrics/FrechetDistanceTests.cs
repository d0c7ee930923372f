using ViTok.IO;
using ViTok.Metrics;

namespace ViTok.Tests.Metrics;

[Collection(Support.TorchCollection.Name)]
public class FrechetDistanceTests
{
    public static IEnumerable<object[]> Golden => GoldenMetrics.Frechet();

    [Theory]
    [MemberData(nameof(Golden))]
    public void MatchesScipyReference(string aFile, string bFile, int n, int dim, double expected)
    {
        // Arrange
        using var a = Npy.Read(GoldenMetrics.PathOf(aFile));
        using var b = Npy.Read(GoldenMetrics.PathOf(bFile));
        Assert.Equal(new long[] { n, dim }, a.shape);

        // Act
        double fd = FrechetDistance.Compute(a, b);

        // Assert: the third case has n < dim (singular covariances).
        Assert.False(double.IsNaN(fd));
        Assert.True(Math.Abs(fd - expected) <= 1e-4 * Math.Abs(expected), $"{aFile}: FD {fd:F6}, reference {expected:F6}");
    }

    [Theory]
    [MemberData(nameof(Golden))]
    public void StreamingStatisticsGiveTheSameDistance(string aFile, string bFile, int n, int dim, double expected)
    {
        // Arrange
        using var a = Npy.Read(GoldenMetrics.PathOf(aFile));
        using var b = Npy.Read(GoldenMetrics.PathOf(bFile));
        using var sa = new FeatureStatistics();
        using var sb = new FeatureStatistics();

        // Act: uneven batches, including a batch of one.
        foreach (var chunk in a.split([1, n / 3, n - 1 - n / 3])) { sa.Add(chunk); chunk.Dispose(); }
        foreach (var chunk in b.split(7)) { sb.Add(chunk); chunk.Dispose(); }
        double fd = sa.FrechetDistanceTo(sb);

        // Assert
        Assert.Equal(n, sa.Count);
        Assert.Equal(dim, sa.Dimension);
        Assert.True(Math.Abs(fd - expected) <= 1e-4 * Math.Abs(expected), $"{aFile}: streamed FD {fd:F6}, reference {expected:F6}");
    }

    [Theory]
    [InlineData(500, 32)]
    [InlineData(40, 96)]   // singular
    public void DistanceOfASetToItselfIsZero(int n, int dim)
    {
        // Arrange
        torch.manual_seed(11);
        using var x = torch.randn(n, dim) * 3 + 1;

        // Act
        double fd = FrechetDistance.Compute(x, x);

        // Assert: Tr Σ ~ 9·dim, so round-off of 1e-9 relative is the scale.
        Assert.True(Math.Abs(fd) < 1e-8 * 9 * dim, $"FD(x, x) = {fd}");
    }

    [Fact]
    public void DistanceGrowsWithAddedNoise()
    {
        // Arrange
        torch.manual_seed(12);
        using var x = torch.randn(400, 24);
        using var noise = torch.randn(400, 24);

        // Act
        var fds = new[] { 0.0, 0.1, 0.3, 1.0, 3.0 }.Select(s =>
        {
            using var y = x + s * noise;
            return FrechetDistance.Compute(x, y);
        }).ToArray();

        // Assert
        Assert.True(Math.Abs(fds[0]) < 1e-8);
        for (int i = 1; i < fds.Length; i++) Assert.True(fds[i] > fds[i - 1], $"FD not increasing: {string.Join(", ", fds)}");
    }

    [Fact]
    public void KnownGaussiansHaveTheClosedFormDistance()
    {
        // Arrange: N(0, I) vs N(m, 4I) in d dims: ‖m‖² + d + 4d − 2·2d = ‖m‖² + d.
        const int d = 8;
        using var m1 = torch.zeros(d, dtype: ScalarType.Float64);
        using var m2 = torch.full(d, 0.5, dtype: ScalarType.Float64);
        using var s1 = torch.eye(d, dtype: ScalarType.Float64);
        using var s2 = torch.eye(d, dtype: ScalarType.Float64) * 4;

        // Act
        double fd = FrechetDistance.FromStatistics(m1, s1, m2, s2);

        // Assert
        Assert.Equal(d * 0.25 + d, fd, 10);
    }

    [Fact]
    public void StatisticsSurviveTheCallersDisposeScope()
    {
        // Arrange
        torch.manual_seed(13);
        using var x = torch.randn(50, 6);
        using var stats = new FeatureStatistics();

        // Act: the first Add allocates the running sums inside a scope the caller then closes.
        using (torch.NewDisposeScope()) stats.Add(x[..20]);
        using (torch.NewDisposeScope()) stats.Add(x[20..]);
        var (mean, cov) = stats.Compute();
        var (mean2, cov2) = FrechetDistance.Statistics(x);

        // Assert
        Assert.True(mean.allclose(mean2, rtol: 1e-12, atol: 1e-12));
        Assert.True(cov.allclose(cov2, rtol: 1e-10, atol: 1e-12));
    }
}
