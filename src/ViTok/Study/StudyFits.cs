using System.Text.Json.Nodes;

namespace ViTok.Study;

/// <summary>The numbers a study reports: per metric (and per <see cref="StudyPlan.FitBy"/> group) the line of the
/// metric against log₂E (Finding 1), the spread of runs that reach the same E by different axis values (the same E
/// by different code shapes should land close), and the mean and seed standard deviation of each
/// metric (Findings 3–5: encoder size, decoder size, loss weights) per configuration, over its seeds.</summary>
public static class StudyFits
{
    /// <summary>Computes fits.json's object from the finished rows.</summary>
    public static JsonObject Compute(StudyPlan plan, IReadOnlyList<JsonObject> rows)
    {
        var done = rows.Where(StudyResults.IsDone).ToList();
        var metrics = MetricKeys(done);
        var fits = new JsonArray();
        var sameE = new JsonArray();
        foreach (var (group, members) in Groups(plan, done))
        {
            foreach (string m in metrics)
            {
                var pts = members.Select(r => (E: EValue(plan, r), Y: StudyResults.Metric(r, m)))
                    .Where(p => p.E is > 0 && p.Y is double y && double.IsFinite(y)).Select(p => (X: Math.Log2(p.E!.Value), Y: p.Y!.Value)).ToList();
                if (pts.Select(p => p.X).Distinct().Count() >= 2)
                {
                    var fit = LinearFit.Of(pts.Select(p => p.X).ToList(), pts.Select(p => p.Y).ToList());
                    fits.Add(new JsonObject
                    {
                        ["group"] = group, ["metric"] = m, ["x"] = plan.EPerFrame ? "log2_e_per_frame" : "log2_e", ["slope"] = fit.Slope, ["intercept"] = fit.Intercept,
                        ["r2"] = double.IsFinite(fit.R2) ? fit.R2 : null, ["points"] = fit.Count,
                    });
                }
                foreach (var sameEGroup in members.GroupBy(r => EValue(plan, r)).Where(g => g.Key is > 0))
                {
                    // Runs at one E that differ in some axis other than the fit group: different code shapes.
                    var byShape = sameEGroup.GroupBy(r => ShapeKey(plan, r)).ToList();
                    if (byShape.Count < 2) continue;
                    var means = byShape.Select(g => (Shape: g.Key, Mean: g.Select(r => StudyResults.Metric(r, m)).OfType<double>().DefaultIfEmpty(double.NaN).Average()))
                        .Where(s => double.IsFinite(s.Mean)).ToList();
                    if (means.Count < 2) continue;
                    sameE.Add(new JsonObject
                    {
                        ["group"] = group, ["metric"] = m, ["e"] = sameEGroup.Key,
                        ["shapes"] = new JsonArray(means.Select(s => (JsonNode)new JsonObject { ["shape"] = s.Shape, ["mean"] = s.Mean }).ToArray()),
                        ["spread"] = means.Max(s => s.Mean) - means.Min(s => s.Mean),
                    });
                }
            }
        }
        // Per configuration (every axis fixed), the spread over seeds: the error bars of Findings 3–5.
        var effects = new JsonArray();
        foreach (var config in done.GroupBy(r => Config(plan, r)))
        {
            foreach (string m in metrics)
            {
                var ys = config.Select(r => StudyResults.Metric(r, m)).OfType<double>().Where(double.IsFinite).ToList();
                if (ys.Count == 0) continue;
                double mean = ys.Average();
                double std = ys.Count > 1 ? Math.Sqrt(ys.Sum(y => (y - mean) * (y - mean)) / (ys.Count - 1)) : 0;
                var axes = new JsonObject();
                foreach (var a in plan.Axes) axes[a.Name] = StudyResults.Axis(config.First(), a.Name);
                effects.Add(new JsonObject { ["config"] = config.Key, ["axes"] = axes, ["metric"] = m, ["mean"] = mean, ["std"] = std, ["seeds"] = ys.Count });
            }
        }
        var result = new JsonObject { ["study"] = plan.Name, ["runs_done"] = done.Count, ["fits"] = fits, ["same_e"] = sameE, ["seed_spread"] = effects };
        if (plan.FitBy is not null && plan.EPerFrame) result["e_needed"] = ENeeded(fits, done, plan);
        return result;
    }

    /// <summary>The E (or E per frame, <see cref="StudyPlan.EPerFrame"/>) of a row: what fits and plots put on x.</summary>
    public static double? EValue(StudyPlan plan, JsonObject row)
    {
        double? e = StudyResults.Number(row, "e");
        if (!plan.EPerFrame) return e;
        return StudyResults.Number(row, "e_per_frame") ?? (e is double v && StudyResults.Number(row, "frames") is double f and > 0 ? v / f : e);
    }

    /// <summary>Per PSNR/SSIM level, the E each fit group needs to reach it, read off its fitted line
    /// (E = 2^((level − intercept) / slope)), with its ratio to the first group's E: e.g. the E per frame a video
    /// tokenizer needs for a PSNR against the E an image tokenizer needs. Levels are the whole dB (PSNR) or 0.01 (SSIM)
    /// values inside every group's measured range, so no group is extrapolated; when the ranges do not overlap, the
    /// middle of the first group's range is used and each group says whether it was extrapolated.</summary>
    public static JsonArray ENeeded(JsonArray fits, IReadOnlyList<JsonObject> done, StudyPlan plan)
    {
        var result = new JsonArray();
        var rowsByGroup = Groups(plan, done).ToDictionary(g => g.Group, g => g.Rows);
        foreach (var (metric, step) in new[] { ("psnr", 1.0), ("ssim", 0.01) })
        {
            var lines = fits.OfType<JsonObject>().Where(f => (string?)f["metric"] == metric && f["slope"]!.GetValue<double>() > 0)
                .Select(f => (Group: (string)f["group"]!, Fit: new LinearFit(f["slope"]!.GetValue<double>(), f["intercept"]!.GetValue<double>(), f["r2"]?.GetValue<double>() ?? double.NaN, f["points"]!.GetValue<int>())))
                .ToList();
            if (lines.Count < 2) continue;
            var ranges = lines.ToDictionary(l => l.Group, l =>
            {
                var ys = rowsByGroup[l.Group].Select(r => StudyResults.Metric(r, metric)).OfType<double>().Where(double.IsFinite).ToList();
                return (Lo: ys.Min(), Hi: ys.Max());
            });
            double lo = ranges.Values.Max(r => r.Lo), hi = ranges.Values.Min(r => r.Hi);
            var levels = new List<double>();
            for (double t = Math.Ceiling(lo / step) * step; t <= hi + 1e-12; t += step) levels.Add(Math.Round(t, 6));
            if (levels.Count == 0)
            {
                var first = ranges[lines[0].Group];
                levels.Add(Math.Round((first.Lo + first.Hi) / 2 / step) * step);
            }
            foreach (double level in levels)
            {
                double reference = Math.Pow(2, (level - lines[0].Fit.Intercept) / lines[0].Fit.Slope);
                result.Add(new JsonObject
                {
                    ["metric"] = metric, ["level"] = level, ["x"] = plan.EPerFrame ? "e_per_frame" : "e",
                    ["groups"] = new JsonArray(lines.Select(l =>
                    {
                        double e = Math.Pow(2, (level - l.Fit.Intercept) / l.Fit.Slope);
                        var (gLo, gHi) = ranges[l.Group];
                        return (JsonNode)new JsonObject
                        {
                            ["group"] = l.Group, ["e"] = e, ["ratio_to_first"] = e / reference,
                            ["extrapolated"] = level < gLo - 1e-12 || level > gHi + 1e-12,
                        };
                    }).ToArray()),
                });
            }
        }
        return result;
    }

    /// <summary>The metric keys present in finished rows, in first-seen order.</summary>
    public static List<string> MetricKeys(IEnumerable<JsonObject> rows) =>
        rows.SelectMany(r => (r["metrics"] as JsonObject)?.Where(kv => kv.Value is JsonValue v && v.TryGetValue(out double _)).Select(kv => kv.Key) ?? []).Distinct().ToList();

    /// <summary>Rows grouped by the plan's fit axis ("all" when it has none).</summary>
    public static IEnumerable<(string Group, List<JsonObject> Rows)> Groups(StudyPlan plan, IReadOnlyList<JsonObject> rows) =>
        plan.FitBy is string by
            ? rows.GroupBy(r => StudyResults.Axis(r, by) ?? "?").Select(g => (g.Key, g.ToList()))
            : [("all", rows.ToList())];

    /// <summary>The run's axis values as "a=x,b=y" (every axis; seeds excluded).</summary>
    public static string Config(StudyPlan plan, JsonObject row) =>
        string.Join(",", plan.Axes.Select(a => $"{a.Name}={StudyResults.Axis(row, a.Name)}"));

    private static string ShapeKey(StudyPlan plan, JsonObject row) =>
        string.Join(",", plan.Axes.Where(a => a.Name != plan.FitBy).Select(a => $"{a.Name}={StudyResults.Axis(row, a.Name)}"));
}
