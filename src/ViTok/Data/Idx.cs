using System.IO.Compression;
using ViTok.IO;

namespace ViTok.Data;

/// <summary>Reader of IDX files (the MNIST family's format): magic 0x0000 0x08 ndim, big-endian dimensions, then
/// unsigned bytes. Gzip-compressed files are read transparently.</summary>
internal static class Idx
{
    public static (byte[] Data, int[] Dims) Read(string path)
    {
        byte[] raw;
        try
        {
            using var f = File.OpenRead(path);
            using Stream s = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(f, CompressionMode.Decompress) : f;
            using var ms = new MemoryStream();
            s.CopyTo(ms);
            raw = ms.ToArray();
        }
        catch (InvalidDataException e)
        {
            FileContent.RefuseText(path, "an IDX file");
            throw new ViTokException($"{path}: not a valid gzip file ({e.Message}). Reinstall the data set.", e);
        }
        if (raw.Length < 4 || raw[0] != 0 || raw[1] != 0 || raw[2] != 0x08 || raw[3] is 0 or > 4)
        {
            FileContent.RefuseText(path, raw.AsSpan(0, Math.Min(raw.Length, 512)), "an IDX file");
            throw new ViTokException($"{path}: not an IDX file of unsigned bytes (bad magic). Expected *-idx3-ubyte / *-idx1-ubyte files.");
        }
        int nd = raw[3];
        if (raw.Length < 4 + 4 * nd) throw new ViTokException($"{path}: IDX header truncated. Reinstall the data set.");
        var dims = new int[nd];
        long total = 1;
        for (int i = 0; i < nd; i++)
        {
            int o = 4 + 4 * i;
            dims[i] = (raw[o] << 24) | (raw[o + 1] << 16) | (raw[o + 2] << 8) | raw[o + 3];
            total *= dims[i];
        }
        int start = 4 + 4 * nd;
        if (raw.Length - start < total)
            throw new ViTokException($"{path}: IDX data truncated ({raw.Length - start} of {total} bytes). Reinstall the data set.");
        return (raw[start..(int)(start + total)], dims);
    }
}
