using ViTok.IO;

namespace ViTok.Data;

/// <summary>A grid of samples as one RGB image: images fill rows of <c>columns</c> tiles; clips take one row each with
/// up to <c>framesPerClip</c> evenly spaced frames. Tiles are separated by 2 white pixels.</summary>
public static class ContactSheet
{
    private const int Gap = 2;

    /// <summary>Renders <paramref name="samples"/> into RGB bytes [H, W, 3].</summary>
    public static (byte[] Rgb, int Height, int Width) Render(IReadOnlyList<Sample> samples, int columns = 8, int framesPerClip = 8)
    {
        if (samples.Count == 0) throw new ArgumentException("no samples to render");
        int th = samples.Max(s => s.Height), tw = samples.Max(s => s.Width);
        bool clips = samples.Any(s => s.Frames > 0);
        int cols = clips ? Math.Min(framesPerClip, samples.Max(s => Math.Max(s.Frames, 1))) : Math.Min(columns, samples.Count);
        int rows = clips ? samples.Count : (samples.Count + cols - 1) / cols;
        int h = rows * th + (rows + 1) * Gap, w = cols * tw + (cols + 1) * Gap;
        var rgb = new byte[h * w * 3];
        Array.Fill(rgb, (byte)255);
        for (int i = 0; i < samples.Count; i++)
        {
            var s = samples[i];
            int frames = Math.Max(s.Frames, 1);
            int tiles = clips ? Math.Min(cols, frames) : 1;
            for (int k = 0; k < tiles; k++)
            {
                int frame = tiles == 1 ? 0 : (int)Math.Round((double)k * (frames - 1) / (tiles - 1));
                int row = clips ? i : i / cols, col = clips ? k : i % cols;
                Blit(s, frame, rgb, w, Gap + row * (th + Gap), Gap + col * (tw + Gap));
            }
        }
        return (rgb, h, w);
    }

    /// <summary>Renders and writes the sheet as a PNG.</summary>
    public static void Save(IReadOnlyList<Sample> samples, string path, int columns = 8, int framesPerClip = 8)
    {
        var (rgb, h, w) = Render(samples, columns, framesPerClip);
        ImageIO.SavePng(rgb, h, w, path);
    }

    private static void Blit(Sample s, int frame, byte[] dst, int dstWidth, int top, int left)
    {
        int plane = s.Height * s.Width, frames = Math.Max(s.Frames, 1);
        for (int c = 0; c < 3; c++)
        {
            int offset = (c * frames + frame) * plane;
            for (int y = 0; y < s.Height; y++)
            {
                for (int x = 0; x < s.Width; x++)
                {
                    float v = s.Pixels[offset + y * s.Width + x];
                    dst[((top + y) * dstWidth + left + x) * 3 + c] = (byte)Math.Clamp(MathF.Round((v + 1f) * 127.5f), 0f, 255f);
                }
            }
        }
    }
}
