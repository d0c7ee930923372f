using System.Diagnostics;

namespace ViTok.Tests.NativeSafety;

public class NativeLifetimeStressTests
{
    /// <summary>Steps per model (paper, v2, DiT-DDPM, DiT-flow): VITOK_STRESS_STEPS, else 50 (the short CI form,
    /// ~20 s). The long form is the reproducer: before the Scalar fix, a few thousand steps crash.</summary>
    private static int Steps => int.TryParse(Environment.GetEnvironmentVariable("VITOK_STRESS_STEPS"), out int s) && s > 0 ? s : 50;

    [Fact]
    public async Task TrainingsOfEveryFamilySurviveConstantGarbageCollection()
    {
        // Arrange: the stress in its own process, so that a native abort is an exit code.
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("exec");
        psi.ArgumentList.Add(typeof(StressHost).Assembly.Location);
        psi.ArgumentList.Add("stress");
        psi.ArgumentList.Add(Steps.ToString());
        psi.Environment["VITOK_THREADS"] = "1";

        // Act
        using var p = Process.Start(psi)!;
        var stderrTask = p.StandardError.ReadToEndAsync();
        string stdout = await p.StandardOutput.ReadToEndAsync();
        string stderr = await stderrTask;
        await p.WaitForExitAsync();

        // Assert
        string tail = stderr.Length > 3000 ? stderr[^3000..] : stderr;
        Assert.True(p.ExitCode == 0, $"exit {p.ExitCode}\n{stdout}\n{tail}");
        Assert.Contains($"stress ok: {4 * Steps} steps", stdout);
    }
}
