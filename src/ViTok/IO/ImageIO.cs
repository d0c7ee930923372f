using SkiaSharp;

namespace ViTok.IO;

/// <summary>Image files to and from tensors. Decoding goes through <see cref="SKCodec"/> into 8-bit RGBA (grey,
/// palette and 16-bit sources are converted by Skia), alpha is composited on white, and the result is a float tensor
/// [3, H, W] in [-1, 1]. Encoding writes 8-bit PNG with round((clamp(x, -1, 1) + 1) / 2 · 255), atomically.</summary>
public static class ImageIO
{
    /// <summary>Decodes an image file into RGB bytes [H, W, 3] (alpha composited on white).</summary>
    public static (byte[] Rgb, int Height, int Width) LoadRgb8(string path)
    {
        if (!File.Exists(path)) throw new ViTokException($"{path}: file not found.");
        using var stream = File.OpenRead(path);
        using var codec = SKCodec.Create(stream, out var result)
            ?? throw new ViTokException($"{path}: not a readable image ({result}). Expected PNG, JPEG, WebP or BMP.");
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        var r = codec.GetPixels(info, bitmap.GetPixels());
        if (r != SKCodecResult.Success && r != SKCodecResult.IncompleteInput)
            throw new ViTokException($"{path}: the image could not be decoded ({r}).");
        if (r == SKCodecResult.IncompleteInput)
            throw new ViTokException($"{path}: the image is truncated (incomplete data). Copy it again.");
        int h = info.Height, w = info.Width;
        var rgba = bitmap.GetPixelSpan();
        var rgb = new byte[h * w * 3];
        for (int i = 0, j = 0; i < h * w; i++, j += 3)
        {
            int a = rgba[4 * i + 3];
            for (int c = 0; c < 3; c++)
            {
                int v = rgba[4 * i + c];
                // Composite on white: v·a + 255·(1 − a), in 8-bit with rounding.
                rgb[j + c] = a == 255 ? (byte)v : (byte)((v * a + 255 * (255 - a) + 127) / 255);
            }
        }
        return (rgb, h, w);
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
        var t = torch.tensor(rgb, ScalarType.Byte).reshape(height, width, 3).permute(2, 0, 1)
            .to(ScalarType.Float32).div(127.5).sub(1.0);
        return t.contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Quantises a tensor [3, H, W] in [-1, 1] to RGB bytes [H, W, 3]: round((clamp(x,-1,1)+1)/2·255).</summary>
    public static byte[] ToRgb8(Tensor image)
    {
        if (image.dim() != 3 || image.shape[0] != 3)
            throw new ArgumentException($"expected an image tensor [3, H, W], got [{string.Join(", ", image.shape)}]");
        using var scope = torch.NewDisposeScope();
        var q = image.detach().to(ScalarType.Float32).cpu().clamp(-1, 1).add(1).div(2).mul(255).round()
            .to(ScalarType.Byte).permute(1, 2, 0).contiguous();
        return q.bytes.ToArray();
    }

    /// <summary>Writes a tensor [3, H, W] in [-1, 1] as an 8-bit PNG (atomically).</summary>
    public static void SavePng(Tensor image, string path)
    {
        int h = (int)image.shape[1], w = (int)image.shape[2];
        SavePng(ToRgb8(image), h, w, path);
    }

    /// <summary>Writes RGB bytes [H, W, 3] as an 8-bit PNG (atomically).</summary>
    public static void SavePng(byte[] rgb, int height, int width, string path)
    {
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
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
            ?? throw new InvalidOperationException($"PNG encoding failed for {path}");
        AtomicFile.Write(path, s => data.SaveTo(s));
    }
}
