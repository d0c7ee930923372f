using ViTok.Study;
using ViTok.Tests.Support;

namespace ViTok.Tests.Study;

public class StudyPlanTests
{
    internal const string Base = "\"base\": { \"family\": \"paper\", \"variant\": \"Sw16d1h2-Bw16d1h2/8\", \"channels\": 4, \"data\": \"/usr/share/datasets/fashion-mnist\", \"image_size\": 16, \"batch_size\": 8, \"steps\": 3, \"workers\": 0, \"checkpoint_every\": 2, \"sample_every\": 1000, \"log_every\": 1 }";

    internal static StudyPlan Parse(string body) => StudyPlanLoader.Parse("{ \"name\": \"t\", " + Base + ", " + body + " }", "plan.json", ".");

    [Fact]
    public void Grid_ExpandsEveryCombination_LastAxisFastest_ThenSeeds()
    {
        var plan = Parse("\"axes\": [ { \"name\": \"patch\", \"values\": [ { \"label\": \"8\", \"set\": { \"variant\": \"Sw16d1h2-Bw16d1h2/8\" } }, { \"label\": \"4\", \"set\": { \"variant\": \"Sw16d1h2-Bw16d1h2/4\" } } ] }, { \"name\": \"channels\", \"values\": [2, 4, 8] } ], \"seeds\": [0, 1]");
        var runs = StudyRuns.Expand(plan);
        Assert.Equal(12, runs.Count);
        Assert.Equal("patch-8_channels-2_seed-0", runs[0].Name);
        Assert.Equal("patch-8_channels-2_seed-1", runs[1].Name);
        Assert.Equal("patch-8_channels-4_seed-0", runs[2].Name);
        Assert.Equal("patch-4_channels-8_seed-1", runs[11].Name);
        Assert.Equal(["variant=Sw16d1h2-Bw16d1h2/4", "channels=8", "seed=1"], runs[11].Overrides);
        Assert.Equal("4", runs[11].Axes["patch"]);
        Assert.Equal(Enumerable.Range(0, 12), runs.Select(r => r.Index));
    }

    [Fact]
    public void Zip_PairsIndexWise_AndRefusesUnequalAxes()
    {
        var plan = Parse("\"pairing\": \"zip\", \"axes\": [ { \"name\": \"channels\", \"values\": [2, 4] }, { \"name\": \"lr\", \"values\": [0.001, 0.002] } ]");
        Assert.Equal(["channels-2_lr-0.001_seed-0", "channels-4_lr-0.002_seed-0"], StudyRuns.Expand(plan).Select(r => r.Name));
        var e = Assert.Throws<ViTokException>(() => Parse("\"pairing\": \"zip\", \"axes\": [ { \"name\": \"channels\", \"values\": [2, 4] }, { \"name\": \"lr\", \"values\": [0.001] } ]"));
        Assert.Contains("one length", e.Message);
    }

    [Fact]
    public void Shards_AreDisjoint_AndCoverEveryRun()
    {
        var plan = Parse("\"axes\": [ { \"name\": \"channels\", \"values\": [1, 2, 3, 4, 5, 6, 7] } ]");
        var runs = StudyRuns.Expand(plan);
        var parts = Enumerable.Range(0, 3).Select(i => StudyRuns.Shard(runs, i, 3)).ToList();
        Assert.Equal([0, 3, 6], parts[0].Select(r => r.Index));
        Assert.Equal([1, 4], parts[1].Select(r => r.Index));
        Assert.Equal(runs.Select(r => r.Name).Order(), parts.SelectMany(p => p).Select(r => r.Name).Order());
        Assert.Throws<ViTokException>(() => StudyRuns.Shard(runs, 3, 3));
    }

    [Fact]
    public void Names_KeepOnlySafeCharacters()
    {
        var plan = Parse("\"axes\": [ { \"name\": \"kl\", \"key\": \"loss.kl_weight\", \"values\": [0.001] }, { \"name\": \"variant\", \"values\": [\"Sw16d1h2-Bw16d1h2/4\"] } ]");
        var run = Assert.Single(StudyRuns.Expand(plan));
        Assert.Equal("kl-0.001_variant-Sw16d1h2-Bw16d1h2-4_seed-0", run.Name);
        Assert.Contains("loss.kl_weight=0.001", run.Overrides);
    }

    [Theory]
    [InlineData("\"axes\": [ { \"name\": \"chanels\", \"values\": [4] } ]", "chanels")]
    [InlineData("\"axes\": [ { \"name\": \"channels\", \"values\": [0] } ]", "channels")]
    [InlineData("\"axes\": [ { \"name\": \"channels\", \"values\": [4, 4] } ]", "label \"4\" repeats")]
    [InlineData("\"axes\": []", "non-empty list")]
    [InlineData("\"axes\": [ { \"name\": \"channels\", \"values\": [4] } ], \"seeds\": [1, 1]", "repeats a seed")]
    [InlineData("\"axes\": [ { \"name\": \"channels\", \"values\": [4] } ], \"pairing\": \"diagonal\"", "\"grid\" or \"zip\"")]
    [InlineData("\"axes\": [ { \"name\": \"channels\", \"values\": [4] } ], \"colour\": \"channels\"", "unknown key \"colour\"")]
    [InlineData("\"axes\": [ { \"name\": \"channels\", \"values\": [4] } ], \"eval\": { \"count\": 1, \"metrics\": [\"fd_resnet18\"] }", "at least 2 items")]
    [InlineData("\"axes\": [ { \"name\": \"channels\", \"values\": [4] } ], \"fit_by\": \"data\"", "is not an axis")]
    public void InvalidPlans_AreRefused_NamingThePlace(string body, string expected)
    {
        var e = Assert.Throws<ViTokException>(() => Parse(body));
        Assert.Contains("plan.json", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void BaseConfig_IsReadRelativeToThePlan_AndInlinedInItsJson()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("configs/base.json"), "{ \"family\": \"paper\", \"variant\": \"Sw16d1h2-Bw16d1h2/8\", \"channels\": 4, \"steps\": 5 }");
        File.WriteAllText(dir.File("plans/p.json"), "{ \"name\": \"p\", \"base_config\": \"../configs/base.json\", \"axes\": [ { \"name\": \"channels\", \"values\": [2] } ] }");
        var plan = StudyPlanLoader.Load(dir.File("plans/p.json"));
        Assert.Equal(5, plan.Base["steps"]!.GetValue<int>());
        Assert.False(plan.Json.ContainsKey("base_config"));
        Assert.Equal(5, plan.Json["base"]!["steps"]!.GetValue<int>());
    }

    [Fact]
    public void Presets_AllParse_AndQuickReachesE_ByTwoShapes()
    {
        foreach (string name in StudyPresets.Names) Assert.NotEmpty(StudyRuns.Expand(StudyPresets.Load(name)));
        var quick = StudyPresets.Load("quick");
        Assert.Equal(8, StudyRuns.Expand(quick).Count);
        Assert.Throws<ViTokException>(() => StudyPresets.Resolve("no-such-preset"));
    }

    [Theory]
    [InlineData("e-sweep", 4, 4)]
    [InlineData("e-sweep-photos", 8, 16)]
    public void ESweepPresets_SpanEightfoldE_InFourValues_WithTwoShapesMeeting(string name, int p1, int p2)
    {
        var plan = StudyPresets.Load(name);
        int side = plan.Base["image_size"]!.GetValue<int>();
        var es = StudyRuns.Expand(plan).Select(r => (Patch: int.Parse(r.Axes["patch"]), E: (side / int.Parse(r.Axes["patch"])) * (side / int.Parse(r.Axes["patch"])) * int.Parse(r.Axes["channels"]))).ToList();
        Assert.True(es.Select(e => e.E).Distinct().Count() >= 4);
        Assert.True(es.Max(e => e.E) >= 8 * es.Min(e => e.E));
        var byP1 = es.Where(e => e.Patch == p1).Select(e => e.E).ToHashSet();
        Assert.Contains(es, e => e.Patch != p1 && byP1.Contains(e.E));
        Assert.Contains(es, e => e.Patch == p2);
    }

    [Fact]
    public void SizePresets_HaveTwoSeeds_LossTradeoffHasItsGanRun_GenerationHasItsStage()
    {
        Assert.True(StudyPresets.Load("encoder-size").Seeds.Count >= 2);
        Assert.True(StudyPresets.Load("decoder-size").Seeds.Count >= 2);
        foreach (string name in new[] { "loss-tradeoff", "loss-tradeoff-photos" })
        {
            var gan = Assert.Single(StudyRuns.Expand(StudyPresets.Load(name)), r => r.DependsOn is not null);
            Assert.Equal("perceptual-1_seed-0", gan.DependsOn);
            Assert.Contains("stage=2", gan.Overrides);
            Assert.Equal([(3, 600), (1, 300)], StudyRuns.StepCounts(StudyPresets.Load(name)));
        }
        Assert.Equal("photo-crops", StudyPresets.Load("loss-tradeoff-photos").Base["data"]!["kind"]!.GetValue<string>());
        // video: the same frames as images (1 frame) beside clips at tubelets 1, 2, 4, fitted against E per frame
        var video = StudyPresets.Load("video");
        Assert.True(video.EPerFrame);
        Assert.Equal("tubelet", video.FitBy);
        var frames = StudyRuns.Expand(video).Select(r => StudyPlanLoader.Resolve(video, r, "video")["frames"]!.GetValue<int>()).ToList();
        Assert.Contains(1, frames);
        Assert.Contains(8, frames);
        var generation = StudyPresets.Load("generation");
        Assert.NotNull(generation.Generation);
        Assert.True(generation.Axes.Single(a => a.Name == "channels").Values.Count >= 3);
        Assert.Equal("photo-crops", StudyPresets.Load("e-sweep-photos").Base["data"]!["kind"]!.GetValue<string>());
        // Measured times come only from real runs (README "Scaling studies"); every preset has been run once.
        Assert.All(StudyPresets.Names, n => Assert.True(StudyPresets.Load(n).Measured is { WallMinutes: > 0 }, n));
    }

    [Fact]
    public void AnAxisThatSetsTheData_SeparatesTheFits_AndMeasuredIsKeptOutOfPlanJson()
    {
        var plan = Parse("\"axes\": [ { \"name\": \"set\", \"values\": [ { \"label\": \"fm\", \"set\": { \"data\": \"/usr/share/datasets/fashion-mnist\" } }, { \"label\": \"mf\", \"set\": { \"data.path\": \"moving-fashion-mnist\", \"data.kind\": \"moving-fashion-mnist\" } } ] }, { \"name\": \"channels\", \"values\": [4] } ], \"measured\": { \"wall_minutes\": 3.5, \"machine\": \"2 cores\" }");
        Assert.Equal("set", plan.FitBy);
        Assert.Equal(3.5, plan.Measured!.WallMinutes);
        Assert.False(plan.Json.ContainsKey("measured"));
        var e = Assert.Throws<ViTokException>(() => Parse("\"axes\": [ { \"name\": \"channels\", \"values\": [4] } ], \"measured\": { \"wall_minutes\": 0 }"));
        Assert.Contains("measured.wall_minutes", e.Message);
    }
}
