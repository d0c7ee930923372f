using System.Text.Json.Nodes;
using ViTok.IO;
using ViTok.Plots;

namespace ViTok.Study;

/// <summary>The study's pictures (ScottPlot, headless, DejaVu Sans registered explicitly; 8-bit PNG):
/// metric vs E on a log₂ axis with the fitted line and R² in the legend, one colour per value of the colour axis
/// (the paper's Figure 2); per axis, the mean of a metric per value with seed standard deviations as error bars
/// (Figures 6, 7); a metric-vs-metric trade-off scatter (Figure 10); and gFD / rFD / PSNR by channels (Finding 2).</summary>
public static class StudyPlots
{
    /// <summary>Width and height of every plot, pixels.</summary>
    public const int Width = 800, Height = 500;

    /// <summary>Metric vs log₂E with one colour per colour-axis value and the fitted line; returns the file written.</summary>
    /// <exception cref="IOException">The PNG cannot be written.</exception>
    public static string MetricVsE(StudyPlan plan, IReadOnlyList<JsonObject> rows, string metric, string group, LinearFit? fit, string path)
    {
        string? colour = plan.ColourBy ?? plan.Axes.FirstOrDefault(a => a.Name != plan.FitBy)?.Name;
        return Draw(path, plot =>
        {
            var palette = new ScottPlot.Palettes.Category10();
            var series = rows.GroupBy(r => colour is null ? "" : StudyResults.Axis(r, colour) ?? "?").ToList();
            for (int i = 0; i < series.Count; i++)
            {
                var pts = series[i].Select(r => (E: StudyFits.EValue(plan, r), Y: StudyResults.Metric(r, metric)))
                    .Where(p => p.E is > 0 && p.Y is double y && double.IsFinite(y)).ToList();
                if (pts.Count == 0) continue;
                var sc = plot.Add.ScatterPoints(pts.Select(p => Math.Log2(p.E!.Value)).ToArray(), pts.Select(p => p.Y!.Value).ToArray());
                sc.Color = palette.GetColor(i);
                sc.MarkerSize = 8;
                sc.LegendText = colour is null ? "runs" : $"{colour} {series[i].Key}";
            }
            if (fit is not null)
            {
                var xs = rows.Select(r => StudyFits.EValue(plan, r)).OfType<double>().Where(e => e > 0).Select(Math.Log2).ToList();
                if (xs.Count > 0)
                {
                    double lo = xs.Min(), hi = xs.Max();
                    var line = plot.Add.Line(lo, fit.At(lo), hi, fit.At(hi));
                    line.Color = ScottPlot.Colors.Black;
                    line.LinePattern = ScottPlot.LinePattern.Dashed;
                    line.LegendText = $"fit: {fit.Slope:F3}·log₂E + {fit.Intercept:F2}, R² = {fit.R2:F3}";
                }
            }
            Log2Ticks(plan, plot, rows);
            plot.XLabel(XLabel(plan));
            plot.YLabel(metric);
            plot.Title($"{plan.Name}: {metric} vs E{(group == "all" ? "" : $" ({plan.FitBy} {group})")}");
        });
    }

    /// <summary>Metric vs log₂E (or E per frame) for every fit group in one picture, each group in its own colour with
    /// its own fitted line (e.g. images against clips at tubelets 1, 2, 4: the video finding; or one line per data
    /// set); <paramref name="fits"/> is fits.json's "fits".</summary>
    /// <exception cref="IOException">The PNG cannot be written.</exception>
    public static string MetricVsEGroups(StudyPlan plan, IReadOnlyList<(string Group, List<JsonObject> Rows)> groups, JsonArray fits, string metric, string path) => Draw(path, plot =>
    {
        var palette = new ScottPlot.Palettes.Category10();
        for (int i = 0; i < groups.Count; i++)
        {
            var pts = groups[i].Rows.Select(r => (E: StudyFits.EValue(plan, r), Y: StudyResults.Metric(r, metric)))
                .Where(p => p.E is > 0 && p.Y is double y && double.IsFinite(y)).ToList();
            if (pts.Count == 0) continue;
            var colour = palette.GetColor(i);
            var sc = plot.Add.ScatterPoints(pts.Select(p => Math.Log2(p.E!.Value)).ToArray(), pts.Select(p => p.Y!.Value).ToArray());
            sc.Color = colour;
            sc.MarkerSize = 8;
            var fit = fits.OfType<JsonObject>().FirstOrDefault(f => (string?)f["group"] == groups[i].Group && (string?)f["metric"] == metric);
            sc.LegendText = $"{plan.FitBy} {groups[i].Group}" + (fit is null ? "" : string.Format(System.Globalization.CultureInfo.InvariantCulture,
                ": {0:F2}·log₂E + {1:F2}, R² {2}", fit["slope"]!.GetValue<double>(), fit["intercept"]!.GetValue<double>(),
                fit["r2"] is JsonValue r2 ? r2.GetValue<double>().ToString("F3", System.Globalization.CultureInfo.InvariantCulture) : "n/a"));
            if (fit is null) continue;
            double lo = pts.Min(p => Math.Log2(p.E!.Value)), hi = pts.Max(p => Math.Log2(p.E!.Value));
            double a = fit["slope"]!.GetValue<double>(), b = fit["intercept"]!.GetValue<double>();
            var line = plot.Add.Line(lo, a * lo + b, hi, a * hi + b);
            line.Color = colour;
            line.LinePattern = ScottPlot.LinePattern.Dashed;
        }
        Log2Ticks(plan, plot, groups.SelectMany(g => g.Rows).ToList());
        plot.XLabel(XLabel(plan));
        plot.YLabel(metric);
        plot.Title($"{plan.Name}: {metric} vs {(plan.EPerFrame ? "E per frame" : "E")} by {plan.FitBy}");
    });

    /// <summary>Mean ± seed standard deviation of <paramref name="metric"/> per value of <paramref name="axis"/> (a
    /// plan whose only axis it is; <paramref name="effects"/> is fits.json's seed_spread).</summary>
    /// <exception cref="IOException">The PNG cannot be written.</exception>
    public static string AxisEffect(StudyPlan plan, JsonArray effects, string axis, string metric, string path) => Draw(path, plot =>
    {
        var rows = effects.OfType<JsonObject>().Where(e => (string?)e["metric"] == metric).ToList();
        double[] xs = Enumerable.Range(0, rows.Count).Select(i => (double)i).ToArray();
        double[] ys = rows.Select(r => r["mean"]!.GetValue<double>()).ToArray();
        double[] err = rows.Select(r => r["std"]!.GetValue<double>()).ToArray();
        var sc = plot.Add.ScatterPoints(xs, ys);
        sc.MarkerSize = 9;
        sc.LegendText = $"mean over seeds (n = {string.Join("/", rows.Select(r => r["seeds"]!.GetValue<int>()).Distinct())})";
        var eb = plot.Add.ErrorBar(xs, ys, err);
        eb.LegendText = "± seed std";
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(xs, rows.Select(r => (string)r["axes"]![axis]!).ToArray());
        plot.Axes.Margins(0.15, 0.15);
        plot.XLabel(axis);
        plot.YLabel(metric);
        plot.Title($"{plan.Name}: {metric} by {axis}");
    });

    /// <summary>One point per finished run: <paramref name="xMetric"/> against <paramref name="yMetric"/>, labelled by
    /// the colour axis (e.g. PSNR vs a Fréchet distance for the loss trade-off).</summary>
    /// <exception cref="IOException">The PNG cannot be written.</exception>
    public static string Tradeoff(StudyPlan plan, IReadOnlyList<JsonObject> rows, string xMetric, string yMetric, string path) => Draw(path, plot =>
    {
        var palette = new ScottPlot.Palettes.Category10();
        string? colour = plan.ColourBy ?? plan.Axes.FirstOrDefault()?.Name;
        var series = rows.GroupBy(r => colour is null ? "" : StudyResults.Axis(r, colour) ?? "?").ToList();
        for (int i = 0; i < series.Count; i++)
        {
            var pts = series[i].Select(r => (X: StudyResults.Metric(r, xMetric), Y: StudyResults.Metric(r, yMetric)))
                .Where(p => p.X is double x && double.IsFinite(x) && p.Y is double y && double.IsFinite(y)).ToList();
            if (pts.Count == 0) continue;
            var sc = plot.Add.ScatterPoints(pts.Select(p => p.X!.Value).ToArray(), pts.Select(p => p.Y!.Value).ToArray());
            sc.Color = palette.GetColor(i);
            sc.MarkerSize = 8;
            sc.LegendText = colour is null ? "runs" : $"{colour} {series[i].Key}";
        }
        plot.XLabel(xMetric);
        plot.YLabel(yMetric);
        plot.Title($"{plan.Name}: {yMetric} vs {xMetric}");
    });

    /// <summary>Finding 2's picture: per value of <paramref name="axis"/> (e.g. channels c, a log₂ axis), the mean over
    /// seeds of the generation distance (gFD-ResNet18) and of the reconstruction distance (rFD-ResNet18) on the left
    /// axis, and PSNR on the right axis, so the optimum c for generation shows against reconstruction that keeps
    /// improving.</summary>
    /// <exception cref="IOException">The PNG cannot be written.</exception>
    public static string Generation(StudyPlan plan, IReadOnlyList<JsonObject> rows, string axis, string path) => Draw(path, plot =>
    {
        var palette = new ScottPlot.Palettes.Category10();
        var groups = rows.GroupBy(r => StudyResults.Axis(r, axis) ?? "?")
            .Select(g => (Label: g.Key, X: double.TryParse(g.Key, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double v) && v > 0 ? Math.Log2(v) : double.NaN, Rows: g.ToList()))
            .ToList();
        bool numeric = groups.All(g => double.IsFinite(g.X));
        var xs = numeric ? groups.Select(g => g.X).ToArray() : Enumerable.Range(0, groups.Count).Select(i => (double)i).ToArray();
        void Series(string metric, string legend, int colour, bool right)
        {
            var pts = groups.Select((g, i) => (X: xs[i], Y: g.Rows.Select(r => StudyResults.Metric(r, metric)).OfType<double>().Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average()))
                .Where(p => double.IsFinite(p.Y)).ToList();
            if (pts.Count == 0) return;
            var sc = plot.Add.Scatter(pts.Select(p => p.X).ToArray(), pts.Select(p => p.Y).ToArray());
            sc.Color = palette.GetColor(colour);
            sc.MarkerSize = 9;
            sc.LegendText = legend;
            if (right)
            {
                sc.Axes.YAxis = plot.Axes.Right;
                sc.LinePattern = ScottPlot.LinePattern.Dashed;
            }
        }
        Series(StudyGeneration.Metric, "gFD-ResNet18 (generation, DiT samples)", 0, false);
        Series("fd_resnet18", "rFD-ResNet18 (reconstruction)", 1, false);
        Series("psnr", "PSNR, dB (right axis)", 2, true);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(xs, groups.Select(g => $"{axis} {g.Label}").ToArray());
        plot.Axes.Margins(0.1, 0.15);
        plot.XLabel(numeric ? $"{axis} (log₂ axis)" : axis);
        plot.YLabel("Fréchet distance on ResNet18 features (not FID)");
        plot.Axes.Right.Label.Text = "PSNR (dB)";
        plot.Title($"{plan.Name}: generation vs reconstruction by {axis}");
    });

    private static string XLabel(StudyPlan plan) =>
        plan.EPerFrame ? "E per frame = tokens × channels / frames (log₂ axis)" : "E = tokens × channels (log₂ axis)";

    private static void Log2Ticks(StudyPlan plan, ScottPlot.Plot plot, IReadOnlyList<JsonObject> rows)
    {
        var ks = rows.Select(r => StudyFits.EValue(plan, r)).OfType<double>().Where(e => e > 0)
            .Select(e => Math.Round(Math.Log2(e))).Distinct().OrderBy(k => k).ToArray();
        if (ks.Length == 0) return;
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ks, ks.Select(k => $"2^{k:F0} = {Math.Pow(2, k):F0}").ToArray());
        plot.Axes.Margins(0.08, 0.12);
    }

    // The legend goes in the corner that the fewest points fall in: every scatter's points normalised to the range of
    // the y axis it is drawn on (left or right), counted in each corner box (45 % of the width, 20 % of the height);
    // ties prefer lower right, then upper right, upper left, lower left.
    private static ScottPlot.Alignment LegendCorner(ScottPlot.Plot plot)
    {
        var scatters = plot.GetPlottables().OfType<ScottPlot.Plottables.Scatter>()
            .Select(s => (Right: s.Axes.YAxis is not null && s.Axes.YAxis == plot.Axes.Right,
                          Points: s.Data.GetScatterPoints().Where(c => double.IsFinite(c.X) && double.IsFinite(c.Y)).ToList()))
            .Where(s => s.Points.Count > 0).ToList();
        var all = scatters.SelectMany(s => s.Points).ToList();
        if (all.Count == 0) return ScottPlot.Alignment.LowerRight;
        static double Unit(double v, double lo, double hi) => hi > lo ? (v - lo) / (hi - lo) : 0.5;
        double xlo = all.Min(c => c.X), xhi = all.Max(c => c.X);
        var unit = new List<(double X, double Y)>();
        foreach (bool right in new[] { false, true })
        {
            var pts = scatters.Where(s => s.Right == right).SelectMany(s => s.Points).ToList();
            if (pts.Count == 0) continue;
            double ylo = pts.Min(c => c.Y), yhi = pts.Max(c => c.Y);
            unit.AddRange(pts.Select(c => (Unit(c.X, xlo, xhi), Unit(c.Y, ylo, yhi))));
        }
        var corners = new (ScottPlot.Alignment Corner, bool Right, bool Top)[]
        {
            (ScottPlot.Alignment.LowerRight, true, false), (ScottPlot.Alignment.UpperRight, true, true),
            (ScottPlot.Alignment.UpperLeft, false, true), (ScottPlot.Alignment.LowerLeft, false, false),
        };
        return corners.OrderBy(k => unit.Count(p => (k.Right ? p.X >= 0.55 : p.X <= 0.45) && (k.Top ? p.Y >= 0.8 : p.Y <= 0.2)))
            .First().Corner;
    }

    private static string Draw(string path, Action<ScottPlot.Plot> draw)
    {
        bool text = PlotFonts.EnsureScottPlot();
        var plot = new ScottPlot.Plot();
        try
        {
            if (text) plot.Font.Set(PlotFonts.Family);
            draw(plot);
            plot.ShowLegend(LegendCorner(plot));
            byte[] png = plot.GetImageBytes(Width, Height, ScottPlot.ImageFormat.Png);
            var (rgb, h, w) = ImageIO.DecodeRgb8(png, "study plot");
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            ImageIO.SavePng(rgb, h, w, path);
            return path;
        }
        finally
        {
            plot.Dispose();
        }
    }
}
