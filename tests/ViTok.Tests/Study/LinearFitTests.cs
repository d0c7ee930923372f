using ViTok.Study;

namespace ViTok.Tests.Study;

public class LinearFitTests
{
    [Fact]
    public void Fit_EqualsHandComputedRegression()
    {
        // x = log2 E for E = 64 … 2048; by hand (exact fractions): slope 328/175, intercept 3151/525,
        // R² = 1 − SS_res/SS_tot = 0.99423026569118…
        double[] x = [6, 7, 8, 9, 10, 11];
        double[] y = [17.2, 19.0, 21.3, 22.6, 25.1, 26.4];
        var fit = LinearFit.Of(x, y);
        Assert.Equal(328.0 / 175, fit.Slope, 12);
        Assert.Equal(3151.0 / 525, fit.Intercept, 12);
        Assert.Equal(0.9942302656911821, fit.R2, 12);
        Assert.Equal(6, fit.Count);
    }

    [Fact]
    public void Fit_ExactLine_HasR2One()
    {
        var fit = LinearFit.Of([1, 2, 3], [3, 5, 7]);
        Assert.Equal(2, fit.Slope, 14);
        Assert.Equal(1, fit.Intercept, 14);
        Assert.Equal(1, fit.R2, 14);
        Assert.Equal(9, fit.At(4), 14);
    }

    [Fact]
    public void Fit_RefusesDegenerateInput()
    {
        Assert.Contains("at least 2 points", Assert.Throws<ViTokException>(() => LinearFit.Of([1], [1])).Message);
        Assert.Contains("all x values are equal", Assert.Throws<ViTokException>(() => LinearFit.Of([2, 2], [1, 3])).Message);
        Assert.Contains("not finite", Assert.Throws<ViTokException>(() => LinearFit.Of([1, 2], [1, double.NaN])).Message);
    }
}
