using System.Buffers.Binary;
using System.IO.Compression;
using SkiaSharp;

namespace ViTok.Tests.Support;

/// <summary>Image files made by the tests themselves: PNG/JPEG/WebP through SkiaSharp, hand-built PNGs (grey, 16-bit,
/// palette, a lying header) and BMPs, and EXIF orientation spliced into a JPEG.</summary>
public static class ImageFixtures
{
    /// <summary>Deterministic random RGB bytes [h, w, 3].</summary>
    public static byte[] RandomRgb(int h, int w, int seed)
    {
        var r = new Random(seed);
        var b = new byte[h * w * 3];
        r.NextBytes(b);
        return b;
    }

    /// <summary>Encodes RGB bytes with Skia (opaque).</summary>
    public static byte[] Encode(byte[] rgb, int h, int w, SKEncodedImageFormat format, int quality = 95)
    {
        var info = new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        var px = bitmap.GetPixelSpan();
        for (int i = 0; i < h * w; i++)
        {
            px[4 * i] = rgb[3 * i];
            px[4 * i + 1] = rgb[3 * i + 1];
            px[4 * i + 2] = rgb[3 * i + 2];
            px[4 * i + 3] = 255;
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, quality);
        return data.ToArray();
    }

    /// <summary>A smooth image (gradients) that survives JPEG well.</summary>
    public static byte[] SmoothRgb(int h, int w)
    {
        var b = new byte[h * w * 3];
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                int o = (y * w + x) * 3;
                b[o] = (byte)(255 * x / Math.Max(1, w - 1));
                b[o + 1] = (byte)(255 * y / Math.Max(1, h - 1));
                b[o + 2] = 128;
            }
        }
        return b;
    }

    /// <summary>Builds a PNG from raw scanlines (no filter) of the given colour type and bit depth.</summary>
    public static byte[] Png(int w, int h, byte colorType, byte bitDepth, byte[] raw, byte[]? plte = null, byte[]? trns = null)
    {
        int bpp = colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 } * bitDepth / 8;
        int stride = w * bpp;
        using var z = new MemoryStream();
        using (var zs = new ZLibStream(z, CompressionLevel.Fastest, leaveOpen: true))
        {
            for (int y = 0; y < h; y++)
            {
                zs.WriteByte(0);
                zs.Write(raw, y * stride, stride);
            }
        }
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, w);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), h);
        ihdr[8] = bitDepth;
        ihdr[9] = colorType;
        return PngFile(ihdr, z.ToArray(), plte, trns);
    }

    /// <summary>A PNG whose IHDR claims w × h with a tiny junk IDAT: only the header is valid.</summary>
    public static byte[] PngWithHeader(int w, int h)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, w);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), h);
        ihdr[8] = 8;
        ihdr[9] = 2;
        return PngFile(ihdr, [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01], null, null);
    }

    /// <summary>An uncompressed 24-bit bottom-up BMP.</summary>
    public static byte[] Bmp(byte[] rgb, int h, int w)
    {
        int stride = (w * 3 + 3) & ~3, size = 54 + stride * h;
        var b = new byte[size];
        b[0] = (byte)'B';
        b[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(2), size);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(18), w);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(22), h);
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(28), 24);
        for (int y = 0; y < h; y++)
        {
            int row = 54 + (h - 1 - y) * stride;
            for (int x = 0; x < w; x++)
            {
                int s = (y * w + x) * 3;
                b[row + 3 * x] = rgb[s + 2];
                b[row + 3 * x + 1] = rgb[s + 1];
                b[row + 3 * x + 2] = rgb[s];
            }
        }
        return b;
    }

    /// <summary>Inserts an EXIF APP1 segment with the given orientation right after the JPEG's SOI marker.</summary>
    public static byte[] WithExifOrientation(byte[] jpeg, ushort orientation)
    {
        byte[] tiff =
        [
            (byte)'M', (byte)'M', 0x00, 0x2A, 0x00, 0x00, 0x00, 0x08,
            0x00, 0x01,
            0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, (byte)(orientation >> 8), (byte)orientation, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00,
        ];
        byte[] payload = [.. "Exif\0\0"u8.ToArray(), .. tiff];
        int len = payload.Length + 2;
        byte[] app1 = [0xFF, 0xE1, (byte)(len >> 8), (byte)len, .. payload];
        return [.. jpeg[..2], .. app1, .. jpeg[2..]];
    }

    private static byte[] PngFile(byte[] ihdr, byte[] idat, byte[]? plte, byte[]? trns)
    {
        using var ms = new MemoryStream();
        ms.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        Chunk(ms, "IHDR", ihdr);
        if (plte is not null) Chunk(ms, "PLTE", plte);
        if (trns is not null) Chunk(ms, "tRNS", trns);
        Chunk(ms, "IDAT", idat);
        Chunk(ms, "IEND", []);
        return ms.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        var len = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(len, data.Length);
        s.Write(len);
        byte[] body = [.. System.Text.Encoding.ASCII.GetBytes(type), .. data];
        s.Write(body);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(body));
        s.Write(crc);
    }

    private static uint Crc32(byte[] data)
    {
        uint c = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            c ^= b;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
        }
        return c ^ 0xFFFFFFFF;
    }
}
