using System.CommandLine;
using System.Text.Json;
using ViTok.Cli.Commands;
using ViTok.Tests.Metrics;

namespace ViTok.Tests.Cli;

[Collection(Support.TorchCollection.Name)]
public class MetricsCommandsTests
{
    private static (int Code, string Out, string Err) Invoke(params string[] args) => Support.CliRunner.Run(args);

    [Fact]
    public void MetricsPrintsPsnrAndSsimAsJson()
    {
        // Act
        var (code, stdout, _) = Invoke("metrics", "--ref", GoldenMetrics.PathOf("coffee_blur_ref.png"),
            "--test", GoldenMetrics.PathOf("coffee_blur_test.png"), "--json");

        // Assert
        Assert.Equal(0, code);
        var json = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(25.819183, json.GetProperty("psnr").GetDouble(), 4);
        Assert.True(Math.Abs(json.GetProperty("ssim").GetDouble() - 0.8528815) < 1e-5);
    }

    [Fact]
    public void FdPrintsTheDistanceAsJson()
    {
        // Act
        var (code, stdout, _) = Invoke("fd", GoldenMetrics.PathOf("fd_2_a.npy"), GoldenMetrics.PathOf("fd_2_b.npy"), "--json");

        // Assert
        Assert.Equal(0, code);
        double fd = JsonDocument.Parse(stdout).RootElement.GetProperty("frechet_distance").GetDouble();
        Assert.True(Math.Abs(fd - 120.069122) < 1e-4 * 120.069122);
    }

    [Fact]
    public void BadInputsExitWithOneAndNameTheFile()
    {
        // Act
        var (code1, _, err1) = Invoke("fd", GoldenMetrics.PathOf("fd_0_a.npy"), GoldenMetrics.PathOf("fd_1_b.npy"));
        var (code2, _, err2) = Invoke("metrics", "--ref", GoldenMetrics.PathOf("expected.json"),
            "--test", GoldenMetrics.PathOf("coffee_blur_test.png"));

        // Assert
        Assert.Equal(1, code1);
        Assert.Contains("fd_1_b.npy", err1);
        Assert.Contains("dimension", err1);
        Assert.Equal(1, code2);
        Assert.Contains("expected.json", err2);
        Assert.DoesNotContain("   at ", err1 + err2);
    }
}
