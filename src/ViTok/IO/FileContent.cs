using System.Text;

namespace ViTok.IO;

/// <summary>A file's kind recognised from its first bytes (never from its name), with the format's name and a short
/// description for messages ("a TIFF image", "text starting 'version 1'", "bytes 00000018…").</summary>
/// <param name="Kind">The kind of content.</param>
/// <param name="Format">The format's short name (png, tiff, mp4, mpegts, tar, text, git-lfs, zip, binary, …).</param>
/// <param name="Description">What the content is, in a few words, for messages.</param>
public sealed record FileContent(ContentKind Kind, string Format, string Description)
{
    /// <summary>How many leading bytes <see cref="Sniff"/> looks at.</summary>
    public const int HeadBytes = 4096;

    /// <summary>Reads the first <see cref="HeadBytes"/> bytes of <paramref name="path"/> and recognises them. Throws
    /// <see cref="IOException"/>/<see cref="UnauthorizedAccessException"/> when the file cannot be read.</summary>
    public static FileContent OfFile(string path)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
        var buf = new byte[HeadBytes];
        int n = 0, r;
        while (n < buf.Length && (r = f.Read(buf, n, buf.Length - n)) > 0) n += r;
        return Sniff(buf.AsSpan(0, n));
    }

    /// <summary>Recognises content from its first bytes (up to <see cref="HeadBytes"/>).</summary>
    public static FileContent Sniff(ReadOnlySpan<byte> d)
    {
        if (d.Length == 0) return new(ContentKind.Empty, "empty", "an empty file");
        if (d.StartsWith("version https://git-lfs"u8))
            return new(ContentKind.LfsPointer, "git-lfs", "a Git LFS pointer (the file itself was never downloaded; run `git lfs pull`)");
        if (ImageIO.ReadHeader(d) is { } h) return new(ContentKind.Image, h.Format, $"a {h.Format.ToUpperInvariant()} image");
        if (d.Length >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF) return new(ContentKind.Image, "jpeg", "a JPEG image");
        if (d.Length >= 4 && d[0] == 0x89 && d[1..4].SequenceEqual("PNG"u8)) return new(ContentKind.Image, "png", "a PNG image");
        if (d.StartsWith("GIF8"u8)) return new(ContentKind.Image, "gif", "a GIF image");
        if (d.Length >= 12 && d.StartsWith("RIFF"u8) && d[8..12].SequenceEqual("WEBP"u8)) return new(ContentKind.Image, "webp", "a WebP image");
        if (d.StartsWith("II*\0"u8) || d.StartsWith("MM\0*"u8)) return Unread("tiff", "TIFF");
        if (d.Length >= 12 && d[4..8].SequenceEqual("ftyp"u8))
        {
            string brand = Encoding.ASCII.GetString(d[8..12]);
            if (brand is "avif" or "avis") return Unread("avif", "AVIF");
            if (brand is "heic" or "heix" or "hevc" or "hevx" or "heim" or "heis" or "hevm" or "hevs" or "mif1" or "msf1")
                return Unread("heic", "HEIC/HEIF");
            if (brand is "jxl ") return Unread("jxl", "JPEG XL");
            if (brand is "jp2 " or "jpx ") return Unread("jp2", "JPEG 2000");
            return new(ContentKind.Video, brand.StartsWith("3g", StringComparison.Ordinal) ? "3gp" : brand == "qt  " ? "mov" : "mp4",
                $"an ISO media file (brand '{brand.Trim()}')");
        }
        if (d.Length >= 12 && d[4..8].SequenceEqual("JXL "u8)) return Unread("jxl", "JPEG XL");
        if (d.StartsWith((ReadOnlySpan<byte>)[0xFF, 0x0A])) return Unread("jxl", "JPEG XL");
        if (d.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50])) return Unread("jp2", "JPEG 2000");
        if (d.StartsWith("8BPS"u8)) return Unread("psd", "Photoshop");
        if (d.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0x01, 0x00])) return Unread("ico", "ICO");
        if (d.Length >= 8 && d[4..8].SequenceEqual("moov"u8) || d.Length >= 8 && d[4..8].SequenceEqual("mdat"u8)
            || d.Length >= 8 && d[4..8].SequenceEqual("wide"u8) || d.Length >= 8 && d[4..8].SequenceEqual("free"u8))
            return new(ContentKind.Video, "mov", "a QuickTime movie");
        if (IsTs(d, 188, 0)) return new(ContentKind.Video, "mpegts", "an MPEG transport stream");
        if (IsTs(d, 192, 4)) return new(ContentKind.Video, "m2ts", "an MPEG transport stream (M2TS/MTS)");
        if (d.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0x01, 0xBA])) return new(ContentKind.Video, "mpeg", "an MPEG program stream");
        if (d.StartsWith((ReadOnlySpan<byte>)[0x1A, 0x45, 0xDF, 0xA3])) return new(ContentKind.Video, "matroska", "a Matroska/WebM file");
        if (d.Length >= 12 && d.StartsWith("RIFF"u8) && d[8..12].SequenceEqual("AVI "u8)) return new(ContentKind.Video, "avi", "an AVI file");
        if (d.StartsWith("OggS"u8)) return new(ContentKind.Video, "ogg", "an Ogg file");
        if (d.StartsWith("FLV\u0001"u8)) return new(ContentKind.Video, "flv", "an FLV file");
        if (d.StartsWith((ReadOnlySpan<byte>)[0x30, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11])) return new(ContentKind.Video, "asf", "an ASF/WMV file");
        if (d.Length >= 262 && d[257..262].SequenceEqual("ustar"u8)) return new(ContentKind.Tar, "tar", "a tar archive");
        if (d.StartsWith((ReadOnlySpan<byte>)[0x1F, 0x8B])) return new(ContentKind.Gzip, "gzip", "gzip data");
        if (d.StartsWith("PK\u0003\u0004"u8)) return new(ContentKind.Other, "zip", "a zip archive");
        if (d.StartsWith((ReadOnlySpan<byte>)[0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'])) return new(ContentKind.Other, "npy", "a NumPy .npy array");
        if (d.Length >= 10 && d[8] == (byte)'{' && d[6] == 0 && d[7] == 0) return new(ContentKind.Other, "safetensors", "a safetensors file");
        if (d.StartsWith((ReadOnlySpan<byte>)[0x80]) && d.Length >= 2 && d[1] is >= 2 and <= 5) return new(ContentKind.Other, "pickle", "a Python pickle (.pt/.pth)");
        if (IsText(d)) return new(ContentKind.Text, "text", $"text starting '{Quote(d)}'");
        return new(ContentKind.Other, "binary", $"binary data starting with bytes {Convert.ToHexString(d[..Math.Min(d.Length, 8)])}");
    }

    /// <summary>For readers of binary formats: throws a <see cref="ViTokException"/> naming <paramref name="path"/> when
    /// <paramref name="head"/> is text (a Git LFS pointer: run <c>git lfs pull</c>; other text: its first characters)
    /// or empty. <paramref name="expected"/> names the format wanted ("a safetensors checkpoint").</summary>
    /// <exception cref="ViTokException">The head is empty, a Git LFS pointer or text.</exception>
    public static void RefuseText(string path, ReadOnlySpan<byte> head, string expected)
    {
        var c = Sniff(head);
        switch (c.Kind)
        {
            case ContentKind.Empty:
                throw new ViTokException($"{path}: is empty (0 bytes), not {expected}. Copy or download it again.");
            case ContentKind.LfsPointer:
                throw new ViTokException($"{path}: is a Git LFS pointer, not {expected}: the real file was never downloaded. Run `git lfs pull` (or download the file itself).");
            case ContentKind.Text:
                throw new ViTokException($"{path}: is {c.Description}, not {expected}. Check the path (an HTML error page or a note saved under this name?) and download the file again.");
        }
    }

    /// <summary>Reads the first bytes of <paramref name="path"/> and applies <see cref="RefuseText(string, ReadOnlySpan{byte}, string)"/>.</summary>
    /// <exception cref="ViTokException">The file cannot be read, is empty, is a Git LFS pointer or is text.</exception>
    public static void RefuseText(string path, string expected)
    {
        byte[] head;
        try
        {
            using var f = File.OpenRead(path);
            head = new byte[512];
            int n = 0, r;
            while (n < head.Length && (r = f.Read(head, n, head.Length - n)) > 0) n += r;
            head = head[..n];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ViTokException($"{path}: cannot be read ({e.Message}).", e);
        }
        RefuseText(path, head, expected);
    }

    private static FileContent Unread(string format, string name) =>
        new(ContentKind.UnreadImage, format, $"{(name[0] is 'A' or 'I' ? "an" : "a")} {name} image, a format vitok does not read (convert it to PNG or JPEG)");

    // MPEG-TS: a 0x47 sync byte every packet (188 bytes; 192 with the M2TS timestamp prefix).
    private static bool IsTs(ReadOnlySpan<byte> d, int packet, int offset)
    {
        int n = 0;
        for (int p = offset; p < d.Length && n < 4; p += packet, n++)
            if (d[p] != 0x47) return false;
        return n >= 2;
    }

    // Text: valid UTF-8 with no control bytes other than tab, newline, carriage return and form feed.
    private static bool IsText(ReadOnlySpan<byte> d)
    {
        foreach (byte b in d)
            if (b < 0x20 && b is not (byte)'\t' and not (byte)'\n' and not (byte)'\r' and not 0x0C) return false;
        var cut = d;
        // A multi-byte character cut at the end of the window is still text.
        for (int k = 0; k < 3 && cut.Length > 0 && (cut[^1] & 0xC0) == 0x80; k++) cut = cut[..^1];
        if (cut.Length > 0 && cut[^1] >= 0xC0) cut = cut[..^1];
        try
        {
            new UTF8Encoding(false, true).GetCharCount(cut);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    // The first characters of text, on one line, at most 40 of them.
    private static string Quote(ReadOnlySpan<byte> d)
    {
        string s = Encoding.UTF8.GetString(d[..Math.Min(d.Length, 160)]);
        s = string.Join(' ', s.Split((char[])['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        var chars = s.Where(ch => !char.IsControl(ch) && ch != '\uFFFD').Take(40).ToArray();
        string q = new(chars);
        return s.Length > q.Length ? q + "…" : q;
    }
}
