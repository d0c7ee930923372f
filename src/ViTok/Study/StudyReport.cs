using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ViTok.IO;

namespace ViTok.Study;

/// <summary>Merges whatever rows a study folder holds (from any number of shards) into results.jsonl, results.csv,
/// fits.json, plots/*.png and report.md, and says which runs are missing or failed.</summary>
public static class StudyReport
{
    /// <summary>Reads <c>plan.json</c> of a study folder.</summary>
    /// <exception cref="ViTokException">The folder holds no plan.json (not a study folder).</exception>
    public static StudyPlan ReadPlan(string study)
    {
        string path = Path.Combine(study, "plan.json");
        if (!File.Exists(path)) throw new ViTokException($"{study}: not a study folder (no plan.json); give the folder `vitok study run --out` wrote.");
        return StudyPlanLoader.Parse(File.ReadAllText(path), path, study);
    }

    /// <summary>Writes every output of the report.</summary>
    /// <exception cref="IOException">A file cannot be written.</exception>
    public static StudyReportSummary Write(StudyPlan plan, string study)
    {
        var runs = StudyRuns.Expand(plan);
        var rows = StudyResults.Read(study, runs);
        StudyResults.WriteTables(study, rows, plan.Axes.Select(a => a.Name).ToList());
        var fits = StudyFits.Compute(plan, rows);
        AtomicFile.WriteAllText(Path.Combine(study, "fits.json"), fits.ToJsonString(Json.Options) + "\n");
        var done = rows.Where(StudyResults.IsDone).ToList();
        var plots = new List<string>();
        string plotDir = Path.Combine(study, "plots");
        var metrics = StudyFits.MetricKeys(done);
        foreach (var (group, members) in StudyFits.Groups(plan, done))
        {
            foreach (string m in metrics)
            {
                var fit = fits["fits"]!.AsArray().OfType<JsonObject>().FirstOrDefault(f => (string?)f["group"] == group && (string?)f["metric"] == m);
                LinearFit? line = fit is null ? null : new LinearFit(fit["slope"]!.GetValue<double>(), fit["intercept"]!.GetValue<double>(), fit["r2"]?.GetValue<double>() ?? double.NaN, fit["points"]!.GetValue<int>());
                if (members.Select(r => StudyFits.EValue(plan, r)).Distinct().Count() < 2) continue;
                plots.Add(StudyPlots.MetricVsE(plan, members, m, group, line, Path.Combine(plotDir, $"{Safe(m)}_vs_e{(group == "all" ? "" : "_" + Safe(group))}.png")));
            }
        }
        var groups = StudyFits.Groups(plan, done).ToList();
        if (plan.FitBy is not null && groups.Count >= 2)
            foreach (string m in metrics)
                if (groups.Count(g => g.Rows.Select(r => StudyFits.EValue(plan, r)).Distinct().Count() >= 2) >= 2)
                    plots.Add(StudyPlots.MetricVsEGroups(plan, groups, fits["fits"]!.AsArray(), m, Path.Combine(plotDir, $"{Safe(m)}_vs_e_by_{Safe(plan.FitBy)}.png")));
        var effects = fits["seed_spread"]!.AsArray();
        if (plan.Axes.Count == 1 && plan.Axes[0].Values.Count >= 2)
            foreach (string m in metrics)
                if (effects.OfType<JsonObject>().Count(e => (string?)e["metric"] == m) >= 2)
                    plots.Add(StudyPlots.AxisEffect(plan, effects, plan.Axes[0].Name, m, Path.Combine(plotDir, $"{Safe(m)}_by_{Safe(plan.Axes[0].Name)}.png")));
        string? fd = metrics.FirstOrDefault(m => m.StartsWith("fd", StringComparison.Ordinal) || m == "fid" || m.StartsWith("perceptual", StringComparison.Ordinal));
        if (fd is not null && metrics.Contains("psnr") && done.Count >= 2)
            plots.Add(StudyPlots.Tradeoff(plan, done, "psnr", fd, Path.Combine(plotDir, $"{Safe(fd)}_vs_psnr.png")));
        if (done.Any(r => StudyResults.Metric(r, StudyGeneration.Metric) is not null) && GenerationAxis(plan) is string genAxis)
            plots.Add(StudyPlots.Generation(plan, done, genAxis, Path.Combine(plotDir, $"generation_by_{Safe(genAxis)}.png")));
        var missing = runs.Where(r => rows.All(x => (string?)x["run"] != r.Name)).Select(r => r.Name).ToList();
        int failed = rows.Count(r => (string?)r["status"] == "failed");
        var summary = new StudyReportSummary(runs.Count, done.Count, failed, missing, fits, plots);
        AtomicFile.WriteAllText(Path.Combine(study, "report.md"), Markdown(plan, study, rows, summary));
        return summary;
    }

    private static string Markdown(StudyPlan plan, string study, IReadOnlyList<JsonObject> rows, StudyReportSummary s)
    {
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.Append($"# Study `{plan.Name}`\n\n{plan.Description}\n\n");
        md.Append($"{s.Done} of {s.Runs} runs done, {s.Failed} failed, {s.Missing.Count} missing.\n\n");
        if (s.Missing.Count > 0) md.Append("Missing (rerun `vitok study run` with the same plan and --out): ").AppendJoin(", ", s.Missing.Select(m => $"`{m}`")).Append("\n\n");
        foreach (var f in rows.Where(r => (string?)r["status"] == "failed"))
            md.Append($"- failed: `{f["run"]}` after {f["attempts"]} attempts: {f["reason"]}\n");
        if (plan.Generation is { } g)
            md.Append($"Generation (Finding 2): each tokenizer's training data encoded ({(g.EncodeCount > 0 ? g.EncodeCount.ToString(inv) : "all")} items), a DiT "
                + $"({g.Dit["variant"]}, {g.Dit["steps"]} steps) trained on the latents, {g.Samples} samples at guidance {g.Cfg.ToString(inv)}: "
                + $"`{StudyGeneration.Metric}` is their Fréchet distance to real items on ImageNet ResNet18 features (gFD-ResNet18, not FID); "
                + "`fd_resnet18` is the same distance for reconstructions (rFD-ResNet18).\n\n");
        var fits = s.Fits["fits"]!.AsArray().OfType<JsonObject>().ToList();
        if (fits.Count > 0)
        {
            md.Append("\n## Fits against log₂E\n\n| group | metric | slope per doubling of E | intercept | R² | points |\n| --- | --- | --- | --- | --- | --- |\n");
            foreach (var f in fits)
                md.Append(string.Format(inv, "| {0} | {1} | {2:F4} | {3:F3} | {4} | {5} |\n", f["group"], f["metric"], f["slope"]!.GetValue<double>(), f["intercept"]!.GetValue<double>(),
                    f["r2"] is JsonValue r ? r.GetValue<double>().ToString("F3", inv) : "n/a", f["points"]));
        }
        var sameE = s.Fits["same_e"]!.AsArray().OfType<JsonObject>().ToList();
        if (sameE.Count > 0)
        {
            md.Append("\n## The same E by different shapes\n\n| group | metric | E | shapes (mean) | spread |\n| --- | --- | --- | --- | --- |\n");
            foreach (var e in sameE)
                md.Append(string.Format(inv, "| {0} | {1} | {2} | {3} | {4:F4} |\n", e["group"], e["metric"], e["e"],
                    string.Join("; ", e["shapes"]!.AsArray().OfType<JsonObject>().Select(x => string.Format(inv, "{0}: {1:F4}", x["shape"], x["mean"]!.GetValue<double>()))),
                    e["spread"]!.GetValue<double>()));
        }
        var needed = (s.Fits["e_needed"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        if (needed.Count > 0)
        {
            string unit = plan.EPerFrame ? "E per frame" : "E";
            var names = needed[0]["groups"]!.AsArray().OfType<JsonObject>().Select(g => (string)g["group"]!).ToList();
            md.Append($"\n## The {unit} each {plan.FitBy} needs for a given quality (read off its fitted line)\n\n| metric | level | ")
                .AppendJoin(" | ", names.Select(n => $"{plan.FitBy} {n}: {unit} (× the first)")).Append(" |\n| --- | --- |").Append(string.Concat(names.Select(_ => " --- |"))).Append('\n');
            foreach (var row in needed)
                md.Append(string.Format(inv, "| {0} | {1} | ", row["metric"], row["level"]))
                    .AppendJoin(" | ", row["groups"]!.AsArray().OfType<JsonObject>().Select(g => string.Format(inv, "{0:F0} (×{1:F2}){2}",
                        g["e"]!.GetValue<double>(), g["ratio_to_first"]!.GetValue<double>(), g["extrapolated"]!.GetValue<bool>() ? ", extrapolated" : "")))
                    .Append(" |\n");
        }
        var effects = s.Fits["seed_spread"]!.AsArray().OfType<JsonObject>().ToList();
        if (effects.Count > 0)
        {
            md.Append("\n## Per configuration (mean ± std over seeds)\n\n| configuration | metric | mean | std | seeds |\n| --- | --- | --- | --- | --- |\n");
            foreach (var e in effects)
                md.Append(string.Format(inv, "| {0} | {1} | {2:F4} | {3:F4} | {4} |\n", e["config"], e["metric"], e["mean"]!.GetValue<double>(), e["std"]!.GetValue<double>(), e["seeds"]));
        }
        if (s.Plots.Count > 0)
        {
            md.Append("\n## Plots\n\n");
            foreach (string p in s.Plots) md.Append($"![{Path.GetFileNameWithoutExtension(p)}]({Path.GetRelativePath(study, p).Replace('\\', '/')})\n\n");
        }
        md.Append("\nRows: `results.jsonl`, `results.csv`; fits: `fits.json`; each run's training folder: `runs/NAME/` (loss.png, metrics.jsonl).\n");
        return md.ToString();
    }

    // The axis a generation study varies: the one named "channels" (Finding 2), else the first.
    private static string? GenerationAxis(StudyPlan plan) =>
        plan.Axes.FirstOrDefault(a => a.Name == "channels")?.Name ?? plan.Axes.FirstOrDefault()?.Name;

    private static string Safe(string s) => StudyRuns.Clean(s);
}
