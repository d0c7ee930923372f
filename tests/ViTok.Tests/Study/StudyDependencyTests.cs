using System.Text.Json.Nodes;
using ViTok.Study;
using ViTok.Tests.Support;

namespace ViTok.Tests.Study;

public class StudyDependencyTests
{
    // Runs: kl-0, kl-1 (independent), kl-gan (starts from kl-1's run), × seeds 0, 1.
    private const string Axes = "\"axes\": [ { \"name\": \"kl\", \"key\": \"loss.kl_weight\", \"values\": [0, 1, "
        + "{ \"label\": \"gan\", \"depends_on\": \"1\", \"set\": { \"stage\": 2, \"init_from\": \"$dep/model.safetensors\", \"loss.kl_weight\": 1 } } ] } ]";

    private static StudyPlan Plan(string extra = "") => StudyPlanTests.Parse(Axes + ", \"seeds\": [0, 1]" + extra);

    [Fact]
    public void DependentRuns_NameTheirDependency_AndComeLastInAProcess()
    {
        var runs = StudyRuns.Expand(Plan());
        Assert.Equal(6, runs.Count);
        var gan1 = runs.Single(r => r.Name == "kl-gan_seed-1");
        Assert.Equal("kl-1_seed-1", gan1.DependsOn);
        Assert.Null(runs.Single(r => r.Name == "kl-1_seed-1").DependsOn);
        Assert.Contains("init_from=$dep/model.safetensors", gan1.Overrides);
        Assert.Equal(["kl-0_seed-0", "kl-0_seed-1", "kl-1_seed-0", "kl-1_seed-1", "kl-gan_seed-0", "kl-gan_seed-1"],
            StudyRuns.ExecutionOrder(runs).Select(r => r.Name));
        // Plan order puts kl-gan_seed-0 (index 4) in shard 0 of 2 and its dependency kl-1_seed-0 (index 2) too.
        Assert.Equal(["kl-0_seed-0", "kl-1_seed-0", "kl-gan_seed-0"], StudyRuns.ExecutionOrder(StudyRuns.Shard(runs, 0, 2)).Select(r => r.Name));
    }

    [Theory]
    [InlineData("{ \"label\": \"g\", \"depends_on\": \"7\", \"set\": { \"stage\": 2, \"init_from\": \"$dep/m\" } }", "depends_on \"7\": expected the label of another value")]
    [InlineData("{ \"label\": \"g\", \"depends_on\": \"g\", \"set\": { \"stage\": 2, \"init_from\": \"$dep/m\" } }", "depends_on \"g\": expected the label of another value")]
    [InlineData("{ \"label\": \"g\", \"set\": { \"stage\": 2, \"init_from\": \"$dep/m\" } }", "used without \"depends_on\"")]
    [InlineData("{ \"label\": \"g\", \"depends_on\": \"h\", \"set\": { \"stage\": 2, \"init_from\": \"$dep/m\" } }, { \"label\": \"h\", \"depends_on\": \"0\", \"set\": { \"stage\": 2, \"init_from\": \"$dep/m\" } }", "chains are not supported")]
    public void BadDependencies_AreRefused_NamingThePlace(string value, string expected)
    {
        var e = Assert.Throws<ViTokException>(() => StudyPlanTests.Parse($"\"axes\": [ {{ \"name\": \"kl\", \"key\": \"loss.kl_weight\", \"values\": [0, {value}] }} ]"));
        Assert.Contains("plan.json: axes[0].values[", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void ADependentRun_StartsFromItsDependencysFolder()
    {
        using var dir = new TempDir();
        var exec = new FakeStudyExecutor();
        var result = new StudyRunner(Plan(), dir.Path, exec, _ => { }).Run(0, 1, 0, default);
        Assert.Equal((6, 0, 0, 0), result);
        var gan = exec.Configs.Single(c => c["stage"]?.GetValue<int>() == 2 && c["seed"]!.GetValue<long>() == 1);
        Assert.Equal(Path.Combine(Path.GetFullPath(StudyResults.RunFolder(dir.Path, "kl-1_seed-1")), "model.safetensors"), gan["init_from"]!.GetValue<string>());
        Assert.Equal("done", StudyResults.ReadRow(dir.Path, "kl-gan_seed-1")!["status"]!.GetValue<string>());
    }

    [Fact]
    public void AFailedDependency_FailsItsDependentCleanly_AndALaterCallRedoesIt()
    {
        using var dir = new TempDir();
        var plan = Plan(", \"attempts\": 1");
        var exec = new FakeStudyExecutor { FailOn = (run, _) => run == "kl-1_seed-0" };
        var first = new StudyRunner(plan, dir.Path, exec, _ => { }).Run(0, 1, 0, default);
        Assert.Equal((4, 0, 2, 0), first);                                     // kl-1_seed-0 failed, so did kl-gan_seed-0
        Assert.DoesNotContain(exec.Trains, t => t.Folder.EndsWith("kl-gan_seed-0", StringComparison.Ordinal));
        var blocked = StudyResults.ReadRow(dir.Path, "kl-gan_seed-0")!;
        Assert.Equal("failed", blocked["status"]!.GetValue<string>());
        Assert.Equal("kl-1_seed-0", blocked["blocked_by"]!.GetValue<string>());
        Assert.Contains("its dependency kl-1_seed-0 failed: simulated crash", blocked["reason"]!.GetValue<string>());
        // The user removes the failed dependency's row (and its attempts) and reruns: both are done now.
        File.Delete(StudyResults.RowPath(dir.Path, "kl-1_seed-0"));
        File.Delete(Path.Combine(StudyResults.RowFolder(dir.Path), "kl-1_seed-0.attempts"));
        var again = new StudyRunner(plan, dir.Path, new FakeStudyExecutor(), _ => { }).Run(0, 1, 0, default);
        Assert.Equal((2, 4, 0, 0), again);
        Assert.Equal("done", StudyResults.ReadRow(dir.Path, "kl-gan_seed-0")!["status"]!.GetValue<string>());
    }

    [Fact]
    public void AShard_LeavesARunWhoseDependencyAnotherShardHasNotDone_ThenRunsIt()
    {
        using var dir = new TempDir();
        var plan = Plan();
        // kl-gan_seed-1 (index 5) is in shard 1 of 2; its dependency kl-1_seed-1 (index 3) is in shard 1 too; with 3 shards
        // kl-gan_seed-1 (5 mod 3 = 2) waits for kl-1_seed-1 (3 mod 3 = 0).
        var lonely = new StudyRunner(plan, dir.Path, new FakeStudyExecutor(), _ => { }) { DependencyWait = TimeSpan.Zero };
        Assert.Equal((1, 0, 0, 1), lonely.Run(2, 3, 0, default));             // kl-1_seed-0 done, kl-gan_seed-1 left
        new StudyRunner(plan, dir.Path, new FakeStudyExecutor(), _ => { }).Run(0, 3, 0, default);
        Assert.Equal((1, 1, 0, 0), new StudyRunner(plan, dir.Path, new FakeStudyExecutor(), _ => { }) { DependencyWait = TimeSpan.Zero }.Run(2, 3, 0, default));
    }

    [Fact]
    public async Task AShard_WaitsForADependencyThatAnotherShardIsRunning()
    {
        using var dir = new TempDir();
        var plan = Plan();
        new StudyRunner(plan, dir.Path, new FakeStudyExecutor(), _ => { }).Prepare();
        var log = new List<string>();
        var waiting = Task.Run(() => new StudyRunner(plan, dir.Path, new FakeStudyExecutor(), l => { lock (log) log.Add(l); })
        {
            DependencyWait = TimeSpan.FromSeconds(60), PollInterval = TimeSpan.FromMilliseconds(20),
        }.Run(2, 3, 0, default));
        SpinWait.SpinUntil(() => { lock (log) return log.Any(l => l.Contains("waiting for kl-1_seed-1", StringComparison.Ordinal)); }, TimeSpan.FromSeconds(30));
        new StudyRunner(plan, dir.Path, new FakeStudyExecutor(), _ => { }).Run(0, 3, 0, default);
        Assert.Equal((2, 0, 0, 0), await waiting.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("done", StudyResults.ReadRow(dir.Path, "kl-gan_seed-1")!["status"]!.GetValue<string>());
    }

    [Fact]
    public void RealTrainer_PhotoCrops_AndAStage2RunFromItsDependency()
    {
        using var dir = new TempDir();
        // Three small "photos" of smooth random-ish content for the photo-crops source.
        for (int k = 0; k < 3; k++)
        {
            const int h = 40, w = 72;
            var rgb = new byte[h * w * 3];
            for (int i = 0; i < rgb.Length; i++) rgb[i] = (byte)(128 + 100 * Math.Sin(i * 0.01 * (k + 1)));
            ViTok.IO.ImageIO.SavePng(rgb, h, w, dir.File($"photos/p{k}.png"));
        }
        string photos = Path.Combine(dir.Path, "photos");
        string plan = "{ \"name\": \"t\", \"base\": { \"family\": \"paper\", \"variant\": \"Sw16d1h2-Bw16d1h2/8\", \"channels\": 4, "
            + $"\"data\": {{ \"path\": \"{photos}\", \"kind\": \"photo-crops\", \"short_side\": 40, \"count\": 64 }}, \"image_size\": 16, \"batch_size\": 8, \"steps\": 3, "
            + "\"workers\": 0, \"checkpoint_every\": 2, \"sample_every\": 1000, \"log_every\": 1, \"loss\": { \"perceptual_weight\": 0 } }, "
            + "\"eval\": { \"count\": 6, \"metrics\": [\"psnr\"] }, "
            + "\"axes\": [ { \"name\": \"stage\", \"values\": [ { \"label\": \"1\", \"set\": { \"stage\": 1 } }, "
            + "{ \"label\": \"gan\", \"depends_on\": \"1\", \"set\": { \"stage\": 2, \"init_from\": \"$dep/model.safetensors\", \"steps\": 2, \"disc_channels\": 8, \"loss.gan_weight\": 0.1, \"loss.gan_start\": 0 } } ] } ] }";
        var p = StudyPlanLoader.Parse(plan, "plan.json", dir.Path);
        var result = new StudyRunner(p, Path.Combine(dir.Path, "study"), new StudyExecutor(TextWriter.Null), _ => { }).Run(0, 1, 0, default);
        Assert.Equal((2, 0, 0, 0), result);
        var gan = StudyResults.ReadRow(Path.Combine(dir.Path, "study"), "stage-gan_seed-0")!;
        Assert.Equal("done", gan["status"]!.GetValue<string>());
        Assert.Equal(2 * 2 * 4, gan["e"]!.GetValue<long>());                       // 16² crops at patch 8: 4 tokens × c 4
        Assert.InRange(gan["metrics"]!["psnr"]!.GetValue<double>(), 3, 80);
        string config = File.ReadAllText(Path.Combine(StudyResults.RunFolder(Path.Combine(dir.Path, "study"), "stage-gan_seed-0"), "config.json"));
        Assert.Contains(Path.Combine(StudyResults.RunFolder(Path.GetFullPath(Path.Combine(dir.Path, "study")), "stage-1_seed-0"), "model.safetensors"), config);
    }
}
