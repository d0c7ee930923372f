using System.CommandLine;
using ViTok.Distributed;
using ViTok.Training;

namespace ViTok.Cli.Commands;

/// <summary><c>--distributed none|mpi</c> of the training commands: with <c>mpi</c>, every process started by
/// <c>mpiexec -n N</c> (or <c>srun</c>) is one rank of a data-parallel run (<see cref="MpiGradientSync"/>).</summary>
public sealed class DistributedOption
{
    /// <summary>The option.</summary>
    public Option<string> Option { get; } = new Option<string>("--distributed")
    {
        Description = "none: one process. mpi: data-parallel over the ranks of `mpiexec -n N` / `srun` (MPICH); each rank takes its " +
                      "1/N slice of batch_size (a multiple of N), gradients are averaged with MPI_Allreduce, rank 0 writes the run folder. " +
                      "VITOK_MPI_TIMEOUT (seconds, default 600) bounds every collective.",
        DefaultValueFactory = _ => "none",
    }.AcceptOnlyFromAmong("none", "mpi");

    /// <summary>Starts the chosen engine: the single-process hooks, or MPI (printing, on rank 0, which process is
    /// which rank, so that the launcher's messages about a PID name the rank).</summary>
    /// <exception cref="ViTokException">MPI cannot start (library missing, bad VITOK_MPI_TIMEOUT).</exception>
    public static (IGradientSync Sync, MpiGradientSync? Mpi) Start(string mode)
    {
        if (mode != "mpi") return (SingleProcessSync.Instance, null);
        var world = MpiWorld.Start();
        if (world.Rank == 0)
            Console.Error.WriteLine($"mpi: {world.Size} ranks, collective timeout {world.Timeout.TotalSeconds:0.###} s; " +
                                    string.Join("; ", world.Describe().Split('\n')));
        var sync = new MpiGradientSync(world);
        return (sync, sync);
    }

    /// <summary>After a run that ended normally on this rank: reports the all-reduce share of time (rank 0), frees the
    /// buffer and finalises MPI (a barrier first). A rank that failed does not come here: its exit ends the job
    /// through the launcher, or the other ranks' collective timeout does.</summary>
    public static void Finish(MpiGradientSync? mpi)
    {
        if (mpi is null) return;
        if (mpi.Rank == 0)
            Console.Error.WriteLine($"mpi: {mpi.AllReduceSeconds:0.###} s in the gradient all-reduce on rank 0 (copies and waiting for the slowest rank included)");
        mpi.Dispose();
        mpi.World.Dispose();
    }
}
