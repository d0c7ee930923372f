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
                var pts = members.Select(r => (E: StudyResults.Number(r, "e"), Y: StudyResults.Metric(r, m)))
                    .Where(p => p.E is > 0 && p.Y is double y && double.IsFinite(y)).Select(p => (X: Math.Log2(p.E!.Value), Y: p.Y!.Value)).ToList();
                if (pts.Select(p => p.X).Distinct().Count() >= 2)
                {
                    var fit = LinearFit.Of(pts.Select(p => p.X).ToList(), pts.Select(p => p.Y).ToList());
                    fits.Add(new JsonObject
                    {
                        ["group"] = group, ["metric"] = m, ["x"] = "log2_e", ["slope"] = fit.Slope, ["intercept"] = fit.Intercept,
                        ["r2"] = double.IsFinite(fit.R2) ? fit.R2 : null, ["points"] = fit.Count,
                    });
                }
                foreach (var sameEGroup in members.GroupBy(r => StudyResults.Number(r, "e")).Where(g => g.Key is > 0))
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
        return new JsonObject { ["study"] = plan.Name, ["runs_done"] = done.Count, ["fits"] = fits, ["same_e"] = sameE, ["seed_spread"] = effects };
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
