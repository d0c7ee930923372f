using SkiaSharp;
using ViTok.IO;

namespace ViTok.Plots;

/// <summary>A readable picture of image rows: every tile upscaled (nearest neighbour, so pixels stay visible) to about
/// <c>tileSide</c> pixels, a label at the left of each row and a caption under each column (e.g. PSNR), on white.
/// Text uses <see cref="PlotFonts"/>; without a font file the picture is drawn without text. Written through
/// <see cref="ImageIO.SavePng(byte[], int, int, string)"/> (8-bit RGB, atomic).</summary>
public static class LabelledGrid
{
    /// <summary>Draws the grid and writes it as a PNG.</summary>
    /// <param name="rows">Rows of images [N, 3, H, W] in [−1, 1] (same H, W in every row; N may differ).</param>
    /// <param name="rowLabels">One label per row (drawn left of the row).</param>
    /// <param name="captions">One caption per column (drawn under the last row), or null.</param>
    /// <param name="path">The PNG to write.</param>
    /// <param name="tileSide">Target side of a tile in pixels (integer upscale of small images; large ones are shrunk).</param>
    /// <exception cref="ArgumentException">No rows, or the label count differs from the row count.</exception>
    public static void Save(IReadOnlyList<Tensor> rows, IReadOnlyList<string> rowLabels, IReadOnlyList<string>? captions, string path, int tileSide = 96)
    {
        var (rgb, height, width) = Render(rows, rowLabels, captions, tileSide);
        ImageIO.SavePng(rgb, height, width, path);
    }

    /// <summary>Draws the grid into 8-bit RGB bytes (row-major, interleaved).</summary>
    public static (byte[] Rgb, int Height, int Width) Render(IReadOnlyList<Tensor> rows, IReadOnlyList<string> rowLabels, IReadOnlyList<string>? captions, int tileSide = 96)
    {
        if (rows.Count == 0) throw new ArgumentException("no rows to draw", nameof(rows));
        if (rowLabels.Count != rows.Count) throw new ArgumentException($"{rowLabels.Count} labels for {rows.Count} rows", nameof(rowLabels));
        int h = (int)rows[0].shape[2], w = (int)rows[0].shape[3];
        double scale = Math.Max(h, w) <= tileSide ? Math.Max(1, tileSide / Math.Max(h, w)) : tileSide / (double)Math.Max(h, w);
        int th = Math.Max(1, (int)Math.Round(h * scale)), tw = Math.Max(1, (int)Math.Round(w * scale));
        int columns = rows.Max(r => (int)r.shape[0]);
        using var typeface = PlotFonts.FontFile is string f ? SKTypeface.FromFile(f) : null;
        using var font = typeface is null ? null : new SKFont(typeface, 13);
        using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        int gap = 4;
        int labelWidth = font is null ? 0 : (int)Math.Ceiling(rowLabels.Max(l => font.MeasureText(l, paint))) + 2 * gap;
        int captionHeight = font is null || captions is null ? 0 : 18;
        int width = labelWidth + columns * (tw + gap) + gap;
        int height = rows.Count * (th + gap) + gap + captionHeight;
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            var sampling = new SKSamplingOptions(SKFilterMode.Nearest);
            for (int r = 0; r < rows.Count; r++)
            {
                int y = gap + r * (th + gap);
                if (font is not null) canvas.DrawText(rowLabels[r], gap, y + th / 2f + 5, SKTextAlign.Left, font, paint);
                for (int c = 0; c < rows[r].shape[0]; c++)
                {
                    using var tile = Tile(rows[r][c], h, w);
                    using var image = SKImage.FromBitmap(tile);
                    canvas.DrawImage(image, new SKRect(labelWidth + gap + c * (tw + gap), y, labelWidth + gap + c * (tw + gap) + tw, y + th), sampling);
                }
            }
            if (font is not null && captions is not null)
            {
                using var small = new SKFont(typeface, 11);
                for (int c = 0; c < Math.Min(columns, captions.Count); c++)
                    canvas.DrawText(captions[c], labelWidth + gap + c * (tw + gap) + tw / 2f, height - 5, SKTextAlign.Center, small, paint);
            }
        }
        var rgba = bitmap.Bytes;
        var rgb = new byte[width * height * 3];
        for (int i = 0, j = 0; i < rgb.Length; i += 3, j += 4)
        {
            rgb[i] = rgba[j];
            rgb[i + 1] = rgba[j + 1];
            rgb[i + 2] = rgba[j + 2];
        }
        return (rgb, height, width);
    }

    // One image [3, H, W] in [−1, 1] as an opaque RGBA bitmap.
    private static SKBitmap Tile(Tensor image, int h, int w)
    {
        byte[] rgb = ImageIO.ToRgb8(image.detach().to(ScalarType.Float32).cpu());
        var bitmap = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Premul));
        var rgba = new byte[w * h * 4];
        for (int i = 0, j = 0; i < rgb.Length; i += 3, j += 4)
        {
            rgba[j] = rgb[i];
            rgba[j + 1] = rgb[i + 1];
            rgba[j + 2] = rgb[i + 2];
            rgba[j + 3] = 255;
        }
        System.Runtime.InteropServices.Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        return bitmap;
    }
}
