namespace ViTok.Tests.Support;

/// <summary>Tensor comparisons that report the maximum difference on failure.</summary>
public static class TensorAssert
{
    public static double MaxAbsDiff(Tensor a, Tensor b)
    {
        using var d = (a.to(ScalarType.Float64) - b.to(ScalarType.Float64)).abs().max();
        return d.item<double>();
    }

    public static void Close(Tensor expected, Tensor actual, double atol, string what = "")
    {
        Assert.Equal(expected.shape, actual.shape);
        double diff = MaxAbsDiff(expected, actual);
        Assert.True(diff <= atol, $"{what} max abs diff {diff:E3} > {atol:E3}");
    }
}
