namespace ViTok.Metrics;

/// <summary>Structural similarity (Wang et al. 2004) as scikit-image computes it with <c>gaussian_weights=True</c>:
/// 11×11 Gaussian window (σ 1.5, truncated at 3.5σ), population covariances, K1 0.01, K2 0.03, one SSIM map per
/// channel whose 5-pixel border is discarded, score = mean over the remaining map and the channels. Images in
/// [-1, 1] are mapped to [0, 1] with data range 1 (SSIM's constants make it invariant to a common scale but not to an
/// offset, so this is exactly the uint8 / data-range-255 score). Per image in float64, then averaged; a video's
/// frames count as images. Differentiable.</summary>
public static class Ssim
{
    private const double K1 = 0.01, K2 = 0.03, Sigma = 1.5;
    private const int Radius = 5;   // int(3.5·σ + 0.5): scikit-image's truncate = 3.5

    /// <summary>SSIM of every image: inputs [..., C, H, W] in [-1, 1] of equal shape (H, W ≥ 11), the leading axes
    /// flattened into N images. Returns a float64 tensor [N].</summary>
    public static Tensor PerImage(Tensor reference, Tensor test)
    {
        ImageChecks.SameImageShape(reference, test);
        long h = reference.shape[^2], w = reference.shape[^1], c = reference.shape[^3];
        if (h < 2 * Radius + 1 || w < 2 * Radius + 1)
            throw new ArgumentException($"SSIM needs images of at least 11x11 pixels, got {w}x{h}");
        using var scope = torch.NewDisposeScope();
        var x = reference.to(ScalarType.Float64).reshape(-1, c, h, w).add(Scalars.Of(1), Scalars.One).div(Scalars.Of(2));   // [N, C, H, W] in [0, 1]
        var y = test.to(ScalarType.Float64).reshape(-1, c, h, w).add(Scalars.Of(1), Scalars.One).div(Scalars.Of(2));
        return Map(x, y).flatten(1).mean([1]).MoveToOuterDisposeScope();                // [N]
    }

    /// <summary>Mean of <see cref="PerImage"/> over all images (frames).</summary>
    public static double Mean(Tensor reference, Tensor test)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        return PerImage(reference, test).mean().item<double>();
    }

    /// <summary>Rows of the window that <see cref="Map"/> drops at each image edge (the filter radius, 5).</summary>
    internal const int Halo = Radius;

    /// <summary>The SSIM map of images already in [0, 1] (float64 [N, C, H, W], H, W ≥ 11): only the "valid" filter
    /// outputs [N, C, H − 10, W − 10], i.e. the full map with its 5-pixel border cropped. Each output depends only on
    /// the 11×11 input window around it, so a horizontal strip with 5 halo rows above and below gives exactly the
    /// map rows of its interior.</summary>
    internal static Tensor Map(Tensor x, Tensor y)
    {
        using var scope = torch.NewDisposeScope();
        long c = x.shape[1];
        // Local moments by a separable Gaussian filter. Only "valid" outputs are computed: they are exactly the map
        // with its 5-pixel border cropped, so the padding mode never matters.
        var stack = torch.cat([x, y, x * x, y * y, x * y], 1);                    // [N, 5C, H, W]
        var g = GaussianKernel(x.device);                                          // [11]
        long groups = 5 * c;
        var wv = g.view(1, 1, -1, 1).expand(groups, 1, -1, 1);
        var wh = g.view(1, 1, 1, -1).expand(groups, 1, 1, -1);
        var m = F.conv2d(F.conv2d(stack, wv, groups: groups), wh, groups: groups); // [N, 5C, H-10, W-10]
        var parts = m.chunk(5, 1);
        Tensor ux = parts[0], uy = parts[1], uxx = parts[2], uyy = parts[3], uxy = parts[4];
        var vx = uxx - ux * ux;
        var vy = uyy - uy * uy;
        var vxy = uxy - ux * uy;

        const double c1 = K1 * K1, c2 = K2 * K2;   // (K·R)² with data range R = 1
        var s = ((ux.Times(2) * uy).Plus(c1)) * (vxy.Times(2).Plus(c2)) / (((ux * ux).Plus(uy * uy).Plus(c1)) * (vx.Plus(vy).Plus(c2)));
        return s.MoveToOuterDisposeScope();
    }

    private static Tensor GaussianKernel(Device device)
    {
        var k = new double[2 * Radius + 1];
        for (int i = -Radius; i <= Radius; i++) k[i + Radius] = Math.Exp(-0.5 * i * i / (Sigma * Sigma));
        double sum = k.Sum();
        for (int i = 0; i < k.Length; i++) k[i] /= sum;
        return torch.tensor(k, device: device);
    }
}
