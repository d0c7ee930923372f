using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using static ViTok.Distributed.MpiNative;

namespace ViTok.Distributed;

/// <summary>This process's place in an MPI job (MPI_COMM_WORLD) and the collectives ViTok needs: in-place sums of
/// CPU tensors, broadcasts from rank 0 and a barrier. MPI is started once per process (<see cref="Start"/>) at
/// thread level SERIALIZED and finalised by <see cref="Dispose"/>.
/// <para>No collective waits for ever. Each one is started non-blocking and polled; a rank that has waited
/// <see cref="Timeout"/> (<c>VITOK_MPI_TIMEOUT</c> seconds, default 600) asks every other rank, point to point,
/// which collective it is in. Ranks that do not answer within a grace of min(10 s, timeout) are the failed ones
/// (dead, stopped, or stuck outside MPI); the lowest waiting rank prints one line naming the first of them and ends the
/// whole job with
/// <c>MPI_Abort</c> and exit code <see cref="ExitCodeFor"/> = 32 + that rank (126 for ranks ≥ 94; 31 when no rank
/// could be named). A rank that exits or is killed is noticed by the launcher itself (MPICH's Hydra prints
/// "BAD TERMINATION ... PID ..." and ends the job with that process's exit status); <see cref="Describe"/> (printed
/// by rank 0 at start) maps the PIDs to ranks.</para></summary>
public sealed class MpiWorld : IDisposable
{
    /// <summary>The environment variable holding the collective timeout in seconds.</summary>
    public const string TimeoutVariable = "VITOK_MPI_TIMEOUT";

    /// <summary>The timeout when <see cref="TimeoutVariable"/> is unset, seconds (NCCL's default is the same).</summary>
    public const double DefaultTimeoutSeconds = 600;

    /// <summary>The exit code when a collective timed out but no single rank could be blamed.</summary>
    public const int UnknownRankExitCode = 31;

    private const int QueryTag = 31001, ReplyTag = 31002;
    private static MpiWorld? _current;
    private readonly int[] _pids;
    private readonly string[] _hosts;
    private long _sequence;          // collectives started so far (the census compares these)
    private bool _finalized;

    private MpiWorld(int rank, int size, TimeSpan timeout)
    {
        Rank = rank;
        Size = size;
        Timeout = timeout;
        (_pids, _hosts) = GatherIdentities();
    }

    /// <summary>This process's rank in MPI_COMM_WORLD.</summary>
    public int Rank { get; }

    /// <summary>Number of ranks.</summary>
    public int Size { get; }

    /// <summary>How long a collective may wait before the job is stopped.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Starts MPI (once per process; later calls return the same world) and reads the timeout.</summary>
    /// <param name="timeout">Overrides <c>VITOK_MPI_TIMEOUT</c>.</param>
    /// <exception cref="ViTokException">MPICH's library is missing, MPI cannot start, or <c>VITOK_MPI_TIMEOUT</c> is
    /// not a positive number of seconds.</exception>
    public static MpiWorld Start(TimeSpan? timeout = null)
    {
        if (_current is not null) return _current;
        var limit = timeout ?? ParseTimeout(Environment.GetEnvironmentVariable(TimeoutVariable));
        // UCX (MPICH's transport on Debian) would otherwise install SIGSEGV/SIGBUS handlers for its backtraces, which
        // take the signals .NET turns into NullReferenceException.
        if (Environment.GetEnvironmentVariable("UCX_HANDLE_ERRORS") is null) SetNative("UCX_HANDLE_ERRORS", "none");
        try
        {
            Check(MPI_Initialized(out int initialized), "MPI_Initialized");
            if (initialized == 0) Check(MPI_Init_thread(IntPtr.Zero, IntPtr.Zero, ThreadSerialized, out _), "MPI_Init_thread");
        }
        catch (DllNotFoundException e)
        {
            throw new ViTokException($"--distributed mpi: MPICH's library {Library} was not found ({e.Message.Split('\n')[0]}); " +
                                     "install it (Debian/Ubuntu: apt-get install mpich) or train without --distributed.", e);
        }
        Check(MPI_Comm_set_errhandler(CommWorld, ErrorsReturn), "MPI_Comm_set_errhandler");
        Check(MPI_Comm_rank(CommWorld, out int rank), "MPI_Comm_rank");
        Check(MPI_Comm_size(CommWorld, out int size), "MPI_Comm_size");
        _current = new MpiWorld(rank, size, limit);
        return _current;
    }

    /// <summary>Parses <c>VITOK_MPI_TIMEOUT</c> (seconds, &gt; 0); null or blank gives the default.</summary>
    /// <exception cref="ViTokException">Not a positive finite number.</exception>
    public static TimeSpan ParseTimeout(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return TimeSpan.FromSeconds(DefaultTimeoutSeconds);
        if (!double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double s) || !double.IsFinite(s) || s <= 0 || s > 1e7)
            throw new ViTokException($"{TimeoutVariable}='{text}': expected the collective timeout in seconds, a number above 0 (default {DefaultTimeoutSeconds}).");
        return TimeSpan.FromSeconds(s);
    }

    /// <summary>The job's exit code when rank <paramref name="failedRank"/> failed: 32 + rank, 126 for ranks ≥ 94,
    /// <see cref="UnknownRankExitCode"/> for a negative rank (none identified). These codes stay clear of the CLI's own
    /// (1, 2, 130, 143) and of the signal numbers a launcher reports for a killed process (1–31).</summary>
    public static int ExitCodeFor(int failedRank) => failedRank < 0 ? UnknownRankExitCode : 32 + Math.Min(failedRank, 94);

    /// <summary>"rank r: pid P on host" for every rank, one per line.</summary>
    public string Describe() => string.Join("\n", Enumerable.Range(0, Size).Select(r => $"rank {r}: pid {_pids[r]} on {_hosts[r]}"));

    /// <summary>Replaces a CPU, contiguous float32 or float64 tensor by its element-wise sum over all ranks, in place.
    /// Tensors over 2²⁶ elements go in several all-reduces, all in flight at once.</summary>
    /// <param name="tensor">The same shape and dtype on every rank.</param>
    /// <param name="what">Names the collective in a timeout message (e.g. "gradient all-reduce").</param>
    /// <exception cref="ArgumentException">Not a CPU contiguous float32/float64 tensor.</exception>
    /// <exception cref="ViTokException">MPI reported an error.</exception>
    public void SumInPlace(Tensor tensor, string what)
    {
        if (tensor.device_type != DeviceType.CPU || !tensor.is_contiguous()
            || tensor.dtype is not (ScalarType.Float32 or ScalarType.Float64))
            throw new ArgumentException($"SumInPlace needs a CPU contiguous float32/float64 tensor, got {tensor.dtype} on {tensor.device}");
        int type = tensor.dtype == ScalarType.Float32 ? MpiFloat : MpiDouble;
        using var flat = tensor.reshape(-1);
        Run(flat, what, (address, count, _) =>
        {
            Check(MPI_Iallreduce(InPlace, address, count, type, Sum, CommWorld, out int request), "MPI_Iallreduce");
            return request;
        });
    }

    /// <summary>Overwrites a CPU contiguous tensor (any dtype) on every rank with rank 0's bytes, in place.</summary>
    /// <param name="tensor">The same shape and dtype on every rank.</param>
    /// <param name="what">Names the collective in a timeout message.</param>
    /// <exception cref="ArgumentException">Not a CPU contiguous tensor.</exception>
    /// <exception cref="ViTokException">MPI reported an error.</exception>
    public void BroadcastInPlace(Tensor tensor, string what)
    {
        if (tensor.device_type != DeviceType.CPU || !tensor.is_contiguous())
            throw new ArgumentException($"BroadcastInPlace needs a CPU contiguous tensor, got {tensor.dtype} on {tensor.device}");
        using var flat = tensor.reshape(-1);
        Run(flat, what, (address, _, bytes) =>
        {
            Check(MPI_Ibcast(address, bytes, MpiByte, 0, CommWorld, out int request), "MPI_Ibcast");
            return request;
        });
    }

    /// <summary>Every rank's <paramref name="value"/>, indexed by rank, on every rank.</summary>
    /// <exception cref="ViTokException">MPI reported an error.</exception>
    public long[] AllGather(long value, string what)
    {
        using var scope = torch.NewDisposeScope();
        var slots = torch.zeros(Size, dtype: ScalarType.Float64);
        // Sum of one-hot slots: exact for |value| < 2⁵³ (hashes are folded to 52 bits by the callers that need it).
        slots[Rank] = torch.tensor((double)value, ScalarType.Float64);
        SumInPlace(slots, what);
        return slots.data<double>().ToArray().Select(v => (long)v).ToArray();
    }

    /// <summary>Waits until every rank has arrived.</summary>
    /// <exception cref="ViTokException">MPI reported an error.</exception>
    public void Barrier(string what)
    {
        _sequence++;
        Check(MPI_Ibarrier(CommWorld, out int request), "MPI_Ibarrier");
        Wait([request], what);
    }

    /// <summary>Ends every process of the job with <paramref name="exitCode"/> (MPI_Abort). Does not return.</summary>
    public void Abort(int exitCode)
    {
        Console.Error.Flush();
        Console.Out.Flush();
        MPI_Abort(CommWorld, exitCode);
        Environment.Exit(exitCode);          // not reached with MPICH
    }

    /// <summary>Finalises MPI (after a barrier, so no rank leaves while others still need it). Call once, at the
    /// end of a successful run; after a failure call <see cref="Abort"/> instead.</summary>
    public void Dispose()
    {
        if (_finalized) return;
        _finalized = true;
        Barrier("the final barrier");
        MPI_Finalize();
        _current = null;
    }

    // Starts one collective per chunk of at most 2²⁶ elements (the byte span of a chunk must fit an int), handing it
    // the chunk's address, elements and bytes, and waits for all of them.
    private void Run(Tensor flat, string what, Func<IntPtr, int, int, int> start)
    {
        const long chunk = 1L << 26;
        long n = flat.numel();
        var requests = new List<int>();
        _sequence++;
        for (long offset = 0; offset < n; offset += chunk)
        {
            using var part = flat.narrow(0, offset, Math.Min(chunk, n - offset));
            var span = part.bytes;
            IntPtr address = AddressOf(span);
            requests.Add(start(address, (int)part.numel(), span.Length));
        }
        Wait(requests.ToArray(), what);
    }

    // The address of a span over a tensor's native storage (native memory does not move, so the address stays valid
    // after this call, for as long as the tensor lives).
    private static unsafe IntPtr AddressOf(Span<byte> span)
    {
        fixed (byte* p = span) return (IntPtr)p;
    }

    // Polls the requests until all complete. While waiting it answers other ranks' census queries; after Timeout it
    // runs its own census and stops the job.
    private void Wait(int[] requests, string what)
    {
        var clock = Stopwatch.StartNew();
        int pending = requests.Length;
        long polls = 0;
        while (true)
        {
            pending = 0;
            for (int i = 0; i < requests.Length; i++)
            {
                if (requests[i] == 0x2c000000) continue;                              // MPI_REQUEST_NULL: done
                Check(MPI_Test(ref requests[i], out int flag, StatusIgnore), "MPI_Test");
                if (flag == 0) pending++;
            }
            if (pending == 0) return;
            ServeCensus();
            if (clock.Elapsed > Timeout) Census(what);
            // MPICH moves a non-blocking collective forward only inside MPI calls, so poll without pause (as its
            // blocking collectives do), yielding the core to anything runnable; after a second of waiting (a slower
            // or stuck rank, not a transfer) poll once a millisecond so that the wait does not take a core.
            polls++;
            if (polls < 200) Thread.SpinWait(20);
            else if (clock.ElapsedMilliseconds < 1000) Thread.Yield();
            else Thread.Sleep(1);
        }
    }

    // Answers every pending census query with the number of the collective this rank is in.
    private void ServeCensus()
    {
        while (true)
        {
            Check(MPI_Iprobe(AnySource, QueryTag, CommWorld, out int flag, out var status), "MPI_Iprobe");
            if (flag == 0) return;
            IntPtr query = Marshal.AllocHGlobal(8), reply = Marshal.AllocHGlobal(8);
            Check(MPI_Recv(query, 1, MpiLongLong, status.Source, QueryTag, CommWorld, StatusIgnore), "MPI_Recv");
            Marshal.FreeHGlobal(query);
            Marshal.WriteInt64(reply, _sequence);
            // The reply buffer is left allocated: the send may complete after this returns (only ever on a failure path).
            Check(MPI_Isend(reply, 1, MpiLongLong, status.Source, ReplyTag, CommWorld, out int request), "MPI_Isend");
            MPI_Request_free(ref request);
        }
    }

    // After a timeout: ask every rank which collective it is in; name the first rank that does not answer (or answers
    // with another collective), print one line and abort the job. Does not return.
    private void Census(string what)
    {
        double grace = Math.Min(10, Math.Max(1, Timeout.TotalSeconds));
        IntPtr mine = Marshal.AllocHGlobal(8), replies = Marshal.AllocHGlobal(8 * Size);
        Marshal.WriteInt64(mine, _sequence);
        var receives = new int[Size];
        var answered = new bool[Size];
        var answers = new long[Size];
        answered[Rank] = true;
        answers[Rank] = _sequence;
        for (int q = 0; q < Size; q++)
        {
            if (q == Rank) continue;
            Check(MPI_Irecv(replies + 8 * q, 1, MpiLongLong, q, ReplyTag, CommWorld, out receives[q]), "MPI_Irecv");
            Check(MPI_Isend(mine, 1, MpiLongLong, q, QueryTag, CommWorld, out int send), "MPI_Isend");
            MPI_Request_free(ref send);
        }
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < grace && answered.Any(a => !a))
        {
            for (int q = 0; q < Size; q++)
            {
                if (answered[q]) continue;
                Check(MPI_Test(ref receives[q], out int flag, StatusIgnore), "MPI_Test");
                if (flag == 0) continue;
                answered[q] = true;
                answers[q] = Marshal.ReadInt64(replies + 8 * q);
            }
            ServeCensus();
            Thread.Sleep(1);
        }
        int failed = Enumerable.Range(0, Size).FirstOrDefault(q => !answered[q], -1);
        string why;
        if (failed >= 0)
        {
            var missing = Enumerable.Range(0, Size).Where(q => !answered[q]).ToList();
            why = $"MPI rank {failed} ({_hosts[failed]}, pid {_pids[failed]}) did not reach {what} (collective #{_sequence}) within {Seconds(Timeout)} s" +
                  (missing.Count > 1 ? $" (ranks {string.Join(", ", missing)} did not answer)" : "") +
                  "; it is dead, stopped or stuck outside MPI";
        }
        else
        {
            failed = Enumerable.Range(0, Size).FirstOrDefault(q => answers[q] != _sequence, -1);
            why = failed >= 0
                ? $"MPI rank {failed} is in collective #{answers[failed]} while rank {Rank} waits in {what} (#{_sequence}) for {Seconds(Timeout)} s: the ranks call collectives in different orders (a bug)"
                : $"every rank is in {what} (collective #{_sequence}) but MPI did not complete it within {Seconds(Timeout)} s";
        }
        int code = ExitCodeFor(failed);
        bool reporter = Enumerable.Range(0, Size).First(q => answered[q] && (failed < 0 || q != failed)) == Rank;
        if (!reporter)
        {
            // The lowest waiting rank reports and aborts; this one follows only if that did not happen.
            var wait = Stopwatch.StartNew();
            while (wait.Elapsed.TotalSeconds < grace) { ServeCensus(); Thread.Sleep(10); }
        }
        Console.Error.WriteLine($"error: {why}. Stopping all {Size} ranks (exit code {code} = 32 + the failed rank; " +
                                $"{TimeoutVariable} sets the timeout). A training run resumes with --resume on any number of ranks.");
        Abort(code);
    }

    private (int[] Pids, string[] Hosts) GatherIdentities()
    {
        var pids = AllGather(Environment.ProcessId, "the start-up exchange").Select(p => (int)p).ToArray();
        var name = new byte[MaxProcessorName];
        string host = MPI_Get_processor_name(name, out int len) == Success ? Encoding.UTF8.GetString(name, 0, Math.Clamp(len, 0, name.Length)) : "?";
        // Host names travel as 64 code points per rank in a sum of one-hot slots.
        const int width = 64;
        using var scope = torch.NewDisposeScope();
        var slots = torch.zeros(Size * width, dtype: ScalarType.Float64);
        var mine = host.Take(width).Select(c => (double)c).ToArray();
        if (mine.Length > 0) slots.narrow(0, (long)Rank * width, mine.Length).copy_(torch.tensor(mine, ScalarType.Float64));
        SumInPlace(slots, "the start-up exchange");
        var all = slots.data<double>().ToArray();
        var hosts = Enumerable.Range(0, Size).Select(r =>
            new string(all.Skip(r * width).Take(width).TakeWhile(v => v != 0).Select(v => (char)v).ToArray())).ToArray();
        return (pids, hosts);
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

    private static void Check(int code, string call)
    {
        if (code == Success) return;
        var text = new byte[MaxErrorString];
        string message = MPI_Error_string(code, text, out int len) == Success ? Encoding.ASCII.GetString(text, 0, Math.Clamp(len, 0, text.Length)) : $"code {code}";
        throw new ViTokException($"MPI: {call} failed: {message}");
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnv(string name, string value, int overwrite);

    private static void SetNative(string name, string value)
    {
        Environment.SetEnvironmentVariable(name, value);
        if (!OperatingSystem.IsWindows()) _ = SetEnv(name, value, 0);
    }
}
