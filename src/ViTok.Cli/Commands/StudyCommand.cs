using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using ViTok.Data;
using ViTok.Study;

namespace ViTok.Cli.Commands;

/// <summary><c>vitok study run | report | presets</c>: the paper's scaling study as one command (plans, presets,
/// resumable and shardable runs, fits, plots, report).</summary>
public static class StudyCommand
{
    /// <summary>Builds the command with its subcommands.</summary>
    public static Command Create()
    {
        var cmd = new Command("study", "Scaling studies: train and evaluate a grid of tokenizers, fit metrics against E = tokens × channels, plot, report.")
        {
            RunCommand(), ReportCommand(), PresetsCommand(),
        };
        return cmd;
    }

    private static Command RunCommand()
    {
        var plan = new Argument<string>("plan") { Description = "A plan file (JSON) or a preset name (see `vitok study presets`)." };
        var output = CommonOptions.Output("Study folder (e.g. studies/NAME): plan.json, runs/, results/, results.jsonl/.csv, fits.json, plots/, report.md.", required: true);
        var shard = new Option<string>("--shard") { Description = "Run only the runs j with j mod N = i (i/N), as one of N processes or array jobs.", DefaultValueFactory = _ => "0/1" };
        var minutes = new Option<double>("--max-minutes") { Description = "Stop starting runs after M minutes (0 = no limit); the run in progress saves and resumes on the next call.", DefaultValueFactory = _ => 0 }.Range(0, 1e7);
        var wait = new Option<double>("--wait-minutes") { Description = "A run that starts from another shard's run (depends_on) waits this long for it, then is left for a later call.", DefaultValueFactory = _ => 60 }.Range(0, 1e7);
        var json = CommonOptions.Json("Print one JSON object when done: study, runs, done, skipped, failed, left, missing, fits (the report's).");
        var cmd = new Command("run", "Run a study plan (or a preset) into a study folder; finished runs are skipped, interrupted ones resume, then the report is written.")
        {
            plan, shard, minutes, wait, json,
        };
        output.AddTo(cmd);
        cmd.SetAction(parse => CommandRunner.Run(() =>
        {
            var p = StudyPresets.Resolve(parse.GetValue(plan)!);
            var s = ShardSpec.Parse(parse.GetValue(shard)!);
            string folder = output.Get(parse)!;
            bool asJson = parse.GetValue(json);
            Action<string> log = JsonOut.Log(asJson);
            using var cts = new CancellationTokenSource();
            int signal = 0;
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; signal = 143; cts.Cancel(); });
            using var intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; signal = 130; cts.Cancel(); });
            var runner = new StudyRunner(p, folder, new StudyExecutor(Console.Error), log) { DependencyWait = TimeSpan.FromMinutes(parse.GetValue(wait)) };
            var (done, skipped, failed, left) = runner.Run(s.Index, s.Count, parse.GetValue(minutes), cts.Token);
            var summary = StudyReport.Write(p, folder);
            log($"study {p.Name}: shard {s}: {done} run(s) done now, {skipped} skipped (done before), {failed} failed, {left} left for a later call");
            log($"report: {Path.Combine(folder, "report.md")} ({summary.Done} of {summary.Runs} runs done in the folder{(summary.Missing.Count > 0 ? $", {summary.Missing.Count} missing" : "")})");
            if (asJson) JsonOut.Print(Summary(p, folder, summary, done, skipped, failed, left));
            return signal != 0 ? signal : 0;
        }));
        return cmd;
    }

    private static Command ReportCommand()
    {
        var folder = new Argument<string>("folder") { Description = "A study folder written by `vitok study run`." };
        var json = CommonOptions.Json("Print one JSON object: study, runs, done, failed, missing, fits.");
        var cmd = new Command("report", "Merge the rows of a study folder (from any number of shards) into results, fits, plots and report.md; name missing runs.") { folder, json };
        cmd.SetAction(parse => CommandRunner.Run(() =>
        {
            string f = parse.GetValue(folder)!;
            var p = StudyReport.ReadPlan(f);
            var summary = StudyReport.Write(p, f);
            if (parse.GetValue(json)) JsonOut.Print(Summary(p, f, summary, null, null, null, null));
            else
            {
                Console.WriteLine($"study {p.Name}: {summary.Done} of {summary.Runs} runs done, {summary.Failed} failed, {summary.Missing.Count} missing");
                foreach (string m in summary.Missing) Console.WriteLine($"  missing: {m}");
                foreach (var fit in summary.Fits["fits"]!.AsArray().OfType<JsonObject>())
                    Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "  {0} vs log2 E ({1}): slope {2:F4}, R² {3}", fit["metric"], fit["group"], fit["slope"]!.GetValue<double>(),
                        fit["r2"] is JsonValue r ? r.GetValue<double>().ToString("F3", CultureInfo.InvariantCulture) : "n/a"));
                Console.WriteLine($"report: {Path.Combine(f, "report.md")}");
            }
            return 0;
        }));
        return cmd;
    }

    private static Command PresetsCommand()
    {
        var json = CommonOptions.Json("Print one JSON object: presets (name, description, runs, steps_per_run (the base config's), runs_by_steps ([{runs, steps}] from each run's own config), measured_minutes, measured_on; null = not measured).");
        var cmd = new Command("presets", "List the shipped study plans with their run counts and measured wall time (\"not measured\" until a real run fills it in).") { json };
        cmd.SetAction(parse => CommandRunner.Run(() =>
        {
            var rows = StudyPresets.Names.Select(n => (Name: n, Plan: StudyPresets.Load(n))).ToList();
            if (parse.GetValue(json))
            {
                JsonOut.Print(new JsonObject
                {
                    ["presets"] = new JsonArray(rows.Select(r => (JsonNode)new JsonObject
                    {
                        ["name"] = r.Name, ["description"] = r.Plan.Description, ["runs"] = StudyRuns.Expand(r.Plan).Count,
                        ["steps_per_run"] = r.Plan.Base["steps"]?.GetValue<int>(),
                        ["runs_by_steps"] = new JsonArray(StudyRuns.StepCounts(r.Plan).Select(c => (JsonNode)new JsonObject { ["runs"] = c.Runs, ["steps"] = c.Steps }).ToArray()),
                        ["measured_minutes"] = r.Plan.Measured?.WallMinutes, ["measured_on"] = r.Plan.Measured?.Machine,
                    }).ToArray()),
                });
            }
            else
            {
                int width = rows.Max(r => r.Name.Length);
                foreach (var r in rows)
                {
                    string measured = r.Plan.Measured is { } m ? string.Format(CultureInfo.InvariantCulture, "measured {0:0.#} min ({1})", m.WallMinutes, m.Machine) : "not measured";
                    string steps = string.Join(" + ", StudyRuns.StepCounts(r.Plan).Select(c => $"{c.Runs} × {c.Steps}"));
                    Console.WriteLine($"{r.Name.PadRight(width)}  {StudyRuns.Expand(r.Plan).Count,3} runs: {steps} steps{(r.Plan.Generation is null ? "" : " + DiT")}  {measured}");
                    Console.WriteLine($"{"".PadRight(width)}  {r.Plan.Description}");
                }
            }
            return 0;
        }));
        return cmd;
    }

    private static JsonObject Summary(StudyPlan p, string folder, StudyReportSummary s, int? done, int? skipped, int? failed, int? left) => new()
    {
        ["study"] = Path.GetFullPath(folder), ["name"] = p.Name, ["runs"] = s.Runs, ["done_total"] = s.Done, ["failed_total"] = s.Failed,
        ["done"] = done, ["skipped"] = skipped, ["failed"] = failed, ["left"] = left,
        ["missing"] = new JsonArray(s.Missing.Select(m => (JsonNode?)m).ToArray()),
        ["report"] = Path.GetFullPath(Path.Combine(folder, "report.md")), ["fits"] = s.Fits.DeepClone(),
    };
}
