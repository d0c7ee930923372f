namespace ViTok.Data;

/// <summary>The paper code's preprocessing. Train: RandomResizedCrop(scale 0.8–1.0, ratio 3/4–4/3) to
/// <see cref="Size"/>² and a horizontal flip with probability 0.5. Eval: resize the short side to <see cref="Size"/>
/// (bilinear, antialiased), then centre-crop. <see cref="Size"/> = 0 keeps the native size. A clip draws one plan and
/// applies it to all its frames. Output is planar float in [-1, 1].</summary>
public sealed record ImageTransform
{
    /// <summary>Output side in pixels; 0 keeps the source size (no resize, crop or flip).</summary>
    public int Size { get; init; }

    /// <summary>True for the random training transform, false for the deterministic eval transform.</summary>
    public bool Train { get; init; }

    /// <summary>Smallest crop area fraction of RandomResizedCrop.</summary>
    public double MinScale { get; init; } = 0.8;

    /// <summary>Largest crop area fraction of RandomResizedCrop.</summary>
    public double MaxScale { get; init; } = 1.0;

    /// <summary>Smallest crop aspect ratio (width / height).</summary>
    public double MinRatio { get; init; } = 3.0 / 4.0;

    /// <summary>Largest crop aspect ratio (width / height).</summary>
    public double MaxRatio { get; init; } = 4.0 / 3.0;

    /// <summary>Probability of a horizontal flip in training.</summary>
    public double FlipProbability { get; init; } = 0.5;

    /// <summary>Keeps the native size.</summary>
    public static ImageTransform None { get; } = new();

    /// <summary>RandomResizedCrop + flip to <paramref name="size"/>².</summary>
    public static ImageTransform ForTraining(int size) => new() { Size = size, Train = true };

    /// <summary>Short-side resize + centre crop to <paramref name="size"/>².</summary>
    public static ImageTransform ForEval(int size) => new() { Size = size };

    /// <summary>Draws the geometry for a source of <paramref name="height"/> × <paramref name="width"/>. The eval and
    /// identity plans draw nothing from <paramref name="rng"/>.</summary>
    public CropPlan Plan(int height, int width, DataRng rng)
    {
        if (height <= 0 || width <= 0) throw new ArgumentException($"empty image {width}x{height}");
        if (Size <= 0) return CropPlan.Identity(height, width);
        int s = Size;
        if (!Train)
        {
            // torchvision Resize(int): the short side becomes s, the long side int(s·long/short).
            int rh, rw;
            if (height <= width) { rh = s; rw = (int)((long)s * width / height); }
            else { rw = s; rh = (int)((long)s * height / width); }
            int top = (int)Math.Round((rh - s) / 2.0), left = (int)Math.Round((rw - s) / 2.0);
            return new CropPlan(0, 0, height, width, rh, rw, top, left, s, s, false);
        }

        var (i, j, h, w) = RandomResizedCropBox(height, width, rng);
        bool flip = rng.NextDouble() < FlipProbability;
        return new CropPlan(i, j, h, w, s, s, 0, 0, s, s, flip);
    }

    /// <summary>Writes the transformed image to dst[c·channelStride + y·OutWidth + x] in [-1, 1].</summary>
    public static void Apply(ReadOnlySpan<byte> rgb, int height, int width, in CropPlan plan, Span<float> dst,
        int channelStride) => Resampler.Apply(rgb, height, width, plan, dst, channelStride);

    /// <summary>Transforms RGB bytes [H, W, 3] into a planar float array [3, S, S] (or [3, H, W] for
    /// <see cref="None"/>).</summary>
    public float[] Apply(ReadOnlySpan<byte> rgb, int height, int width, DataRng rng, out CropPlan plan)
    {
        plan = Plan(height, width, rng);
        int plane = plan.OutHeight * plan.OutWidth;
        var dst = new float[3 * plane];
        Resampler.Apply(rgb, height, width, plan, dst, plane);
        return dst;
    }

    /// <summary>Transforms T frames of RGB bytes [T, H, W, 3] with one plan (one crop, one flip) into planar floats
    /// [3, T, S, S].</summary>
    public float[] ApplyClip(ReadOnlySpan<byte> frames, int count, int height, int width, DataRng rng, out CropPlan plan)
    {
        plan = Plan(height, width, rng);
        int plane = plan.OutHeight * plan.OutWidth, frameBytes = height * width * 3;
        var dst = new float[3 * count * plane];
        for (int t = 0; t < count; t++)
            Resampler.Apply(frames.Slice(t * frameBytes, frameBytes), height, width, plan, dst.AsSpan(t * plane), count * plane);
        return dst;
    }

    // torchvision RandomResizedCrop.get_params: ten tries at a random area and log-uniform aspect, then a centre
    // crop clamped to the ratio range.
    private (int Top, int Left, int Height, int Width) RandomResizedCropBox(int height, int width, DataRng rng)
    {
        double area = (double)height * width;
        double logLo = Math.Log(MinRatio), logHi = Math.Log(MaxRatio);
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double target = area * rng.Uniform(MinScale, MaxScale);
            double aspect = Math.Exp(rng.Uniform(logLo, logHi));
            int w = (int)Math.Round(Math.Sqrt(target * aspect));
            int h = (int)Math.Round(Math.Sqrt(target / aspect));
            if (w > 0 && w <= width && h > 0 && h <= height)
                return (rng.NextInt(height - h + 1), rng.NextInt(width - w + 1), h, w);
        }
        double inRatio = (double)width / height;
        int cw, ch;
        if (inRatio < MinRatio) { cw = width; ch = (int)Math.Round(cw / MinRatio); }
        else if (inRatio > MaxRatio) { ch = height; cw = (int)Math.Round(ch * MaxRatio); }
        else { cw = width; ch = height; }
        ch = Math.Clamp(ch, 1, height);
        cw = Math.Clamp(cw, 1, width);
        return ((height - ch) / 2, (width - cw) / 2, ch, cw);
    }
}
