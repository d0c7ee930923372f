using System.Globalization;

namespace ViTok.Distributed;

/// <summary>What the environment says about an MPI launch, before MPI is started: <c>mpiexec</c> (MPICH's Hydra, Open
/// MPI) and <c>srun</c> with PMI set these variables in every process they start.</summary>
public static class MpiLaunch
{
    /// <summary>Variables that name this process's rank under a launcher (Hydra and PMI-2: <c>PMI_RANK</c>; PMIx:
    /// <c>PMIX_RANK</c>; Open MPI: <c>OMPI_COMM_WORLD_RANK</c>).</summary>
    public static readonly IReadOnlyList<string> RankVariables = ["PMI_RANK", "PMIX_RANK", "OMPI_COMM_WORLD_RANK"];

    /// <summary>Variables that give the number of ranks on this node (Hydra: <c>MPI_LOCALNRANKS</c>; Open MPI:
    /// <c>OMPI_COMM_WORLD_LOCAL_SIZE</c>).</summary>
    public static readonly IReadOnlyList<string> LocalSizeVariables = ["MPI_LOCALNRANKS", "OMPI_COMM_WORLD_LOCAL_SIZE"];

    /// <summary>True when a launcher started this process as one MPI rank.</summary>
    /// <param name="env">Reads an environment variable (null when unset); default: the process environment.</param>
    public static bool Detected(Func<string, string?>? env = null)
    {
        env ??= Environment.GetEnvironmentVariable;
        return RankVariables.Any(v => !string.IsNullOrWhiteSpace(env(v)))
               || LocalSizeVariables.Any(v => !string.IsNullOrWhiteSpace(env(v)));
    }

    /// <summary>Ranks the launcher placed on this node, or null when it does not say (or this is no MPI launch).</summary>
    public static int? RanksPerNode(Func<string, string?>? env = null)
    {
        env ??= Environment.GetEnvironmentVariable;
        foreach (var v in LocalSizeVariables)
        {
            if (int.TryParse(env(v)?.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= 1) return n;
        }
        return null;
    }

    /// <summary>libtorch threads per rank when the user did not set <c>VITOK_THREADS</c>: Slurm's
    /// <c>SLURM_CPUS_PER_TASK</c> when set (at most <paramref name="cores"/>), else the node's cores shared evenly by
    /// its ranks (at least 1); null outside a launch that says either (libtorch's default, one per core).</summary>
    /// <param name="cores">Logical processors of the node (≥ 1).</param>
    /// <param name="env">Reads an environment variable; default: the process environment.</param>
    public static int? DefaultThreads(int cores, Func<string, string?>? env = null)
    {
        env ??= Environment.GetEnvironmentVariable;
        if (int.TryParse(env("SLURM_CPUS_PER_TASK")?.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int perTask) && perTask >= 1)
            return Math.Min(perTask, cores);
        return RanksPerNode(env) is int ranks ? Math.Max(1, cores / ranks) : null;
    }
}
