using System.Globalization;
using System.Text.RegularExpressions;
using ViTok.Models;
using ViTok.Models.Paper;

namespace ViTok.Cli.Commands;

/// <summary><c>--tile auto|on|off</c>, <c>--tile-size</c>, <c>--tile-overlap</c> and <c>--max-memory</c> of
/// <c>vitok reconstruct</c>: decides per paper-family image whether to tile, from <see cref="MemoryEstimate"/>, and
/// refuses (before any work) an untiled pass whose estimated peak is over the limit.</summary>
public sealed partial class TilePlan(string mode, int size, int overlap, long? maxMemory)
{
    /// <summary>Tile side in pixels.</summary>
    public int Size { get; } = size;

    /// <summary>Overlap in pixels.</summary>
    public int Overlap { get; } = overlap;

    /// <summary>Context margin in pixels (<see cref="Tiling"/>).</summary>
    public int Margin { get; init; }

    /// <summary>The limit in bytes: the option's value, else 80 % of MemAvailable.</summary>
    public long Limit { get; } = maxMemory ?? (long)(0.8 * AvailableBytes());

    [GeneratedRegex(@"^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex Bytes();

    /// <summary>Parses 8G, 512M, 1.5G, 4096K or a plain byte count (null stays null).</summary>
    /// <exception cref="ViTokException">Anything else.</exception>
    public static long? ParseBytes(string? text)
    {
        if (text is null) return null;
        var m = Bytes().Match(text);
        if (!m.Success || !double.TryParse(m.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || v <= 0)
            throw new ViTokException($"--max-memory '{text}': expected a size such as 8G, 512M or a byte count.");
        int shift = "KMGT".IndexOf(char.ToUpperInvariant(m.Groups[2].Value.FirstOrDefault(' ')), StringComparison.Ordinal) + 1;
        return (long)(v * Math.Pow(1024, shift));
    }

    /// <summary>MemAvailable of /proc/meminfo in bytes (8 GiB when it cannot be read).</summary>
    public static long AvailableBytes()
    {
        try
        {
            var m = Regex.Match(File.ReadAllText("/proc/meminfo"), @"MemAvailable:\s+(\d+) kB");
            if (m.Success) return long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            // not Linux: fall through
        }
        return 8L << 30;
    }

    /// <summary>True when <paramref name="image"/> [3, H, W] should be reconstructed tiled.</summary>
    /// <exception cref="ViTokException">Tiling off (or a tile) over the limit: the estimate, the limit and the fix.</exception>
    public bool Decide(IAutoencoder model, Tensor image, string path, ScalarType dtype)
    {
        if (model.AcceptsAnySize || model.TubeletSize != 1) return false;            // v2 fits its token budget instead
        int bytes = dtype == ScalarType.Float32 ? 4 : 2, p = model.PatchSize;
        long h = (image.shape[1] + p - 1) / p * p, w = (image.shape[2] + p - 1) / p * p;
        long untiled = Peak(model, h, w, bytes);
        if (mode == "off" || (mode == "auto" && untiled <= Limit))
        {
            if (untiled > Limit)
                throw new ViTokException($"{path}: reconstructing {w}x{h} untiled needs about {untiled / 1e9:F1} GB (estimate) but the limit is " +
                                         $"{Limit / 1e9:F1} GB; use --tile auto or on, or raise --max-memory.");
            return false;
        }
        // Tiled: one tile's pass plus what scales with the whole image, per pixel: the decoded file (3 bytes) and its
        // float image (12), the pixel sum and its weights (16), the 8-bit conversion's float copy (12), its bytes and
        // the PNG encoder's RGBx buffer (3 + 3 + 4) — 53 bytes per pixel (8192²: 3.6 GB).
        long tile = Math.Min(Size, Math.Max(h, w));
        long tiled = Peak(model, Math.Min(tile, h), Math.Min(tile, w), bytes) + 53L * h * w;
        if (tiled > Limit)
            throw new ViTokException($"{path}: even tiled ({Size} px tiles) the estimate is {tiled / 1e9:F1} GB, over the limit of {Limit / 1e9:F1} GB; " +
                                     "raise --max-memory or use smaller --tile-size.");
        return true;
    }

    private static long Peak(IAutoencoder model, long h, long w, int bytes)
    {
        var e = model.Memory(1, h, w, 1, bytes);
        return Math.Max(e.EncodePeakBytes, e.DecodePeakBytes);
    }
}
