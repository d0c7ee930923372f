using System.Runtime.InteropServices;

namespace ViTok.Runtime;

/// <summary>Process-wide libtorch switches that TorchSharp does not expose, set through libtorch's exported C++
/// entry points (<c>at::globalContext()</c> and its members).</summary>
public static class LibTorchSettings
{
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr GlobalContext();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void SetFlag(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool value);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    [return: MarshalAs(UnmanagedType.U1)]
    private delegate bool GetFlag(IntPtr context);

    /// <summary>Turns libtorch's NNPACK convolution path off (as <c>torch.backends.nnpack.set_flags(False)</c> does).
    /// On CPUs where NNPACK cannot start, libtorch otherwise prints "Could not initialize NNPACK! Reason: Unsupported
    /// hardware." at every convolution; the oneDNN and native convolutions are used instead.</summary>
    /// <returns>True when the switch was set; false when the entry points were not found (nothing changes).</returns>
    public static bool DisableNnpack()
    {
        if (!TryContext(out var context, out var lib)) return false;
        if (!NativeLibrary.TryGetExport(lib, "_ZN2at7Context20setUserEnabledNNPACKEb", out var set)) return false;
        Marshal.GetDelegateForFunctionPointer<SetFlag>(set)(context, false);
        return true;
    }

    /// <summary>libtorch's NNPACK switch (<c>at::globalContext().userEnabledNNPACK()</c>); null when unavailable.</summary>
    public static bool? NnpackEnabled()
    {
        if (!TryContext(out var context, out var lib)) return null;
        if (!NativeLibrary.TryGetExport(lib, "_ZNK2at7Context17userEnabledNNPACKEv", out var get)) return null;
        return Marshal.GetDelegateForFunctionPointer<GetFlag>(get)(context);
    }

    private static bool TryContext(out IntPtr context, out IntPtr lib)
    {
        context = IntPtr.Zero;
        _ = torch.get_num_threads();                                             // makes TorchSharp load libtorch
        if (!NativeLibrary.TryLoad("libtorch_cpu.so", typeof(torch).Assembly, DllImportSearchPath.AssemblyDirectory, out lib)
            && !NativeLibrary.TryLoad("libtorch_cpu.so", out lib)) return false;
        if (!NativeLibrary.TryGetExport(lib, "_ZN2at13globalContextEv", out var global)) return false;
        context = Marshal.GetDelegateForFunctionPointer<GlobalContext>(global)();
        return context != IntPtr.Zero;
    }
}
