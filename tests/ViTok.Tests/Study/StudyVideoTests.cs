using System.Text.Json.Nodes;
using ViTok.Study;
using ViTok.Tests.Support;

namespace ViTok.Tests.Study;

/// <summary>The video finding's study: images and clips on one E-per-frame axis, one fit per tubelet, and the E per
/// frame each needs for a given PSNR against the images' E.</summary>
public class StudyVideoTests
{
    private const string Clips = "\"data\": { \"path\": \"moving-fashion-mnist\", \"kind\": \"moving-fashion-mnist\" }";

    internal static StudyPlan Plan(string extra = ", \"e_per_frame\": true") => StudyPlanTests.Parse(
        "\"axes\": [ { \"name\": \"tubelet\", \"values\": [ "
        + "{ \"label\": \"image\", \"set\": { \"variant\": \"Sw16d1h2-Bw16d1h2/1x8\", \"frames\": 1, " + Clips + " } }, "
        + "{ \"label\": \"1\", \"set\": { \"variant\": \"Sw16d1h2-Bw16d1h2/1x8\", \"frames\": 4, " + Clips + " } }, "
        + "{ \"label\": \"2\", \"set\": { \"variant\": \"Sw16d1h2-Bw16d1h2/2x8\", \"frames\": 4, " + Clips + " } } ] }, "
        + "{ \"name\": \"channels\", \"values\": [4, 16, 64] } ], \"colour_by\": \"tubelet\", \"fit_by\": \"tubelet\"" + extra);

    [Fact]
    public void EPerFrame_IsTheFitsX_AndTheENeededIsReadOffEachLine()
    {
        // Arrange: PSNR = 10 + 2·log₂(E per frame) + k, k = 0 (images), 1 (q 1), 2 (q 2): at any level L the image
        // needs E = 2^((L − 10)/2) per frame and the q-tubelet clip 2^(−k/2) times that (×0.7071, ×0.5).
        using var dir = new TempDir();
        var plan = Plan();
        new StudyRunner(plan, dir.Path, new VideoFakeExecutor(), _ => { }).Run(0, 1, 0, default);

        // Act
        var summary = StudyReport.Write(plan, dir.Path);

        // Assert: per tubelet, slope 2 and intercept 10 + k against log₂(E per frame), R² 1
        var fits = summary.Fits["fits"]!.AsArray().OfType<JsonObject>().Where(f => (string?)f["metric"] == "psnr").ToList();
        Assert.Equal(["image", "1", "2"], fits.Select(f => (string)f["group"]!));
        Assert.All(fits, f => Assert.Equal("log2_e_per_frame", (string?)f["x"]));
        Assert.Equal([10.0, 11.0, 12.0], fits.Select(f => Math.Round(f["intercept"]!.GetValue<double>(), 9)));
        Assert.All(fits, f => Assert.Equal(2, f["slope"]!.GetValue<double>(), 9));
        // Rows: E per frame = tokens × c / frames (16/8)² = 4 tokens a frame, halved by q 2
        var row = StudyResults.ReadRow(dir.Path, "tubelet-2_channels-16_seed-0")!;
        Assert.Equal(128, row["e"]!.GetValue<double>());
        Assert.Equal(32, row["e_per_frame"]!.GetValue<double>());
        // E needed: levels are whole dB inside every tubelet's measured PSNR range (image 18–26, q 1 19–27, q 2 18–26 → 19–26)
        var needed = summary.Fits["e_needed"]!.AsArray().OfType<JsonObject>().Where(n => (string?)n["metric"] == "psnr").ToList();
        Assert.Equal(Enumerable.Range(19, 8).Select(l => (double)l), needed.Select(n => n["level"]!.GetValue<double>()));
        foreach (var n in needed)
        {
            double level = n["level"]!.GetValue<double>();
            var groups = n["groups"]!.AsArray().OfType<JsonObject>().ToList();
            Assert.Equal(Math.Pow(2, (level - 10) / 2), groups[0]["e"]!.GetValue<double>(), 6);
            Assert.Equal([1.0, Math.Round(Math.Pow(2, -0.5), 9), 0.5], groups.Select(g => Math.Round(g["ratio_to_first"]!.GetValue<double>(), 9)).ToList());
            Assert.All(groups, g => Assert.False(g["extrapolated"]!.GetValue<bool>()));
        }
        // One picture with every tubelet's line; the report's table
        Assert.Contains(summary.Plots, p => p.EndsWith("psnr_vs_e_by_tubelet.png", StringComparison.Ordinal));
        Assert.True(new FileInfo(summary.Plots.First(p => p.EndsWith("psnr_vs_e_by_tubelet.png", StringComparison.Ordinal))).Length > 5000);
        string md = File.ReadAllText(Path.Combine(dir.Path, "report.md"));
        Assert.Contains("E per frame each tubelet needs", md);
        Assert.Contains("(×0.50)", md);
    }

    [Fact]
    public void WithoutEPerFrame_TheFitsUseTheWholeClipsE_AndNoENeeded()
    {
        using var dir = new TempDir();
        var plan = Plan("");
        new StudyRunner(plan, dir.Path, new VideoFakeExecutor(), _ => { }).Run(0, 1, 0, default);
        var summary = StudyReport.Write(plan, dir.Path);
        var q1 = summary.Fits["fits"]!.AsArray().OfType<JsonObject>().Single(f => (string?)f["metric"] == "psnr" && (string?)f["group"] == "1");
        Assert.Equal("log2_e", (string?)q1["x"]);
        Assert.Equal(11 - 2 * Math.Log2(4), q1["intercept"]!.GetValue<double>(), 9);    // E = 4 frames × E per frame
        Assert.Null(summary.Fits["e_needed"]);
    }

    [Fact]
    public void EPerFrame_MustBeABoolean()
    {
        var e = Assert.Throws<ViTokException>(() => Plan(", \"e_per_frame\": \"yes\""));
        Assert.Contains("plan.json", e.Message);
        Assert.Contains("e_per_frame", e.Message);
    }

    /// <summary>Trains nothing; evaluates a clip of F frames at tubelet q, c channels, 16² with patch 8 to
    /// E = (F/q)·4·c and PSNR = 10 + 2·log₂(E/F) + k (k: 0 images, 1 at q 1, 2 at q 2).</summary>
    private sealed class VideoFakeExecutor : IStudyExecutor
    {
        public bool Train(JsonObject config, string runFolder, bool resume, Action<int, int> progress, CancellationToken ct)
        {
            Directory.CreateDirectory(runFolder);
            progress(1, 1);
            return true;
        }

        public JsonObject Evaluate(JsonObject config, string runFolder, StudyEval eval, CancellationToken ct)
        {
            int c = config["channels"]!.GetValue<int>(), frames = config["frames"]!.GetValue<int>();
            string variant = config["variant"]!.GetValue<string>();
            int q = int.Parse(variant[(variant.LastIndexOf('/') + 1)..variant.LastIndexOf('x')]);
            long tokens = frames / q * 4;
            double e = tokens * c, perFrame = e / frames, k = frames == 1 ? 0 : q;
            return new JsonObject
            {
                ["e"] = e, ["e_per_frame"] = perFrame, ["frames"] = frames, ["tokens"] = tokens, ["channels"] = c, ["steps"] = 3,
                ["metrics"] = new JsonObject { ["psnr"] = 10 + 2 * Math.Log2(perFrame) + k, ["ssim"] = 0.5 + 0.01 * Math.Log2(perFrame) },
            };
        }

        public JsonObject? Generate(JsonObject config, string runFolder, StudyGeneration generation, StudyEval eval, CancellationToken ct) => null;
    }
}
