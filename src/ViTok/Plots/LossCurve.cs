using System.Text.Json.Nodes;
using ViTok.IO;

namespace ViTok.Plots;

/// <summary>The loss curve of a run folder: <c>loss.png</c> drawn from <c>metrics.jsonl</c> (total loss and, for
/// tokenizers, its reconstruction term, against the step), written through <see cref="ImageIO"/> as an 8-bit PNG.</summary>
public static class LossCurve
{
    /// <summary>The file name inside a run folder.</summary>
    public const string FileName = "loss.png";

    /// <summary>Reads the (step, value) series of <paramref name="key"/> from a metrics.jsonl file; lines without a
    /// finite value (skipped steps) are left out.</summary>
    /// <param name="metricsPath">A run's metrics.jsonl.</param>
    /// <param name="key">e.g. "loss" or "reconstruction".</param>
    public static (double[] Steps, double[] Values) Read(string metricsPath, string key)
    {
        var steps = new List<double>();
        var values = new List<double>();
        foreach (string line in File.ReadLines(metricsPath))
        {
            if (line.Trim().Length == 0) continue;
            JsonNode? o;
            try
            {
                o = JsonNode.Parse(line);
            }
            catch (System.Text.Json.JsonException)
            {
                continue;                                                      // a torn last line of a killed run
            }
            if (o?["step"] is JsonValue s && o[key] is JsonValue v && v.TryGetValue(out double d) && double.IsFinite(d))
            {
                steps.Add(s.GetValue<double>());
                values.Add(d);
            }
        }
        return (steps.ToArray(), values.ToArray());
    }

    /// <summary>The terms drawn, in legend order: metrics.jsonl key and legend text. A term is drawn when it has a
    /// positive value (a tokenizer run: total, reconstruction, KL, perceptual, GAN generator and discriminator; a DiT
    /// run: its loss).</summary>
    public static readonly IReadOnlyList<(string Key, string Legend)> Terms =
    [
        ("loss", "loss (total)"), ("reconstruction", "reconstruction"), ("kl", "KL (unweighted)"), ("perceptual", "perceptual (unweighted)"),
        ("gan_generator", "GAN generator"), ("gan_discriminator", "GAN discriminator"),
    ];

    /// <summary>Draws <c>loss.png</c> (800×450) into <paramref name="runFolder"/> from its metrics.jsonl: every term
    /// of <see cref="Terms"/> with positive values against the step, on a log₁₀ axis (the terms differ by orders of
    /// magnitude).</summary>
    /// <param name="runFolder">A run folder holding metrics.jsonl.</param>
    /// <returns>The PNG path, or null when metrics.jsonl holds no finite loss yet.</returns>
    /// <exception cref="IOException">The PNG cannot be written.</exception>
    public static string? Write(string runFolder)
    {
        string metrics = Path.Combine(runFolder, "metrics.jsonl");
        if (!File.Exists(metrics)) return null;
        var (steps, _) = Read(metrics, "loss");
        if (steps.Length == 0) return null;
        bool text = PlotFonts.EnsureScottPlot();
        var plot = new ScottPlot.Plot();
        try
        {
            if (text) plot.Font.Set(PlotFonts.Family);
            double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
            foreach (var (key, legend) in Terms)
            {
                var (xs, ys) = Read(metrics, key);
                var keep = Enumerable.Range(0, xs.Length).Where(i => ys[i] > 0).ToArray();
                if (keep.Length == 0) continue;
                double[] logs = keep.Select(i => Math.Log10(ys[i])).ToArray();
                lo = Math.Min(lo, logs.Min());
                hi = Math.Max(hi, logs.Max());
                var line = plot.Add.Scatter(keep.Select(i => xs[i]).ToArray(), logs);
                line.LegendText = legend;
                line.MarkerSize = keep.Length > 60 ? 0 : 4;
            }
            if (double.IsFinite(lo))
            {
                double[] ticks = Enumerable.Range((int)Math.Floor(lo), (int)Math.Ceiling(hi) - (int)Math.Floor(lo) + 1).Select(k => (double)k).ToArray();
                plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks, ticks.Select(k => $"1e{k:F0}").ToArray());
            }
            plot.XLabel("step");
            plot.YLabel("value (log scale)");
            plot.Title($"{Path.GetFileName(Path.GetFullPath(runFolder).TrimEnd(Path.DirectorySeparatorChar))}: loss terms per logged step");
            plot.ShowLegend(ScottPlot.Alignment.UpperRight);
            byte[] png = plot.GetImageBytes(800, 450, ScottPlot.ImageFormat.Png);
            var (rgb, h, w) = ImageIO.DecodeRgb8(png, "loss plot");
            string path = Path.Combine(runFolder, FileName);
            ImageIO.SavePng(rgb, h, w, path);
            return path;
        }
        finally
        {
            plot.Dispose();
        }
    }
}
