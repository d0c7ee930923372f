using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace ViTok.Cli;

/// <summary>Lets the Intel MKL inside libtorch use its AVX-512 kernels on AMD processors that have AVX-512 (Zen 4 and
/// later). MKL picks its code path by CPU vendor: on a non-Intel CPU it runs its AVX2 kernels even where AVX-512 is
/// there, and libtorch's fp32 GEMMs (every Linear, attention's matmuls) run at the AVX2 rate. MKL asks its own exported
/// function <c>mkl_serv_intel_cpu_true</c>; this rewrites that function in the loaded <c>libtorch_cpu.so</c> to answer
/// 1 (<c>mov eax, 1; ret</c>), the in-process form of the widely used <c>LD_PRELOAD</c> workaround. The CPU must report
/// AVX-512F (checked), so every instruction MKL then chooses exists. Measured on this project's AMD EPYC (Zen 4), 1
/// thread: the tiny paper model's GEMMs 1.3–1.4× faster forward and backward (README "Performance"). Results change
/// only in float rounding (another kernel's summation order). Opt out with <c>VITOK_MKL_AVX512=0</c>.
/// <para>Call once, after libtorch is loaded and before its first GEMM (MKL keeps the answer of its first
/// question).</para></summary>
public static class MklDispatch
{
    /// <summary>The environment variable that turns the patch off (<c>0</c>).</summary>
    public const string Variable = "VITOK_MKL_AVX512";

    private const string Symbol = "mkl_serv_intel_cpu_true";

    /// <summary>What <see cref="Apply"/> did.</summary>
    public enum Outcome
    {
        /// <summary>The function now answers 1.</summary>
        Patched,

        /// <summary>Not an AMD x86-64 CPU with AVX-512F on Linux: nothing to do.</summary>
        NotApplicable,

        /// <summary><c>VITOK_MKL_AVX512=0</c>.</summary>
        Disabled,

        /// <summary>libtorch without MKL's symbol, or the page could not be made writable: left as it was.</summary>
        Unavailable,
    }

    /// <summary>Whether this is an AMD x86-64 processor with AVX-512F under Linux.</summary>
    public static bool Applicable
    {
        get
        {
            if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64 || !Avx512F.IsSupported) return false;
            var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
            Span<byte> vendor = stackalloc byte[12];
            BitConverter.TryWriteBytes(vendor[..4], ebx);
            BitConverter.TryWriteBytes(vendor[4..8], edx);
            BitConverter.TryWriteBytes(vendor[8..], ecx);
            return vendor.SequenceEqual("AuthenticAMD"u8);
        }
    }

    /// <summary>Patches MKL's vendor check when <see cref="Applicable"/> and not disabled (idempotent).</summary>
    public static Outcome Apply()
    {
        if (Environment.GetEnvironmentVariable(Variable) is "0") return Outcome.Disabled;
        if (!Applicable) return Outcome.NotApplicable;
        torch.get_num_threads();   // makes sure TorchSharp has loaded libtorch
        if (!NativeLibrary.TryLoad(Path.Combine(AppContext.BaseDirectory, "libtorch_cpu.so"), out var lib) &&
            !NativeLibrary.TryLoad("libtorch_cpu.so", out lib))
            return Outcome.Unavailable;
        if (!NativeLibrary.TryGetExport(lib, Symbol, out var fn)) return Outcome.Unavailable;
        ReadOnlySpan<byte> returnOne = [0xB8, 0x01, 0x00, 0x00, 0x00, 0xC3];   // mov eax, 1; ret
        unsafe
        {
            if (new ReadOnlySpan<byte>((void*)fn, returnOne.Length).SequenceEqual(returnOne)) return Outcome.Patched;
            long page = Environment.SystemPageSize;
            nint start = (nint)((long)fn & ~(page - 1));
            var length = (nuint)(2 * page);   // the six bytes may cross a page boundary
            const int read = 1, write = 2, exec = 4;
            if (NativeMethods.mprotect(start, length, read | write | exec) != 0) return Outcome.Unavailable;
            returnOne.CopyTo(new Span<byte>((void*)fn, returnOne.Length));
            _ = NativeMethods.mprotect(start, length, read | exec);
        }
        return Outcome.Patched;
    }
}
