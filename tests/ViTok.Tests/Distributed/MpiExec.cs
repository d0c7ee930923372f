using System.Diagnostics;

namespace ViTok.Tests.Distributed;

/// <summary>Runs a command under <c>mpiexec -n N</c> and collects its exit code and output.</summary>
public static class MpiExec
{
    /// <summary>The mpiexec on the PATH, or null.</summary>
    public static string? Path { get; } = (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Select(d => System.IO.Path.Combine(d, "mpiexec"))
        .FirstOrDefault(File.Exists);

    /// <summary>Runs <paramref name="args"/> on <paramref name="ranks"/> ranks with VITOK_THREADS=1 and the given
    /// extra environment; kills the job after <paramref name="limit"/>.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> Run(int ranks, IEnumerable<string> args,
        IReadOnlyDictionary<string, string>? env = null, TimeSpan? limit = null)
    {
        var psi = new ProcessStartInfo(Path ?? "mpiexec")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("-n");
        psi.ArgumentList.Add(ranks.ToString());
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["VITOK_THREADS"] = "1";
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(limit ?? TimeSpan.FromMinutes(3));
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
            return (-1, await stdout, "killed after the limit\n" + await stderr);
        }
        return (p.ExitCode, await stdout, await stderr);
    }

    /// <summary>The arguments that run this test assembly as a program.</summary>
    public static string[] TestHost(params string[] args) => ["dotnet", "exec", typeof(MpiExec).Assembly.Location, .. args];
}
