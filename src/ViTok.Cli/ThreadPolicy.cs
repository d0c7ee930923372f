using System.Globalization;
using System.Runtime.InteropServices;

namespace ViTok.Cli;

/// <summary>How many threads libtorch uses and how its OpenMP threads wait. Must run before libtorch is loaded (the
/// bundled GNU OpenMP runtime reads its environment once, when the library loads).
/// <para><c>VITOK_THREADS=N</c> (1 ≤ N): libtorch's intra-op threads; above the number of cores it is clamped with a
/// one-line warning; 0, negative or non-integer values are input errors. Unset: one thread per core, or under an MPI
/// launch the node's cores shared by its ranks (<see cref="ViTok.Distributed.MpiLaunch.DefaultThreads"/>).</para>
/// <para>OpenMP waiting: unless the user set <c>OMP_WAIT_POLICY</c> themselves, it is set to <c>PASSIVE</c>, so idle
/// OpenMP threads sleep instead of spinning. With spinning threads a process busy on another core makes every parallel
/// region wait for a descheduled spinner (measured in the README's "Performance under load").</para></summary>
public static class ThreadPolicy
{
    /// <summary>The environment variable that sets libtorch's threads.</summary>
    public const string Variable = "VITOK_THREADS";

    /// <summary>The OpenMP wait policy applied when the user did not choose one.</summary>
    public const string DefaultWaitPolicy = "PASSIVE";

    /// <summary>Reads <c>VITOK_THREADS</c>: null when unset or empty (libtorch's default, one thread per core), else the
    /// thread count, clamped to <paramref name="cores"/> with a warning.</summary>
    /// <param name="value">The variable's text (null when unset).</param>
    /// <param name="cores">Logical processors available to this process (≥ 1).</param>
    /// <returns>The thread count (or null) and a warning line (or null).</returns>
    /// <exception cref="ViTokException">The value is not an integer ≥ 1.</exception>
    public static (int? Threads, string? Warning) Resolve(string? value, int cores)
    {
        if (value is null || value.Trim().Length == 0) return (null, null);
        if (!int.TryParse(value.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) || n < 1)
            throw new ViTokException($"{Variable}='{value}': expected a whole number of threads from 1 to {cores} (this machine's cores); unset it to use every core.");
        if (n > cores)
            return (cores, $"warning: {Variable}={n} is more than this machine's {cores} cores; using {cores}.");
        return (n, null);
    }

    /// <summary>Sets the OpenMP wait policy in the native environment (when the user did not) and applies
    /// <c>VITOK_THREADS</c>. Call first thing in the process, before any TorchSharp call.</summary>
    /// <param name="warn">Receives the one-line warning, if any.</param>
    /// <exception cref="ViTokException"><c>VITOK_THREADS</c> is not a whole number ≥ 1.</exception>
    public static void Apply(Action<string> warn)
    {
        if (Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is null) SetNative("OMP_WAIT_POLICY", DefaultWaitPolicy);
        var (threads, warning) = Resolve(Environment.GetEnvironmentVariable(Variable), Environment.ProcessorCount);
        if (warning is not null) warn(warning);
        threads ??= ViTok.Distributed.MpiLaunch.DefaultThreads(Environment.ProcessorCount);
        if (threads is int n) torch.set_num_threads(n);
    }

    /// <summary>Sets a variable in the process environment that native libraries read (.NET's own
    /// <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not reach <c>getenv</c> on Unix).</summary>
    private static void SetNative(string name, string value)
    {
        Environment.SetEnvironmentVariable(name, value);
        if (!OperatingSystem.IsWindows()) _ = NativeMethods.setenv(name, value, 0);
    }
}
