using System.Runtime.InteropServices;

namespace ViTok.Distributed;

/// <summary>The few MPI entry points ViTok uses, bound to MPICH's ABI (<c>libmpich.so.12</c>: Debian's
/// <c>libmpich12</c>, MPICH ≥ 3.1, Intel MPI, MVAPICH and Cray MPICH share it). In this ABI every handle is a C
/// <c>int</c>; the constants are those of MPICH's <c>mpi.h</c>. Only <see cref="MpiWorld"/> calls these.</summary>
internal static class MpiNative
{
    public const string Library = "libmpich.so.12";

    public const int Success = 0;                        // MPI_SUCCESS
    public const int CommWorld = 0x44000000;             // MPI_COMM_WORLD
    public const int MpiByte = 0x4c00010d;                  // MPI_BYTE
    public const int MpiInt = 0x4c000405;                   // MPI_INT
    public const int MpiLongLong = 0x4c000809;              // MPI_LONG_LONG_INT
    public const int MpiFloat = 0x4c00040a;                 // MPI_FLOAT
    public const int MpiDouble = 0x4c00080b;                // MPI_DOUBLE
    public const int Sum = 0x58000003;                   // MPI_SUM
    public const int ErrorsReturn = 0x54000001;          // MPI_ERRORS_RETURN
    public const int ThreadSerialized = 2;               // MPI_THREAD_SERIALIZED
    public const int AnySource = -2;                     // MPI_ANY_SOURCE
    public const int MaxErrorString = 512;               // MPI_MAX_ERROR_STRING
    public const int MaxProcessorName = 128;             // MPI_MAX_PROCESSOR_NAME
    public static readonly IntPtr InPlace = new(-1);     // MPI_IN_PLACE
    public static readonly IntPtr StatusIgnore = new(1); // MPI_STATUS_IGNORE

    /// <summary>MPICH's <c>MPI_Status</c> (five ints).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Status
    {
        public int CountLo, CountHiAndCancelled, Source, Tag, Error;
    }

    [DllImport(Library)] public static extern int MPI_Initialized(out int flag);
    [DllImport(Library)] public static extern int MPI_Finalized(out int flag);
    [DllImport(Library)] public static extern int MPI_Init_thread(IntPtr argc, IntPtr argv, int required, out int provided);
    [DllImport(Library)] public static extern int MPI_Finalize();
    [DllImport(Library)] public static extern int MPI_Abort(int comm, int errorcode);
    [DllImport(Library)] public static extern int MPI_Comm_rank(int comm, out int rank);
    [DllImport(Library)] public static extern int MPI_Comm_size(int comm, out int size);
    [DllImport(Library)] public static extern int MPI_Comm_set_errhandler(int comm, int errhandler);
    [DllImport(Library)] public static extern int MPI_Get_processor_name(byte[] name, out int length);
    [DllImport(Library)] public static extern int MPI_Error_string(int errorcode, byte[] text, out int length);
    [DllImport(Library)] public static extern int MPI_Iallreduce(IntPtr sendbuf, IntPtr recvbuf, int count, int datatype, int op, int comm, out int request);
    [DllImport(Library)] public static extern int MPI_Ibcast(IntPtr buffer, int count, int datatype, int root, int comm, out int request);
    [DllImport(Library)] public static extern int MPI_Ibarrier(int comm, out int request);
    [DllImport(Library)] public static extern int MPI_Test(ref int request, out int flag, IntPtr status);
    [DllImport(Library)] public static extern int MPI_Isend(IntPtr buf, int count, int datatype, int dest, int tag, int comm, out int request);
    [DllImport(Library)] public static extern int MPI_Irecv(IntPtr buf, int count, int datatype, int source, int tag, int comm, out int request);
    [DllImport(Library)] public static extern int MPI_Iprobe(int source, int tag, int comm, out int flag, out Status status);
    [DllImport(Library)] public static extern int MPI_Recv(IntPtr buf, int count, int datatype, int source, int tag, int comm, IntPtr status);
    [DllImport(Library)] public static extern int MPI_Request_free(ref int request);
}
