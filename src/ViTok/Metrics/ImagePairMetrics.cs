using ViTok.IO;

namespace ViTok.Metrics;

/// <summary>PSNR and SSIM of one pair of 8-bit RGB images in bounded memory: the pixels stay as bytes and are
/// converted to float in horizontal strips, the strip results summed in float64. Each strip is converted exactly as
/// <see cref="ImageIO.FromRgb8"/> converts a whole image and carries <see cref="Ssim"/>'s 5 halo rows above and below,
/// so the scores are those of <see cref="Psnr.Mean"/> and <see cref="Ssim.Mean"/> on the loaded images (equal up to
/// float64 summation order, ~1e-12 relative) while the float working set is a few strips of
/// <see cref="DefaultStripPixels"/> pixels instead of several float64 copies of the image.</summary>
public static class ImagePairMetrics
{
    /// <summary>Pixels per strip by default (2¹⁸: 32 rows of an 8192-px-wide image); the float working set of one
    /// strip is about 35 float64 planes of this many pixels × 3 channels (≈ 220 MB), whatever the image size.</summary>
    public const int DefaultStripPixels = 1 << 18;

    /// <summary>PSNR (dB, data range 255, +∞ when the images are identical) and SSIM (11×11 Gaussian window, σ 1.5,
    /// scikit-image's constants) of two RGB byte images [H, W, 3] (row-major, as <see cref="ImageIO.LoadRgb8"/>
    /// returns them). <paramref name="stripRows"/> is the number of image rows per strip (0: as many as fit in
    /// <see cref="DefaultStripPixels"/>, at least 1); it changes the memory and nothing else.</summary>
    /// <exception cref="ArgumentException">The arrays are not <paramref name="height"/>·<paramref name="width"/>·3
    /// bytes, the image is smaller than 11×11, or <paramref name="stripRows"/> is negative.</exception>
    public static (double Psnr, double Ssim) OfRgb8(byte[] reference, byte[] test, int height, int width, int stripRows = 0)
    {
        long bytes = 3L * height * width;
        if (height <= 0 || width <= 0 || reference.LongLength != bytes || test.LongLength != bytes)
            throw new ArgumentException($"expected two RGB images of {width}x{height} ({bytes} bytes), got {reference.LongLength} and {test.LongLength} bytes");
        int halo = Ssim.Halo;
        if (height < 2 * halo + 1 || width < 2 * halo + 1)
            throw new ArgumentException($"SSIM needs images of at least 11x11 pixels, got {width}x{height}");
        if (stripRows < 0) throw new ArgumentException($"stripRows must be ≥ 0, got {stripRows}");
        int rows = stripRows > 0 ? stripRows : Math.Max(1, DefaultStripPixels / width);

        using var _ = torch.no_grad();
        double squaredError = 0, ssimSum = 0;
        byte[] bufferA = [], bufferB = [];   // reused while the strip length stays the same (no large-object garbage per strip)
        for (int start = 0; start < height; start += rows)
        {
            int end = Math.Min(height, start + rows);
            // Rows [lo, hi) loaded: the strip plus the halo the SSIM window needs around the map rows centred in it.
            int lo = Math.Max(0, start - halo), hi = Math.Min(height, end + halo);
            using var scope = torch.NewDisposeScope();
            var a = Strip(reference, lo, hi, width, ref bufferA);                        // [3, hi-lo, W] in [-1, 1]
            var b = Strip(test, lo, hi, width, ref bufferB);

            // PSNR over the strip's own rows, as Psnr.PerImage: float64 difference of the float32 images.
            var da = a.narrow(1, start - lo, end - start).to(ScalarType.Float64);
            var db = b.narrow(1, start - lo, end - start).to(ScalarType.Float64);
            squaredError += (da - db).pow(Scalars.Of(2)).sum().item<double>();

            // SSIM map rows centred in [c0, c1): input rows [c0 - 5, c1 + 5), all inside [lo, hi).
            int c0 = Math.Max(start, halo), c1 = Math.Min(end, height - halo);
            if (c1 <= c0) continue;
            var x = Unit(a.narrow(1, c0 - halo - lo, c1 - c0 + 2 * halo));
            var y = Unit(b.narrow(1, c0 - halo - lo, c1 - c0 + 2 * halo));
            ssimSum += Ssim.Map(x, y).sum().item<double>();
        }
        double mse = squaredError / bytes;
        double psnr = 10 * Math.Log10(4.0 / mse);                                        // data range 2 on [-1, 1]
        double ssim = ssimSum / (3.0 * (height - 2 * halo) * (width - 2 * halo));
        return (psnr, ssim);
    }

    /// <summary>Rows [lo, hi) of an RGB byte image as a float tensor [3, hi − lo, W] in [-1, 1], converted by
    /// <see cref="ImageIO.FromRgb8"/> (the same float32 values as the whole image).</summary>
    private static Tensor Strip(byte[] rgb, int lo, int hi, int width, ref byte[] buffer)
    {
        long length = 3L * (hi - lo) * width;
        if (buffer.LongLength != length) buffer = new byte[length];
        Array.Copy(rgb, 3L * lo * width, buffer, 0, length);
        return ImageIO.FromRgb8(buffer, hi - lo, width);
    }

    /// <summary>[3, h, W] in [-1, 1] → float64 [1, 3, h, W] in [0, 1], the same operations as <see cref="Ssim.PerImage"/>.</summary>
    private static Tensor Unit(Tensor image) =>
        image.to(ScalarType.Float64).unsqueeze(0).add(Scalars.Of(1), Scalars.One).div(Scalars.Of(2));
}
