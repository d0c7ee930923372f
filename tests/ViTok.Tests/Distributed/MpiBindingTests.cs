using ViTok.Distributed;

namespace ViTok.Tests.Distributed;

public class MpiBindingTests
{
    [RequiresMpiFact]
    public async Task TwoRanksSumBroadcastGatherAndAverageGradientsExactly()
    {
        // Act: MpiHost's checks on 2 ranks (sums, a view, broadcasts, gather, gradient average vs the full batch).
        var (code, stdout, stderr) = await MpiExec.Run(2, MpiExec.TestHost("mpi", "check"));

        // Assert
        Assert.True(code == 0, $"exit {code}\n{stdout}\n{Tail(stderr)}");
        Assert.Contains("mpi ok rank 0/2", stdout);
        Assert.Contains("mpi ok rank 1/2", stdout);
    }

    [RequiresMpiFact]
    public async Task AStuckRankEndsTheJobWithItsRankInTheMessageAndTheExitCode()
    {
        // Act: rank 1 of 2 never reaches the all-reduce; the timeout is 3 s.
        var (code, stdout, stderr) = await MpiExec.Run(2, MpiExec.TestHost("mpi", "hang"),
            new Dictionary<string, string> { [MpiWorld.TimeoutVariable] = "3" }, TimeSpan.FromSeconds(90));

        // Assert: exit 32 + 1, one line naming rank 1, and the all-reduce never "completed".
        Assert.True(code == MpiWorld.ExitCodeFor(1), $"exit {code} (expected {MpiWorld.ExitCodeFor(1)})\n{stdout}\n{Tail(stderr)}");
        Assert.Contains("error: MPI rank 1 (", stderr);
        Assert.Contains("did not reach the test all-reduce", stderr);
        Assert.DoesNotContain("completed", stdout);
    }

    [Theory]
    [InlineData(null, 600.0)]
    [InlineData(" ", 600.0)]
    [InlineData("2.5", 2.5)]
    public void TheTimeoutComesFromTheEnvironment(string? text, double seconds) =>
        Assert.Equal(seconds, MpiWorld.ParseTimeout(text).TotalSeconds);

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("ten")]
    [InlineData("nan")]
    public void ABadTimeoutNamesTheVariable(string text)
    {
        var e = Assert.Throws<ViTokException>(() => MpiWorld.ParseTimeout(text));
        Assert.StartsWith($"{MpiWorld.TimeoutVariable}='{text}'", e.Message);
    }

    [Fact]
    public void ExitCodesNameTheRankAndStayClearOfSignalsAndTheCliCodes()
    {
        Assert.Equal(32, MpiWorld.ExitCodeFor(0));
        Assert.Equal(39, MpiWorld.ExitCodeFor(7));
        Assert.Equal(126, MpiWorld.ExitCodeFor(94));
        Assert.Equal(126, MpiWorld.ExitCodeFor(5000));
        Assert.Equal(MpiWorld.UnknownRankExitCode, MpiWorld.ExitCodeFor(-1));
        Assert.All(Enumerable.Range(0, 200).Select(MpiWorld.ExitCodeFor), c => Assert.InRange(c, 32, 126));
    }

    [Fact]
    public void ThreadsPerRankShareTheNodesCores()
    {
        static Func<string, string?> Env(params (string, string)[] vars) => k => vars.FirstOrDefault(v => v.Item1 == k).Item2;
        Assert.False(MpiLaunch.Detected(Env()));
        Assert.Null(MpiLaunch.DefaultThreads(16, Env()));
        Assert.True(MpiLaunch.Detected(Env(("PMI_RANK", "1"), ("PMI_SIZE", "2"))));
        Assert.Equal(4, MpiLaunch.DefaultThreads(16, Env(("PMI_RANK", "1"), ("MPI_LOCALNRANKS", "4"))));
        Assert.Equal(1, MpiLaunch.DefaultThreads(2, Env(("OMPI_COMM_WORLD_LOCAL_SIZE", "8"))));
        Assert.Equal(5, MpiLaunch.DefaultThreads(16, Env(("MPI_LOCALNRANKS", "3"))));
        Assert.Equal(6, MpiLaunch.DefaultThreads(16, Env(("SLURM_CPUS_PER_TASK", "6"), ("MPI_LOCALNRANKS", "4"))));
        Assert.Equal(16, MpiLaunch.DefaultThreads(16, Env(("SLURM_CPUS_PER_TASK", "64"))));
    }

    private static string Tail(string s) => s.Length > 3000 ? s[^3000..] : s;
}
