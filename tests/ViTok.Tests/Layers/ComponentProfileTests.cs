using ViTok.Layers;

namespace ViTok.Tests.Layers;

/// <summary>The per-component timers: exclusive time of nested parts, shares, and nothing recorded when off.</summary>
public sealed class ComponentProfileTests
{
    private static double Spin(int iterations)
    {
        double s = 0;
        for (int i = 0; i < iterations; i++) s += Math.Sqrt(i);
        return s;
    }

    [Fact]
    public void NestedPartsAreCountedOnceEach()
    {
        // Arrange
        var profile = ComponentProfile.Start();
        long t0 = System.Diagnostics.Stopwatch.GetTimestamp();

        // Act: the norm runs inside the rope part; the rope's own time excludes it
        try
        {
            using (ComponentProfile.Time(ComponentProfile.Rope))
            {
                Spin(200_000);
                using (ComponentProfile.Time(ComponentProfile.Norm)) Spin(200_000);
            }
        }
        finally
        {
            ComponentProfile.Stop();
        }
        double total = System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalSeconds;

        // Assert: the parts add up to no more than the enclosing wall time, and each got its own time
        double rope = profile.Seconds[ComponentProfile.Rope], norm = profile.Seconds[ComponentProfile.Norm];
        Assert.True(rope > 0 && norm > 0);
        Assert.True(rope + norm <= total + 1e-9, $"rope {rope} + norm {norm} > total {total}");
        var shares = profile.Shares(total);
        Assert.Equal(ComponentProfile.Components, shares.Keys.ToArray());
        Assert.Equal(1.0, shares.Values.Sum(), 9);
        Assert.Equal(norm / total, shares[ComponentProfile.Norm], 9);
    }

    [Fact]
    public void WithoutAStartedProfileNothingIsRecorded()
    {
        // Arrange
        ComponentProfile.Stop();

        // Act
        using (ComponentProfile.Time(ComponentProfile.Rope)) Spin(1000);

        // Assert
        Assert.Null(ComponentProfile.Current);
        var fresh = ComponentProfile.Start();
        ComponentProfile.Stop();
        Assert.Empty(fresh.Seconds);
    }
}
