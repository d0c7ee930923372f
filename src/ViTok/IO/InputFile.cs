using System.Collections.Concurrent;

namespace ViTok.IO;

/// <summary>Opens input files for reading, including inputs that cannot seek: a pipe or process substitution
/// (<c>--checkpoint &lt;(cat m.safetensors)</c>) is read into memory once and kept for the process, because a pipe can
/// be read only once while readers open a checkpoint more than once (header, then tensors).</summary>
public static class InputFile
{
    private static readonly ConcurrentDictionary<string, byte[]> Piped = new(StringComparer.Ordinal);

    /// <summary>Opens <paramref name="path"/> as a seekable read-only stream. Throws <see cref="ViTokException"/> when it
    /// cannot be opened, or when a non-seekable input holds more than 2 GB (then a regular file is needed).</summary>
    /// <exception cref="ViTokException">The file cannot be opened, or is a pipe holding more than 2 GB.</exception>
    public static Stream OpenRead(string path)
    {
        if (Piped.TryGetValue(path, out var cached)) return new MemoryStream(cached, writable: false);
        FileStream fs;
        try
        {
            fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ViTokException($"{path}: cannot be opened ({e.Message}).", e);
        }
        if (fs.CanSeek) return fs;
        using (fs)
        {
            var ms = new MemoryStream();
            var buf = new byte[1 << 20];
            int r;
            while ((r = fs.Read(buf)) > 0)
            {
                if (ms.Length + r > Array.MaxLength)
                    throw new ViTokException($"{path}: is a pipe holding more than 2 GB; give a regular file instead.");
                ms.Write(buf, 0, r);
            }
            byte[] bytes = ms.ToArray();
            Piped[path] = bytes;
            return new MemoryStream(bytes, writable: false);
        }
    }
}
