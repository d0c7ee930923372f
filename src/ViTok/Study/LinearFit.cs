namespace ViTok.Study;

/// <summary>An ordinary least-squares line y = Slope·x + Intercept with its coefficient of determination, as the
/// paper fits reconstruction metrics against log₂E (paper.md §4, Finding 1: R² 0.91–0.98).</summary>
/// <param name="Slope">dy/dx.</param>
/// <param name="Intercept">y at x = 0.</param>
/// <param name="R2">1 − SS_res/SS_tot in [0, 1] for a least-squares line (NaN when all y are equal).</param>
/// <param name="Count">Points fitted (≥ 2).</param>
public sealed record LinearFit(double Slope, double Intercept, double R2, int Count)
{
    /// <summary>Fits a line through (x, y) pairs by least squares (float64 throughout).</summary>
    /// <exception cref="ViTokException">Fewer than two points, different lengths, non-finite values, or all x equal.</exception>
    public static LinearFit Of(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new ViTokException($"fit: {x.Count} x values but {y.Count} y values.");
        if (x.Count < 2) throw new ViTokException($"fit: needs at least 2 points, got {x.Count}.");
        for (int i = 0; i < x.Count; i++)
            if (!double.IsFinite(x[i]) || !double.IsFinite(y[i]))
                throw new ViTokException($"fit: point {i} is not finite ({x[i]}, {y[i]}).");
        int n = x.Count;
        double mx = x.Average(), my = y.Average(), sxx = 0, sxy = 0, syy = 0;
        for (int i = 0; i < n; i++)
        {
            double dx = x[i] - mx, dy = y[i] - my;
            sxx += dx * dx;
            sxy += dx * dy;
            syy += dy * dy;
        }
        if (sxx == 0) throw new ViTokException("fit: all x values are equal; a line needs at least two different x.");
        double slope = sxy / sxx, intercept = my - slope * mx, ssRes = 0;
        for (int i = 0; i < n; i++)
        {
            double r = y[i] - (slope * x[i] + intercept);
            ssRes += r * r;
        }
        double r2 = syy == 0 ? double.NaN : 1 - ssRes / syy;
        return new LinearFit(slope, intercept, r2, n);
    }

    /// <summary>The fitted value at <paramref name="x"/>.</summary>
    public double At(double x) => Slope * x + Intercept;
}
