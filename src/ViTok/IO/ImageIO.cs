using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SkiaSharp;

namespace ViTok.IO;

/// <summary>Image files to and from tensors. Decoding goes through <see cref="SKCodec"/> into 8-bit RGBA (grey,
/// palette and 16-bit sources are converted by Skia), alpha is composited on white, EXIF orientation is applied, and
/// the result is a float tensor [3, H, W] in [-1, 1]. Sizes are checked from the header before decoding. Encoding writes 8-bit PNG with round((clamp(x, -1, 1) + 1) / 2 · 255), atomically.</summary>
public static class ImageIO
{
    /// <summary>Images with more pixels than this (100 megapixels) are refused from their header, before decoding.</summary>
    public const long DefaultMaxPixels = 100_000_000;

    /// <summary>File extensions read as images (lower case, with the dot) without opening the file in a folder scan.
    /// A GIF is an image everywhere: its first frame.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif"];

    /// <summary>Decodes an image file into RGB bytes [H, W, 3] (EXIF orientation applied, alpha composited on white).</summary>
    /// <exception cref="ViTokException">The file is missing or cannot be decoded; the message names it and the fix.</exception>
    public static (byte[] Rgb, int Height, int Width) LoadRgb8(string path)
    {
        if (!File.Exists(path)) throw new ViTokException($"{path}: file not found.");
        try
        {
            return DecodeRgb8(File.ReadAllBytes(path), path);
        }
        catch (BadItemException e)
        {
            string fix = e.Reason switch
            {
                SkipReason.Truncated => " Copy it again.",
                SkipReason.TooLarge => " Downscale it first.",
                SkipReason.Unsupported => "",
                _ => " Expected PNG, JPEG, WebP, BMP or GIF (first frame).",
            };
            throw new ViTokException(e.Message + "." + fix, e);
        }
    }

    /// <summary>Decodes encoded image bytes into RGB bytes [H, W, 3]: grey, palette and 16-bit sources become 8-bit
    /// RGB, alpha is composited on white, EXIF orientation is applied. The pixel count is checked against
    /// <paramref name="maxPixels"/> from the header before anything is decoded. Throws <see cref="BadItemException"/>
    /// (empty, misnamed, too-large, truncated, corrupt) naming <paramref name="source"/>.</summary>
    public static (byte[] Rgb, int Height, int Width) DecodeRgb8(byte[] data, string source, long maxPixels = DefaultMaxPixels)
    {
        if (data.Length == 0) throw new BadItemException(source, SkipReason.Empty, "zero-byte file");
        var header = ReadHeader(data) ?? throw NotAnImage(source, data);
        CheckPixels(header, source, maxPixels);

        var stream = new SKMemoryStream(data);
        using var codec = SKCodec.Create(stream, out var created);
        if (codec is null)
        {
            stream.Dispose();
            throw created == SKCodecResult.IncompleteInput
                ? new BadItemException(source, SkipReason.Truncated, $"{header.Format} data ends inside the header")
                : new BadItemException(source, SkipReason.Corrupt, $"{header.Format} header not decodable ({created})");
        }
        CheckPixels(new ImageHeader(header.Format, codec.Info.Width, codec.Info.Height), source, maxPixels);
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        var r = codec.GetPixels(info, bitmap.GetPixels());
        if (r == SKCodecResult.IncompleteInput)
            throw new BadItemException(source, SkipReason.Truncated, $"{header.Format} data ends before the last row");
        if (r != SKCodecResult.Success)
            throw new BadItemException(source, SkipReason.Corrupt, $"{header.Format} pixels not decodable ({r})");

        int h = info.Height, w = info.Width;
        var rgba = bitmap.GetPixelSpan();
        var rgb = new byte[h * w * 3];
        ref byte src = ref MemoryMarshal.GetReference(rgba);
        ref byte dst = ref MemoryMarshal.GetArrayDataReference(rgb);
        for (int i = 0; i < h * w; i++)
        {
            ref byte p = ref Unsafe.Add(ref src, 4 * i);
            ref byte q = ref Unsafe.Add(ref dst, 3 * i);
            int a = Unsafe.Add(ref p, 3);
            if (a == 255)
            {
                q = p;
                Unsafe.Add(ref q, 1) = Unsafe.Add(ref p, 1);
                Unsafe.Add(ref q, 2) = Unsafe.Add(ref p, 2);
                continue;
            }
            for (int c = 0; c < 3; c++)
            {
                // Composite on white: v·a + 255·(1 − a), in 8-bit with rounding.
                Unsafe.Add(ref q, c) = (byte)((Unsafe.Add(ref p, c) * a + 255 * (255 - a) + 127) / 255);
            }
        }
        return Orient(rgb, h, w, codec.EncodedOrigin);
    }

    /// <summary>Reads the format and stored size of an image file from its first bytes only. Throws
    /// <see cref="BadItemException"/> when the file is missing, empty or not an image.</summary>
    public static ImageHeader ReadHeader(string path)
    {
        byte[] head;
        try
        {
            if (new FileInfo(path).Length == 0) throw new BadItemException(path, SkipReason.Empty, "zero-byte file");
            using var f = File.OpenRead(path);
            // JPEG SOF markers can sit behind a large EXIF thumbnail; read more only when needed.
            head = ReadUpTo(f, 1 << 16);
            if (head.Length == 0) throw new BadItemException(path, SkipReason.Empty, "zero-byte file");
            if (ReadHeader(head) is { } quick) return quick;
            if (head.Length == 1 << 16 && IsJpeg(head)) head = [.. head, .. ReadUpTo(f, 1 << 24)];
        }
        catch (IOException e)
        {
            throw new BadItemException(path, SkipReason.IoError, e.Message);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new BadItemException(path, SkipReason.IoError, e.Message);
        }
        return ReadHeader(head)
            ?? (IsJpeg(head)
                ? throw new BadItemException(path, SkipReason.Truncated, "jpeg ends before its frame header")
                : throw NotAnImage(path, head));
    }

    /// <summary>Parses the format and stored size from the first bytes of an image (PNG IHDR, JPEG SOF, WebP
    /// VP8/VP8L/VP8X, BMP, GIF); null when the bytes are not one of these formats or the size is not in them.</summary>
    public static ImageHeader? ReadHeader(ReadOnlySpan<byte> d)
    {
        static int Be16(ReadOnlySpan<byte> b, int o) => (b[o] << 8) | b[o + 1];
        static int Le16(ReadOnlySpan<byte> b, int o) => b[o] | (b[o + 1] << 8);
        static long Be32(ReadOnlySpan<byte> b, int o) => ((long)b[o] << 24) | ((long)b[o + 1] << 16) | ((long)b[o + 2] << 8) | b[o + 3];
        static int Le32(ReadOnlySpan<byte> b, int o) => b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24);

        if (d.Length >= 24 && d[..8].SequenceEqual(PngSignature) && d[12..16].SequenceEqual("IHDR"u8))
        {
            long w = Be32(d, 16), h = Be32(d, 20);
            return w is > 0 and <= int.MaxValue && h is > 0 and <= int.MaxValue ? new ImageHeader("png", (int)w, (int)h) : null;
        }
        if (IsJpeg(d))
        {
            int p = 2;
            while (p + 4 <= d.Length)
            {
                if (d[p] != 0xFF) { p++; continue; }
                int m = d[p + 1];
                if (m == 0xFF) { p++; continue; }
                if (m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7)) { p += 2; continue; }
                if (m == 0xD9 || m == 0xDA) return null; // end of image / start of scan before any frame header
                int len = Be16(d, p + 2);
                bool sof = m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
                if (sof && p + 9 <= d.Length)
                {
                    int h = Be16(d, p + 5), w = Be16(d, p + 7);
                    return w > 0 && h > 0 ? new ImageHeader("jpeg", w, h) : null;
                }
                if (len < 2) return null;
                p += 2 + len;
            }
            return null;
        }
        if (d.Length >= 30 && d[..4].SequenceEqual("RIFF"u8) && d[8..12].SequenceEqual("WEBP"u8))
        {
            var chunk = d[12..16];
            if (chunk.SequenceEqual("VP8X"u8))
                return new ImageHeader("webp", 1 + (d[24] | (d[25] << 8) | (d[26] << 16)), 1 + (d[27] | (d[28] << 8) | (d[29] << 16)));
            if (chunk.SequenceEqual("VP8 "u8) && d[23] == 0x9D && d[24] == 0x01 && d[25] == 0x2A)
                return new ImageHeader("webp", Le16(d, 26) & 0x3FFF, Le16(d, 28) & 0x3FFF);
            if (chunk.SequenceEqual("VP8L"u8) && d[20] == 0x2F)
            {
                uint bits = (uint)Le32(d, 21);
                return new ImageHeader("webp", (int)(bits & 0x3FFF) + 1, (int)((bits >> 14) & 0x3FFF) + 1);
            }
            return null;
        }
        if (d.Length >= 26 && d[0] == (byte)'B' && d[1] == (byte)'M')
        {
            int dib = Le32(d, 14);
            int w = dib == 12 ? Le16(d, 18) : Le32(d, 18);
            int h = dib == 12 ? Le16(d, 20) : Le32(d, 22);
            h = h == int.MinValue ? 0 : Math.Abs(h);
            return w > 0 && h > 0 ? new ImageHeader("bmp", w, h) : null;
        }
        if (d.Length >= 10 && d[..4].SequenceEqual("GIF8"u8))
            return new ImageHeader("gif", Le16(d, 6), Le16(d, 8));
        return null;
    }

    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static bool IsJpeg(ReadOnlySpan<byte> d) => d.Length >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF;

    private static void CheckPixels(ImageHeader h, string source, long maxPixels)
    {
        if (h.Pixels > maxPixels)
            throw new BadItemException(source, SkipReason.TooLarge,
                $"{h.Format} header says {h.Width}x{h.Height} = {h.Pixels / 1e6:0.#} MP, over the {maxPixels / 1e6:0.#} MP limit");
    }

    private static byte[] ReadUpTo(Stream s, int max)
    {
        var buf = new byte[max];
        int n = 0, r;
        while (n < max && (r = s.Read(buf, n, max - n)) > 0) n += r;
        return n == max ? buf : buf[..n];
    }

    // Says what the file is instead ("a TIFF image, a format vitok does not read", "text starting '<html>'").
    private static BadItemException NotAnImage(string source, ReadOnlySpan<byte> d)
    {
        var c = FileContent.Sniff(d[..Math.Min(d.Length, FileContent.HeadBytes)]);
        return c.Kind == ContentKind.UnreadImage
            ? new BadItemException(source, SkipReason.Unsupported, $"is {c.Description}")
            : new BadItemException(source, SkipReason.Misnamed, $"content is not PNG, JPEG, WebP, BMP or GIF (it is {c.Description})");
    }

    // EXIF orientation: out(y', x') reads the stored pixel that the tag maps there.
    private static (byte[] Rgb, int Height, int Width) Orient(byte[] rgb, int h, int w, SKEncodedOrigin origin)
    {
        if (origin == SKEncodedOrigin.TopLeft || (int)origin < 1 || (int)origin > 8) return (rgb, h, w);
        bool swap = (int)origin >= 5;
        int oh = swap ? w : h, ow = swap ? h : w;
        var dst = new byte[rgb.Length];
        for (int y = 0; y < oh; y++)
        {
            for (int x = 0; x < ow; x++)
            {
                (int sy, int sx) = origin switch
                {
                    SKEncodedOrigin.TopRight => (y, w - 1 - x),
                    SKEncodedOrigin.BottomRight => (h - 1 - y, w - 1 - x),
                    SKEncodedOrigin.BottomLeft => (h - 1 - y, x),
                    SKEncodedOrigin.LeftTop => (x, y),
                    SKEncodedOrigin.RightTop => (h - 1 - x, y),
                    SKEncodedOrigin.RightBottom => (h - 1 - x, w - 1 - y),
                    _ => (x, w - 1 - y), // LeftBottom
                };
                int s = (sy * w + sx) * 3, d = (y * ow + x) * 3;
                dst[d] = rgb[s];
                dst[d + 1] = rgb[s + 1];
                dst[d + 2] = rgb[s + 2];
            }
        }
        return (dst, oh, ow);
    }

    /// <summary>Loads an image as a float tensor [3, H, W] in [-1, 1].</summary>
    public static Tensor Load(string path)
    {
        var (rgb, h, w) = LoadRgb8(path);
        return FromRgb8(rgb, h, w);
    }

    /// <summary>Converts RGB bytes [H, W, 3] into a float tensor [3, H, W] in [-1, 1].</summary>
    public static Tensor FromRgb8(byte[] rgb, int height, int width)
    {
        using var scope = torch.NewDisposeScope();
        // In place after the one float copy: a large image holds one float buffer, not one per operation.
        var t = torch.tensor(rgb, ScalarType.Byte).reshape(height, width, 3).permute(2, 0, 1).contiguous()
            .to(ScalarType.Float32).div_(Scalars.Of(127.5)).sub_(Scalars.Of(1.0));
        return t.MoveToOuterDisposeScope();
    }

    /// <summary>Quantises a tensor [3, H, W] in [-1, 1] to RGB bytes [H, W, 3]: round((clamp(x,-1,1)+1)/2·255).</summary>
    public static byte[] ToRgb8(Tensor image)
    {
        if (image.dim() != 3 || image.shape[0] != 3)
            throw new ArgumentException($"expected an image tensor [3, H, W], got [{string.Join(", ", image.shape)}]");
        using var scope = torch.NewDisposeScope();
        // clamp makes the one float copy; the rest runs in place on it (same operations, same values).
        var q = image.detach().to(ScalarType.Float32).cpu().clamp(Scalars.Of(-1), Scalars.Of(1)).add_(Scalars.Of(1), Scalars.One).div_(Scalars.Of(2)).mul_(Scalars.Of(255)).round_()
            .to(ScalarType.Byte).permute(1, 2, 0).contiguous();
        return q.bytes.ToArray();
    }

    /// <summary>The PNG text keyword/value every PNG this tool writes carries (a <c>tEXt</c> chunk right after IHDR), so
    /// that a later run can tell its own earlier outputs from files the user made (see <see cref="IsOwnPng"/>).</summary>
    public const string PngSoftware = "ViTok.NET";

    /// <summary>Writes a tensor [3, H, W] in [-1, 1] as an 8-bit RGB PNG (atomically); see
    /// <see cref="SavePng(byte[], int, int, string)"/>. Throws <see cref="ViTokException"/> when the tensor holds NaN or
    /// infinite values (nothing is written then).</summary>
    /// <exception cref="ViTokException">Non-finite pixels, or the file cannot be written.</exception>
    public static void SavePng(Tensor image, string path)
    {
        if (!Finite.All(image))
            throw new ViTokException($"{path}: the image to write holds NaN or infinite values; nothing was written.");
        int h = (int)image.shape[1], w = (int)image.shape[2];
        SavePng(ToRgb8(image), h, w, path);
    }

    /// <summary>Writes RGB bytes [H, W, 3] as an 8-bit RGB PNG (IHDR colour type 2, bit depth 8, no alpha channel),
    /// atomically, with a <c>tEXt</c> chunk <c>Software</c> = <see cref="PngSoftware"/>. The one PNG writer of the
    /// project: reconstructions, decodes, samples, grids, contact sheets, report and demo images all come through here.</summary>
    /// <exception cref="ViTokException">The file cannot be written (names <paramref name="path"/>).</exception>
    public static void SavePng(byte[] rgb, int height, int width, string path) =>
        AtomicFile.WriteAllBytes(path, EncodePng(rgb, height, width));

    /// <summary>Encodes RGB bytes [H, W, 3] as 8-bit RGB PNG bytes (colour type 2, no alpha) carrying the
    /// <c>Software</c> text chunk.</summary>
    public static byte[] EncodePng(byte[] rgb, int height, int width)
    {
        if (rgb.Length != height * width * 3)
            throw new ArgumentException($"expected {width}x{height}x3 = {height * width * 3} bytes, got {rgb.Length}");
        // Opaque RGB888x: Skia's PNG encoder drops the filler byte and writes colour type 2 (RGB), bit depth 8.
        var info = new SKImageInfo(width, height, SKColorType.Rgb888x, SKAlphaType.Opaque);
        using var bitmap = new SKBitmap(info);
        var px = bitmap.GetPixelSpan();
        for (int i = 0; i < height * width; i++)
        {
            px[4 * i] = rgb[3 * i];
            px[4 * i + 1] = rgb[3 * i + 1];
            px[4 * i + 2] = rgb[3 * i + 2];
            px[4 * i + 3] = 255;
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException($"PNG encoding failed for a {width}x{height} image");
        byte[] png = data.ToArray();
        if (png.Length < 33 || png[25] != 2 || png[24] != 8)
            throw new InvalidOperationException($"the PNG encoder wrote colour type {png[25]}, bit depth {png[24]}; expected 8-bit RGB");
        return InsertText(png, "Software", PngSoftware);
    }

    /// <summary>True when <paramref name="path"/> is a PNG written by this tool (it carries the <c>Software</c> text
    /// chunk <see cref="PngSoftware"/> right after its IHDR).</summary>
    public static bool IsOwnPng(string path)
    {
        try
        {
            using var f = File.OpenRead(path);
            var head = ReadUpTo(f, 64);
            byte[] chunk = TextChunk("Software", PngSoftware);
            return head.Length >= 33 + chunk.Length && head.AsSpan(0, 8).SequenceEqual(PngSignature)
                   && head.AsSpan(33, chunk.Length).SequenceEqual(chunk);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    // A tEXt chunk inserted after IHDR (8-byte signature + 25-byte IHDR chunk = offset 33).
    private static byte[] InsertText(byte[] png, string keyword, string text)
    {
        byte[] chunk = TextChunk(keyword, text);
        var result = new byte[png.Length + chunk.Length];
        png.AsSpan(0, 33).CopyTo(result);
        chunk.CopyTo(result, 33);
        png.AsSpan(33).CopyTo(result.AsSpan(33 + chunk.Length));
        return result;
    }

    private static byte[] TextChunk(string keyword, string text)
    {
        byte[] body = [.. "tEXt"u8, .. System.Text.Encoding.Latin1.GetBytes(keyword), 0, .. System.Text.Encoding.Latin1.GetBytes(text)];
        var chunk = new byte[body.Length + 8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(chunk, body.Length - 4);
        body.CopyTo(chunk, 4);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(4 + body.Length), Crc32(body));
        return chunk;
    }

    // CRC-32 (ISO 3309, polynomial 0xEDB88320) over a chunk's type and data, as the PNG specification defines it.
    private static uint Crc32(ReadOnlySpan<byte> data)
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
