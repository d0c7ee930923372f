using System.Text;

namespace ViTok.IO;

/// <summary>Writes files atomically: the content goes to a temporary file beside the target, which is then renamed
/// over it, so a crash never leaves a half-written file under the final name. Temporary names are
/// <c>&lt;name&gt;.tmp-&lt;pid&gt;-&lt;8 hex&gt;</c>, with <c>&lt;name&gt;</c> shortened so the whole name fits the
/// 255-byte file-name limit whatever the final name is. Failures to write name the final path (never the temporary
/// one) and are <see cref="ViTokException"/>s: the destination is the user's input.</summary>
public static class AtomicFile
{
    /// <summary>The longest file name (UTF-8 bytes) that Linux, macOS and Windows file systems accept.</summary>
    public const int MaxNameBytes = 255;

    /// <summary>Writes through <paramref name="write"/> into a temporary file, flushes it to disk, then renames it to
    /// <paramref name="path"/>.</summary>
    /// <exception cref="ViTokException">The path is empty, its folder cannot be created (e.g. a file stands there), or
    /// the file cannot be written (permissions, disk full); the message names <paramref name="path"/>.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ViTokException("an output path is empty; give a file name.");
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new ViTokException($"{path}: is a folder; give a file name for this output.");
        string? dir = Path.GetDirectoryName(full);
        string tmp = TempPathFor(full);
        try
        {
            if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                write(fs);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ViTokException($"{path}: cannot write it ({Reason(e, full, tmp)}); choose another place with -o/--out or free space there.", e);
        }
        finally
        {
            try
            {
                if (File.Exists(tmp)) File.Delete(tmp);
            }
            catch (IOException)
            {
                // Best effort: a leftover temporary file is cleaned by the next writer of the folder.
            }
        }
    }

    /// <summary>Writes all bytes atomically.</summary>
    /// <exception cref="ViTokException">See <see cref="Write"/>.</exception>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        byte[] copy = bytes.ToArray();
        Write(path, s => s.Write(copy));
    }

    /// <summary>Writes UTF-8 text atomically.</summary>
    /// <exception cref="ViTokException">See <see cref="Write"/>.</exception>
    public static void WriteAllText(string path, string text) =>
        WriteAllBytes(path, Encoding.UTF8.GetBytes(text));

    /// <summary>The temporary path beside <paramref name="fullPath"/>: <c>&lt;name&gt;.tmp-&lt;pid&gt;-&lt;8 hex&gt;</c>
    /// in the same folder, the name cut (on a character boundary) so the result has at most
    /// <see cref="MaxNameBytes"/> UTF-8 bytes.</summary>
    public static string TempPathFor(string fullPath)
    {
        string name = Path.GetFileName(fullPath);
        string suffix = ".tmp-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8];
        int budget = MaxNameBytes - suffix.Length;
        if (Encoding.UTF8.GetByteCount(name) > budget)
        {
            var cut = new StringBuilder();
            int bytes = 0;
            foreach (var rune in name.EnumerateRunes())
            {
                if (bytes + rune.Utf8SequenceLength > budget) break;
                cut.Append(rune.ToString());
                bytes += rune.Utf8SequenceLength;
            }
            name = cut.ToString();
        }
        return Path.Combine(Path.GetDirectoryName(fullPath) ?? "", name + suffix);
    }

    /// <summary>Says, in words and without the temporary name, why writing failed.</summary>
    internal static string Reason(Exception e, string full, string tmp)
    {
        const int enospc = 28, erofs = 30, enametoolong = 36, enotdir = 20;
        int errno = e.HResult & 0xFFFF;
        return e switch
        {
            UnauthorizedAccessException => "permission denied",
            PathTooLongException => "the name is too long",
            DirectoryNotFoundException => "its folder does not exist",
            _ when errno == enospc || e.HResult == unchecked((int)0x80070070) => "no space left on the device",
            _ when errno == erofs => "read-only file system",
            _ when errno == enametoolong => "the name is too long",
            _ when errno == enotdir || FileInPath(Path.GetDirectoryName(full)) is not null =>
                $"{FileInPath(Path.GetDirectoryName(full)) ?? "a part of the path"} is a file, not a folder",
            _ => e.Message.Replace(tmp, full, StringComparison.Ordinal),
        };
    }

    // The first existing regular file among the folders of a path (e.g. "-o out.png/x" where out.png is a file).
    private static string? FileInPath(string? dir)
    {
        for (string? d = dir; !string.IsNullOrEmpty(d); d = Path.GetDirectoryName(d))
            if (File.Exists(d)) return d;
        return null;
    }
}
