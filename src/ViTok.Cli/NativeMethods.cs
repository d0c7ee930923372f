using System.Runtime.InteropServices;

namespace ViTok.Cli;

/// <summary>libc entry points the CLI needs.</summary>
internal static partial class NativeMethods
{
    /// <summary>POSIX <c>setenv(name, value, overwrite)</c>: 0 on success.</summary>
    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int setenv(string name, string value, int overwrite);

    /// <summary>POSIX <c>mprotect(addr, len, prot)</c>: 0 on success.</summary>
    [LibraryImport("libc", SetLastError = true)]
    internal static partial int mprotect(nint addr, nuint len, int prot);
}
