using System.Text.Json;
using ViTok.Tests.Support;

namespace ViTok.Tests.Cli;

/// <summary><c>vitok bench</c> on tiny models: the JSON keys and how its figures relate (no timed asserts).</summary>
[Collection(TorchCollection.Name)]
public class BenchCommandTests
{
    private const string Tiny = "Sw32d1h2-Bw32d1h2/4";

    private static string[] Args(string mode, params string[] extra) =>
        ["bench", mode, "--variant", Tiny, "--channels", "4", "--size", "16", "--batch", "2", "--warmup", "1", "--repeats", "3", "--roof-size", "64", "--json", .. extra];

    private static double Gmacs()
    {
        var info = CliRunner.Run("info", Tiny, "--channels", "4", "--size", "16", "--json");
        Assert.True(info.Exit == 0, info.Err);
        return JsonDocument.Parse(info.Out).RootElement.GetProperty("gmacs_total").GetDouble();
    }

    [Fact]
    public void InferencePrintsItsFiguresAsJson()
    {
        // Act
        var r = CliRunner.Run(Args("both"));

        // Assert
        Assert.True(r.Exit == 0, r.Err);
        var j = JsonDocument.Parse(r.Out).RootElement;
        Assert.Equal("both", j.GetProperty("mode").GetString());
        var seconds = j.GetProperty("seconds").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(3, seconds.Length);
        Assert.Equal(3, j.GetProperty("repeats").GetInt32());
        Assert.Equal(seconds.Order().ElementAt(1), j.GetProperty("seconds_median").GetDouble(), 6);
        Assert.Equal(seconds.Min(), j.GetProperty("seconds_min").GetDouble(), 6);
        Assert.Equal(seconds.Max(), j.GetProperty("seconds_max").GetDouble(), 6);
        Assert.Equal(2 / j.GetProperty("seconds_median").GetDouble(), j.GetProperty("images_per_second").GetDouble(), 0.01 * j.GetProperty("images_per_second").GetDouble());
        Assert.Equal(2 * 2 * Gmacs(), j.GetProperty("gflop_per_repeat").GetDouble(), 3);
        double achieved = j.GetProperty("achieved_gflops").GetDouble(), roof = j.GetProperty("roof_gflops").GetDouble();
        Assert.True(achieved > 0 && roof > 0);
        // achieved and roof are printed to 3 decimals, the share to 4 (from the unrounded values): the share must lie
        // within what the rounded figures allow.
        double share = j.GetProperty("roof_share").GetDouble();
        Assert.InRange(share, (achieved - 5e-4) / (roof + 5e-4) - 5e-5, (achieved + 5e-4) / Math.Max(roof - 5e-4, 1e-9) + 5e-5);
        Assert.True(j.GetProperty("peak_rss_mb").GetDouble() > 10);
        Assert.Equal("f32", j.GetProperty("dtype").GetString());
        Assert.False(j.TryGetProperty("profile", out _));
    }

    [Fact]
    public void InferenceProfileSplitsTheTimeIntoModelComponentsAndReportsTheShapeRoof()
    {
        // Act: a tiny ViTok-v2 model (its layers carry the component timers)
        var r = CliRunner.Run("bench", "encode", "--family", "v2", "--variant", "w32_d2_h2/1x4x8", "--size", "16", "--batch", "2",
            "--warmup", "1", "--repeats", "2", "--roof-size", "64", "--profile", "--json");

        // Assert: the components cover the timed wall time; attention, MLP and norms were seen; the shape roof is
        // from the encoder's 2·4 + 2 linear calls
        Assert.True(r.Exit == 0, r.Err);
        var j = JsonDocument.Parse(r.Out).RootElement;
        var profile = j.GetProperty("profile");
        string[] parts = ["attn_proj", "attn_core", "mlp_gemm", "mlp_gate", "norm", "rope", "residual", "other"];
        Assert.Equal(parts, profile.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.True(Math.Abs(1.0 - parts.Sum(p => profile.GetProperty(p).GetDouble())) < 0.01, r.Out);
        Assert.All(parts, p => Assert.InRange(profile.GetProperty(p).GetDouble(), 0.0, 1.0));
        Assert.True(profile.GetProperty("attn_proj").GetDouble() + profile.GetProperty("mlp_gemm").GetDouble() > 0, r.Out);
        Assert.Equal(10, j.GetProperty("shape_roof_calls").GetInt32());
        double achieved = j.GetProperty("achieved_gflops").GetDouble(), roof = j.GetProperty("shape_roof_gflops").GetDouble();
        Assert.True(roof > 0);
        // Both GFLOP/s figures are printed to 3 decimals, the share to 4 from the unrounded values.
        Assert.InRange(j.GetProperty("shape_roof_share").GetDouble(), (achieved - 5e-4) / (roof + 5e-4) - 5e-5, (achieved + 5e-4) / Math.Max(roof - 5e-4, 1e-9) + 5e-5);
    }

    [Fact]
    public void TrainStepProfileSplitsTheWholeStep()
    {
        // Act
        var r = CliRunner.Run(Args("train-step", "--profile"));

        // Assert: the phases cover the timed wall time; the step's work is counted three times the forward pass
        Assert.True(r.Exit == 0, r.Err);
        var j = JsonDocument.Parse(r.Out).RootElement;
        Assert.Equal("train-step", j.GetProperty("mode").GetString());
        var profile = j.GetProperty("profile");
        string[] phases = ["data", "forward", "backward", "optimiser", "other"];
        Assert.Equal(phases, profile.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(1.0, phases.Sum(p => profile.GetProperty(p).GetDouble()), 2);
        Assert.True(profile.GetProperty("forward").GetDouble() > 0 && profile.GetProperty("backward").GetDouble() > 0 && profile.GetProperty("optimiser").GetDouble() > 0);
        Assert.Equal(3 * 2 * 2 * Gmacs(), j.GetProperty("gflop_per_repeat").GetDouble(), 3);
        Assert.Empty(Directory.EnumerateDirectories(Path.GetTempPath(), $"vitok-bench-{Environment.ProcessId}-*"));
    }

    [Fact]
    public void CompareRunsBothSettingsAndReportsTheSpeedupAndTheBf16Agreement()
    {
        // Arrange
        string[] photos = [.. Directory.GetFiles(RepoPaths.Fixtures("vitok-v2", "pipeline"), "*.png").Where(p => !p.EndsWith(".recon.png", StringComparison.Ordinal)).Order()];

        // Act
        var r = CliRunner.Run([.. Args("both", "--compare", "dtype=bf16", "--images"), .. photos]);

        // Assert
        Assert.True(r.Exit == 0, r.Err);
        var j = JsonDocument.Parse(r.Out).RootElement;
        Assert.Equal("f32", j.GetProperty("a").GetProperty("dtype").GetString());
        Assert.Equal("bf16", j.GetProperty("b").GetProperty("dtype").GetString());
        var a = j.GetProperty("a").GetProperty("seconds").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var b = j.GetProperty("b").GetProperty("seconds").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var perRound = a.Zip(b, (x, y) => x / y).Order().ToArray();
        // The seconds are printed to 6 decimals (a tiny model's pass takes about a millisecond), the speed-ups to 4 from
        // the unrounded times: allow 1 % for that rounding instead of comparing at a fixed decimal place.
        Assert.Equal(perRound[1], j.GetProperty("speedup").GetDouble(), 0.01 * perRound[1]);
        Assert.Equal(perRound[0], j.GetProperty("speedup_min").GetDouble(), 0.01 * perRound[0]);
        Assert.Equal(perRound[2], j.GetProperty("speedup_max").GetDouble(), 0.01 * perRound[2]);
        var psnr = j.GetProperty("psnr_b_vs_a_db").EnumerateArray().ToArray();
        Assert.Equal(3, psnr.Length);
        Assert.All(psnr, p => Assert.True(p.ValueKind == JsonValueKind.Null || p.GetDouble() >= 40, $"bf16 vs f32: {p}"));
    }

    [Theory]
    [InlineData("--compare", "colour=red", "unknown key 'colour'")]
    [InlineData("--compare", "dtype=f32", "setting B equals A")]
    [InlineData("--images", "x.png", "--images needs --compare")]
    [InlineData("--size", "16x32", "give a square size such as --size 16")]
    public void BadSettingsAreOneLineAndExitOne(string option, string value, string message)
    {
        // Act
        string[] args = option == "--size"
            ? [.. Args("train-step").Select(a => a == "16" ? value : a)]
            : Args("both", option, value);
        var r = CliRunner.Run(args);

        // Assert
        Assert.Equal(1, r.Exit);
        Assert.Contains(message, r.Err);
        Assert.DoesNotContain("   at ", r.Err);
    }
}
