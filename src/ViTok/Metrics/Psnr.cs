namespace ViTok.Metrics;

/// <summary>Peak signal-to-noise ratio of images in [-1, 1] (data range 2), computed per image in float64 and then
/// averaged; a video [T, 3, H, W] or [B, T, 3, H, W] counts each frame as an image. On 8-bit data this equals
/// scikit-image's <c>peak_signal_noise_ratio(data_range=255)</c>: 10·log10(R² / MSE).</summary>
public static class Psnr
{
    /// <summary>PSNR in dB of every image: inputs [..., C, H, W] of equal shape, the leading axes flattened into N
    /// images. Returns a float64 tensor [N] (+∞ where the images are identical).</summary>
    public static Tensor PerImage(Tensor reference, Tensor test, double dataRange = 2.0)
    {
        ImageChecks.SameImageShape(reference, test);
        using var scope = torch.NewDisposeScope();
        long n = reference.shape[..^3].Aggregate(1L, (p, s) => p * s);
        var a = reference.to(ScalarType.Float64).reshape(n, -1);              // [N, C·H·W]
        var b = test.to(ScalarType.Float64).reshape(n, -1);
        var mse = (a - b).pow(Scalars.Of(2)).mean([1]);                                // [N]
        var psnr = torch.log10(mse.DividedInto(dataRange * dataRange)).Times(10.0);
        return psnr.MoveToOuterDisposeScope();
    }

    /// <summary>Mean of <see cref="PerImage"/> over all images (frames).</summary>
    public static double Mean(Tensor reference, Tensor test, double dataRange = 2.0)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        return PerImage(reference, test, dataRange).mean().item<double>();
    }
}
