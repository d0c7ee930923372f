using ViTok.Losses;
using ViTok.Metrics;

namespace ViTok.Evaluation;

/// <summary>The metric keys the evaluator knows (JSON keys and <c>--metrics</c> names) and how the default set is
/// chosen: PSNR and SSIM always; FID and the Inception Score when the FID Inception weights are supplied, else the
/// ResNet18 Fréchet distance (images; for videos FVD when the I3D detector is supplied, else the frame-wise ResNet18
/// distance, plus frame-wise FID/IS when the Inception weights are supplied); LPIPS when its weights are supplied; the
/// ResNet18 perceptual distance.</summary>
public static class EvalMetrics
{
    /// <summary>Peak signal-to-noise ratio (dB, 8-bit, mean over images or frames).</summary>
    public const string Psnr = "psnr";

    /// <summary>SSIM (scikit-image's Gaussian SSIM, mean over images or frames).</summary>
    public const string Ssim = "ssim";

    /// <summary>FID on pytorch-fid's InceptionV3 (frame-wise for videos).</summary>
    public const string Fid = "fid";

    /// <summary>Inception Score of the reconstructions (or generated set) on the same network.</summary>
    public const string InceptionScore = ViTok.Metrics.InceptionScore.Key;

    /// <summary>Fréchet distance on ImageNet ResNet18 features (never FID).</summary>
    public const string FdResNet18 = ResNet18FrechetDistance.Key;

    /// <summary>LPIPS v0.1 with VGG16.</summary>
    public const string Lpips = "lpips";

    /// <summary>The ResNet18 perceptual distance (not LPIPS).</summary>
    public const string PerceptualResNet18 = ResNet18PerceptualDistance.Key;

    /// <summary>Fréchet video distance on StyleGAN-V's I3D features.</summary>
    public const string Fvd = FvdI3d.Key;

    /// <summary>Every metric name, in report order.</summary>
    public static IReadOnlyList<string> All { get; } = [Psnr, Ssim, Fid, InceptionScore, FdResNet18, Fvd, Lpips, PerceptualResNet18];

    /// <summary>Metrics that compare an item with its own reconstruction (not available when comparing two sets).</summary>
    public static IReadOnlyList<string> Paired { get; } = [Psnr, Ssim, Lpips, PerceptualResNet18];

    /// <summary>The metrics to compute for items of <paramref name="height"/>×<paramref name="width"/> (videos when
    /// <paramref name="video"/>): <see cref="EvalOptions.Metrics"/> checked against the supplied weights, or the
    /// default set. <paramref name="paired"/> is false when two independent sets are compared. Reasons for leaving a
    /// default metric out are added to <paramref name="notes"/>.</summary>
    public static IReadOnlyList<string> Resolve(EvalOptions o, bool video, long height, long width, bool paired, List<string> notes)
    {
        var chosen = new List<string>();
        if (o.Metrics is { Count: > 0 } requested)
        {
            foreach (var raw in requested)
            {
                string m = raw.Trim().ToLowerInvariant().Replace('-', '_');
                if (!All.Contains(m))
                    throw new ViTokException($"unknown metric '{raw}'; use any of {string.Join(", ", All)}.");
                if (!chosen.Contains(m)) chosen.Add(m);
            }
            // PSNR ranks the items for the best/worst grid, so it is always computed with pairs.
            if (paired && !chosen.Contains(Psnr)) chosen.Insert(0, Psnr);
        }
        else
        {
            if (paired) chosen.AddRange([Psnr, Ssim]);
            if (o.FidWeights is not null) chosen.AddRange([Fid, InceptionScore]);
            if (video && o.I3dWeights is not null) chosen.Add(Fvd);
            else if (o.FidWeights is null || video) chosen.Add(FdResNet18);
            if (paired && o.LpipsWeights is not null) chosen.Add(Lpips);
            if (paired) chosen.Add(PerceptualResNet18);
            if (paired && (height < 11 || width < 11))
            {
                chosen.Remove(Ssim);
                notes.Add($"ssim left out: it needs items of at least 11x11 pixels, these are {width}x{height}.");
            }
            if (paired && o.LpipsWeights is not null && (height < 16 || width < 16))
            {
                chosen.Remove(Lpips);
                notes.Add($"lpips left out: VGG16's five stages need items of at least 16x16 pixels, these are {width}x{height}.");
            }
        }
        foreach (var m in chosen)
        {
            if (!paired && Paired.Contains(m))
                throw new ViTokException($"metric '{m}' compares each item with its reconstruction; it is not defined between two independent sets.");
            if (m is Fid or InceptionScore && o.FidWeights is null)
                throw new ViTokException($"metric '{m}' needs the FID Inception weights {FidInceptionV3.WeightsFileName}: pass --fid-weights <path>.");
            if (m == Lpips && o.LpipsWeights is null)
                throw new ViTokException("metric 'lpips' needs its weights: pass --lpips-weights <folder> holding vgg16-397923af.pth and vgg.pth.");
            if (m == Fvd && o.I3dWeights is null)
                throw new ViTokException($"metric 'fvd' needs StyleGAN-V's I3D detector {FvdI3d.WeightsFileName}: pass --i3d <path>.");
            if (m == Fvd && !video)
                throw new ViTokException("metric 'fvd' compares videos; the data are images.");
            if (m == Ssim && (height < 11 || width < 11))
                throw new ViTokException($"metric 'ssim' needs items of at least 11x11 pixels, these are {width}x{height}; use a larger --size.");
            if (m == Lpips && (height < 16 || width < 16))
                throw new ViTokException($"metric 'lpips' needs items of at least 16x16 pixels, these are {width}x{height}; use a larger --size.");
        }
        return All.Where(chosen.Contains).ToList();
    }
}
