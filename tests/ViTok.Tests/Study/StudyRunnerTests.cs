using System.Text.Json.Nodes;
using ViTok.Study;
using ViTok.Tests.Support;

namespace ViTok.Tests.Study;

public class StudyRunnerTests
{
    private static StudyPlan Plan(string extra = "") => StudyPlanTests.Parse(
        "\"axes\": [ { \"name\": \"patch\", \"values\": [ { \"label\": \"8\", \"set\": { \"variant\": \"Sw16d1h2-Bw16d1h2/8\" } }, { \"label\": \"4\", \"set\": { \"variant\": \"Sw16d1h2-Bw16d1h2/4\" } } ] }, { \"name\": \"channels\", \"values\": [4, 16] } ], \"colour_by\": \"patch\"" + extra);

    [Fact]
    public void FinishedRuns_AreSkipped_OnRerun()
    {
        using var dir = new TempDir();
        var plan = Plan();
        var exec = new FakeStudyExecutor();
        var first = new StudyRunner(plan, dir.Path, exec, _ => { }).Run(0, 1, 0, default);
        Assert.Equal((4, 0, 0, 0), first);
        Assert.Equal(4, exec.Trains.Count);
        var again = new StudyRunner(plan, dir.Path, exec, _ => { }).Run(0, 1, 0, default);
        Assert.Equal((0, 4, 0, 0), again);
        Assert.Equal(4, exec.Trains.Count);                                // nothing trained twice
    }

    [Fact]
    public void CrashedRun_ResumesFromItsCheckpoint_ThenGivesUpAfterTheAttempts()
    {
        using var dir = new TempDir();
        var plan = Plan(", \"attempts\": 2");
        var exec = new FakeStudyExecutor
        {
            FailOn = (run, attempt) => run.StartsWith("patch-8_channels-4", StringComparison.Ordinal) && attempt == 1
                                       || run.StartsWith("patch-4_channels-16", StringComparison.Ordinal),
        };
        var result = new StudyRunner(plan, dir.Path, exec, _ => { }).Run(0, 1, 0, default);
        Assert.Equal((3, 0, 1, 0), result);
        var crashed = exec.Trains.Where(t => t.Folder.EndsWith("patch-8_channels-4_seed-0", StringComparison.Ordinal)).ToList();
        Assert.Equal([false, true], crashed.Select(t => t.Resume));          // attempt 2 resumed from the checkpoint
        var failed = StudyResults.ReadRow(dir.Path, "patch-4_channels-16_seed-0")!;
        Assert.Equal("failed", failed["status"]!.GetValue<string>());
        Assert.Contains("simulated crash on attempt 2", failed["reason"]!.GetValue<string>());
        Assert.Equal(2, failed["attempts"]!.GetValue<int>());
    }

    [Fact]
    public void KilledProcess_CountsAsAnAttempt_AndTheNextCallResumes()
    {
        using var dir = new TempDir();
        var plan = Plan();
        var runs = StudyRuns.Expand(plan);
        // A process that died mid-run left an attempts count of 1 and a checkpoint, no row.
        new StudyRunner(plan, dir.Path, new FakeStudyExecutor(), _ => { }).Prepare();
        string folder = StudyResults.RunFolder(dir.Path, runs[0].Name);
        Directory.CreateDirectory(Path.Combine(folder, "checkpoints"));
        File.WriteAllText(Path.Combine(folder, "checkpoints", "step_0000002.safetensors"), "x");
        Directory.CreateDirectory(StudyResults.RowFolder(dir.Path));
        File.WriteAllText(Path.Combine(StudyResults.RowFolder(dir.Path), runs[0].Name + ".attempts"), "1\n");
        var exec = new FakeStudyExecutor();
        new StudyRunner(plan, dir.Path, exec, _ => { }).Run(0, 1, 0, default);
        Assert.True(exec.Trains.First(t => t.Folder == folder).Resume);
        Assert.Equal(2, StudyResults.ReadRow(dir.Path, runs[0].Name)!["attempts"]!.GetValue<int>());
    }

    [Fact]
    public void Shards_WriteIntoOneFolder_AndTheReportMergesThem()
    {
        using var dir = new TempDir();
        var plan = Plan();
        new StudyRunner(plan, dir.Path, new FakeStudyExecutor(), _ => { }).Run(1, 2, 0, default);
        var partial = StudyReport.Write(plan, dir.Path);
        Assert.Equal(2, partial.Done);
        Assert.Equal(["patch-8_channels-4_seed-0", "patch-4_channels-4_seed-0"], partial.Missing);
        new StudyRunner(plan, dir.Path, new FakeStudyExecutor(), _ => { }).Run(0, 2, 0, default);
        var full = StudyReport.Write(plan, dir.Path);
        Assert.Equal(4, full.Done);
        Assert.Empty(full.Missing);
        var lines = File.ReadAllLines(Path.Combine(dir.Path, "results.jsonl"));
        Assert.Equal(StudyRuns.Expand(plan).Select(r => r.Name), lines.Select(l => JsonNode.Parse(l)!["run"]!.GetValue<string>()));
        var csv = File.ReadAllLines(Path.Combine(dir.Path, "results.csv"));
        Assert.Equal(5, csv.Length);
        var header = csv[0].Split(',');
        Assert.Equal(header.Length, header.Distinct().Count());                 // the "channels" axis is "channels_axis"
        Assert.Equal(["patch", "channels_axis", "run"], header[..3]);
        // PSNR = 10 + 2·log2 E exactly in the fake: the fit must find slope 2, intercept 10, R² 1.
        var fit = full.Fits["fits"]!.AsArray().OfType<JsonObject>().Single(f => (string?)f["metric"] == "psnr");
        Assert.Equal(2, fit["slope"]!.GetValue<double>(), 9);
        Assert.Equal(10, fit["intercept"]!.GetValue<double>(), 9);
        Assert.Equal(1, fit["r2"]!.GetValue<double>(), 9);
        // E = 64 is reached by patch 8 × c 16 and by patch 4 × c 4: one same-E row per metric, zero spread here.
        var same = full.Fits["same_e"]!.AsArray().OfType<JsonObject>().Single(s => (string?)s["metric"] == "psnr");
        Assert.Equal(64, same["e"]!.GetValue<double>());
        Assert.Equal(0, same["spread"]!.GetValue<double>(), 9);
    }

    [Fact]
    public void Report_WritesPlotsOfTheExpectedSize()
    {
        using var dir = new TempDir();
        var plan = Plan(", \"seeds\": [0, 1]");
        new StudyRunner(plan, dir.Path, new FakeStudyExecutor(), _ => { }).Run(0, 1, 0, default);
        var summary = StudyReport.Write(plan, dir.Path);
        Assert.Contains(summary.Plots, p => p.EndsWith("psnr_vs_e.png", StringComparison.Ordinal));
        Assert.DoesNotContain(summary.Plots, p => p.Contains("_by_", StringComparison.Ordinal));   // two axes: no per-axis plot
        var spread = summary.Fits["seed_spread"]!.AsArray().OfType<JsonObject>().First(e => (string?)e["metric"] == "psnr");
        Assert.Equal(2, spread["seeds"]!.GetValue<int>());
        Assert.Equal(Math.Sqrt(0.005), spread["std"]!.GetValue<double>(), 9);            // psnr + 0.1·seed for seeds 0, 1
        foreach (string png in summary.Plots)
        {
            byte[] bytes = File.ReadAllBytes(png);
            Assert.True(bytes.Length > 5000, $"{png}: {bytes.Length} bytes");
            // PNG IHDR: width and height, big-endian, at bytes 16..23.
            Assert.Equal(StudyPlots.Width, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
            Assert.Equal(StudyPlots.Height, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
        }
        string md = File.ReadAllText(Path.Combine(dir.Path, "report.md"));
        Assert.Contains("8 of 8 runs done", md);
        Assert.Contains("plots/psnr_vs_e.png", md);
    }

    [Fact]
    public void SingleAxisPlan_GetsItsSeedErrorBarPlot()
    {
        using var dir = new TempDir();
        var plan = StudyPlanTests.Parse("\"axes\": [ { \"name\": \"channels\", \"values\": [4, 8, 16] } ], \"seeds\": [0, 1, 2]");
        new StudyRunner(plan, dir.Path, new FakeStudyExecutor(), _ => { }).Run(0, 1, 0, default);
        var summary = StudyReport.Write(plan, dir.Path);
        Assert.Contains(summary.Plots, p => p.EndsWith("psnr_by_channels.png", StringComparison.Ordinal));
        Assert.Equal(3, summary.Fits["seed_spread"]!.AsArray().OfType<JsonObject>().Count(e => (string?)e["metric"] == "ssim"));
    }

    [Fact]
    public void AFolderWithAnotherPlan_IsRefused()
    {
        using var dir = new TempDir();
        new StudyRunner(Plan(), dir.Path, new FakeStudyExecutor(), _ => { }).Prepare();
        var other = StudyPlanTests.Parse("\"axes\": [ { \"name\": \"channels\", \"values\": [2] } ]");
        var e = Assert.Throws<ViTokException>(() => new StudyRunner(other, dir.Path, new FakeStudyExecutor(), _ => { }).Prepare());
        Assert.Contains("different plan", e.Message);
    }

    [Fact]
    public void RealTrainerAndEvaluator_TinyStudy_EndToEnd()
    {
        if (!Directory.Exists("/usr/share/datasets/fashion-mnist")) return;         // .ci/run installs it
        using var dir = new TempDir();
        var plan = StudyPlanTests.Parse("\"eval\": { \"count\": 8, \"metrics\": [\"psnr\", \"ssim\"] }, \"axes\": [ { \"name\": \"channels\", \"values\": [2, 8] } ]");
        var log = new List<string>();
        var result = new StudyRunner(plan, dir.Path, new StudyExecutor(TextWriter.Null), log.Add).Run(0, 1, 0, default);
        Assert.Equal((2, 0, 0, 0), result);
        var row = StudyResults.ReadRow(dir.Path, "channels-8_seed-0")!;
        Assert.Equal(4 * 8, row["e"]!.GetValue<long>());                     // 16x16 at patch 8: 4 tokens × 8 channels
        Assert.Equal(4, row["tokens"]!.GetValue<long>());
        Assert.True(row["params_encoder"]!.GetValue<long>() > 0);
        double psnr = row["metrics"]!["psnr"]!.GetValue<double>();
        Assert.InRange(psnr, 3, 60);
        Assert.True(File.Exists(Path.Combine(StudyResults.RunFolder(dir.Path, "channels-8_seed-0"), "model.safetensors")));
        Assert.True(File.Exists(Path.Combine(StudyResults.RunFolder(dir.Path, "channels-8_seed-0"), "loss.png")));
        Assert.Contains(log, l => l.StartsWith("run 2 of 2: channels-8_seed-0", StringComparison.Ordinal));
    }
}
