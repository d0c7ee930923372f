using System.Collections.Concurrent;
using ViTok.IO;

namespace ViTok.Data;

/// <summary>Square crops of a folder of large photos (kind <c>photo-crops</c>; e.g. the lomiri wallpapers in
/// <c>/usr/share/backgrounds</c>). Every photo is decoded once, resized so that its short side is
/// <see cref="ShortSide"/> pixels (antialiased bilinear, <see cref="Resampler"/>) and kept in memory (a process-wide
/// cache, so the runs of a study decode each photo once). The split is <b>by crop position</b>: the right
/// <see cref="TestFraction"/> of every resized photo's width (at least one crop wide) is held out. Training items are
/// crops at random positions inside the left part, drawn from the item's generator, so (seed, epoch, index) fixes
/// them and every epoch sees new positions; test items are a fixed set inside the right strip: item i comes from
/// photo i mod P at a position that depends on i alone. No training crop shares a pixel with a test crop. Pixels are
/// planar floats in [−1, 1], [3, S, S] with S = the transform's size; a training transform (<c>augment</c>) adds its
/// horizontal flip, nothing else.</summary>
public sealed class PhotoCrops : IDataset
{
    /// <summary>Default short side of the resized photos, pixels.</summary>
    public const int DefaultShortSide = 256;

    /// <summary>Default held-out fraction of each photo's width.</summary>
    public const double DefaultTestFraction = 0.2;

    /// <summary>Default number of items: an epoch of training crops, or the fixed test set.</summary>
    public const int DefaultTrainCount = 10_000, DefaultTestCount = 1000;

    private static readonly ConcurrentDictionary<string, Lazy<Photo>> Cache = new();
    private readonly Photo[] _photos;
    private readonly bool _test;
    private readonly ImageTransform _transform;

    private PhotoCrops(string location, Photo[] photos, int crop, bool test, int count, double testFraction, int shortSide, ImageTransform transform)
    {
        Location = location;
        _photos = photos;
        Crop = crop;
        _test = test;
        Count = count;
        TestFraction = testFraction;
        ShortSide = shortSide;
        _transform = transform;
    }

    /// <inheritdoc/>
    public string Location { get; }

    /// <inheritdoc/>
    public string Kind => "photo-crops";

    /// <inheritdoc/>
    public IReadOnlyList<string> Classes => [];

    /// <inheritdoc/>
    public int Count { get; }

    /// <summary>Crop side S in pixels.</summary>
    public int Crop { get; }

    /// <summary>Short side of the resized photos, pixels.</summary>
    public int ShortSide { get; }

    /// <summary>Held-out fraction of each photo's width (the right strip).</summary>
    public double TestFraction { get; }

    /// <summary>The photos in path order.</summary>
    public IReadOnlyList<string> Photos => _photos.Select(p => p.Path).ToList();

    /// <summary>Opens the photos under <paramref name="folder"/> (recursively, as an image folder).</summary>
    /// <param name="folder">A folder of photos (or a text list of paths).</param>
    /// <param name="transform">Its <see cref="ImageTransform.Size"/> is the crop side (&gt; 0); <see cref="ImageTransform.Train"/> enables flips.</param>
    /// <param name="test">The held-out test crops instead of random training crops.</param>
    /// <param name="count">Items: an epoch of training crops, or the size of the test set; 0 = 10,000 / 1,000.</param>
    /// <param name="shortSide">Short side of the resized photos (≥ the crop side); 0 = 256.</param>
    /// <param name="testFraction">Held-out fraction of the width, in (0, 1); 0 = 0.2.</param>
    /// <param name="maxPixels">Photos over this many pixels are refused from their header.</param>
    /// <exception cref="ViTokException">No photos, no crop size, a short side below the crop, or a photo too narrow
    /// to hold both a training and a test crop (the message names it and the fix).</exception>
    public static PhotoCrops Open(string folder, ImageTransform transform, bool test, int count = 0, int shortSide = 0, double testFraction = 0,
        long maxPixels = ImageIO.DefaultMaxPixels)
    {
        int crop = transform.Size;
        if (crop <= 0) throw new ViTokException($"{folder}: photo-crops needs a crop size: set image_size (or --size), e.g. 64.");
        int side = shortSide > 0 ? shortSide : DefaultShortSide;
        double fraction = testFraction > 0 ? testFraction : DefaultTestFraction;
        if (side < crop) throw new ViTokException($"{folder}: photo-crops short_side {side} is smaller than the crop ({crop}); set short_side ≥ {crop}.");
        if (fraction >= 1) throw new ViTokException($"{folder}: photo-crops test_fraction {fraction} must be below 1 (e.g. 0.2).");
        var files = File.Exists(folder) ? ImageFiles.FromList(folder, maxPixels: maxPixels) : ImageFiles.FromFolder(folder, maxPixels: maxPixels);
        var photos = files.Paths.Select(p => Cache.GetOrAdd(Key(p, side), _ => new Lazy<Photo>(() => Load(p, side, maxPixels))).Value).ToArray();
        foreach (var p in photos)
        {
            int strip = Strip(p.Width, crop, fraction);
            if (p.Width - strip < crop || p.Height < crop)
                throw new ViTokException($"{p.Path}: resized to {p.Width}×{p.Height}, too small for a {crop}² training crop beside a {strip}-pixel test strip; raise short_side or lower image_size.");
        }
        int n = count > 0 ? count : test ? DefaultTestCount : DefaultTrainCount;
        string where = $"{files.Location} ({photos.Length} photos, short side {side}, {crop}² crops, {(test ? "test: the right" : "train: all but the right")} {fraction:0.##} of each width)";
        return new PhotoCrops(where, photos, crop, test, n, fraction, side, transform);
    }

    /// <summary>The crop box of item <paramref name="index"/>: the photo index and the top-left corner in the resized
    /// photo. Test items ignore <paramref name="rng"/>; training items draw the corner (then the flip) from it.</summary>
    public (int Photo, int Top, int Left) Box(int index, DataRng rng)
    {
        int p = index % _photos.Length;
        var photo = _photos[p];
        int strip = Strip(photo.Width, Crop, TestFraction), trainWidth = photo.Width - strip;
        var r = _test ? DataRng.For(0x7E57_C0DEUL, 0, index) : rng;
        int top = r.NextInt(photo.Height - Crop + 1);
        int left = _test ? trainWidth + r.NextInt(strip - Crop + 1) : r.NextInt(trainWidth - Crop + 1);
        return (p, top, left);
    }

    /// <inheritdoc/>
    public string SourceOf(int index) => _photos[index % _photos.Length].Path;

    /// <inheritdoc/>
    public Sample Get(int index, DataRng rng)
    {
        var (p, top, left) = Box(index, rng);
        var photo = _photos[p];
        bool flip = !_test && _transform.Train && rng.NextDouble() < _transform.FlipProbability;
        int s = Crop, plane = s * s, srcPlane = photo.Height * photo.Width;
        var dst = new float[3 * plane];
        for (int c = 0; c < 3; c++)
        {
            for (int y = 0; y < s; y++)
            {
                var row = photo.Pixels.AsSpan(c * srcPlane + (top + y) * photo.Width + left, s);
                var to = dst.AsSpan(c * plane + y * s, s);
                row.CopyTo(to);
                if (flip) to.Reverse();
            }
        }
        return new Sample(dst, 0, s, s, -1, $"{photo.Path}@{top},{left}") { SourceHeight = photo.Height, SourceWidth = photo.Width };
    }

    // Width of the held-out right strip: the fraction of the width, at least one crop.
    private static int Strip(int width, int crop, double fraction) => Math.Max(crop, (int)Math.Round(width * fraction));

    private static string Key(string path, int side)
    {
        var info = new FileInfo(path);
        return $"{info.FullName}|{info.Length}|{info.LastWriteTimeUtc.Ticks}|{side}";
    }

    private static Photo Load(string path, int side, long maxPixels)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ViTokException($"{path}: cannot be read ({e.Message}).", e);
        }
        byte[] rgb;
        int h, w;
        try
        {
            (rgb, h, w) = ImageIO.DecodeRgb8(bytes, path, maxPixels);
        }
        catch (BadItemException e)
        {
            throw new ViTokException($"{path}: {e.Message}; remove it from the photo folder.", e);
        }
        int rh = h <= w ? side : (int)((long)side * h / w), rw = h <= w ? (int)((long)side * w / h) : side;
        var plan = new CropPlan(0, 0, h, w, rh, rw, 0, 0, rh, rw, false);
        var pixels = new float[3 * rh * rw];
        ImageTransform.Apply(rgb, h, w, plan, pixels, rh * rw);
        return new Photo(path, pixels, rh, rw);
    }

    /// <summary>One resized photo: planar floats [3, H, W] in [−1, 1].</summary>
    private sealed record Photo(string Path, float[] Pixels, int Height, int Width);
}
