using System.Collections.Concurrent;

namespace ViTok.Data;

/// <summary>Fashion-MNIST from its IDX files (Debian's <c>dataset-fashion-mnist</c> installs them in
/// <see cref="DefaultFolder"/>): 60k train / 10k test 28×28 grey images, replicated to RGB, with their 10 labels.</summary>
public sealed class FashionMnist : IDataset
{
    /// <summary>Where Debian's package puts the files.</summary>
    public const string DefaultFolder = "/usr/share/datasets/fashion-mnist";

    private static readonly ConcurrentDictionary<string, (byte[] Images, byte[] Labels, int Rows, int Cols)> Cache = new();
    private readonly byte[] _images;
    private readonly byte[] _labels;

    private FashionMnist(string location, byte[] images, byte[] labels, int rows, int cols, ImageTransform transform)
    {
        Location = location;
        _images = images;
        _labels = labels;
        Rows = rows;
        Cols = cols;
        Transform = transform;
    }

    /// <summary>The ten class names, index = label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <inheritdoc/>
    public string Location { get; }

    /// <inheritdoc/>
    public string Kind => "fashion-mnist";

    /// <inheritdoc/>
    public IReadOnlyList<string> Classes => ClassNames;

    /// <inheritdoc/>
    public int Count => _labels.Length;

    /// <summary>Image height (28).</summary>
    public int Rows { get; }

    /// <summary>Image width (28).</summary>
    public int Cols { get; }

    /// <summary>The transform applied to every item.</summary>
    public ImageTransform Transform { get; }

    /// <summary>Loads the train (60k) or test (10k) split from <paramref name="folder"/> (default
    /// <see cref="DefaultFolder"/>), reading <c>train-*</c> or <c>t10k-*</c> IDX files, gzipped or not.</summary>
    /// <exception cref="ViTokException">The files are missing, damaged or do not match each other.</exception>
    public static FashionMnist Load(string? folder = null, bool train = true, ImageTransform? transform = null)
    {
        folder = Path.GetFullPath(string.IsNullOrEmpty(folder) ? DefaultFolder : folder);
        string prefix = train ? "train" : "t10k";
        var (images, labels, rows, cols) = Cache.GetOrAdd($"{folder}|{prefix}", _ =>
        {
            string imagesPath = Find(folder, $"{prefix}-images-idx3-ubyte");
            string labelsPath = Find(folder, $"{prefix}-labels-idx1-ubyte");
            var (img, idims) = Idx.Read(imagesPath);
            var (lab, ldims) = Idx.Read(labelsPath);
            if (idims.Length != 3 || ldims.Length != 1 || idims[0] != ldims[0])
                throw new ViTokException($"{folder}: {Path.GetFileName(imagesPath)} [{string.Join(", ", idims)}] and "
                    + $"{Path.GetFileName(labelsPath)} [{string.Join(", ", ldims)}] do not match (expected [N, 28, 28] and [N]).");
            return (img, lab, idims[1], idims[2]);
        });
        return new FashionMnist(folder, images, labels, rows, cols, transform ?? ImageTransform.None);
    }

    /// <summary>The grey pixels [Rows, Cols] of item <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> Grey(int index) => _images.AsSpan(index * Rows * Cols, Rows * Cols);

    /// <summary>The label of item <paramref name="index"/>.</summary>
    public int LabelOf(int index) => _labels[index];

    /// <inheritdoc/>
    public string SourceOf(int index) => $"{Location}#{index}";

    /// <inheritdoc/>
    public Sample Get(int index, DataRng rng)
    {
        var grey = Grey(index);
        var rgb = new byte[grey.Length * 3];
        for (int i = 0; i < grey.Length; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = grey[i];
        var pixels = Transform.Apply(rgb, Rows, Cols, rng, out var plan);
        return new Sample(pixels, 0, plan.OutHeight, plan.OutWidth, _labels[index], SourceOf(index))
        {
            SourceHeight = Rows,
            SourceWidth = Cols,
        };
    }

    private static string Find(string folder, string stem)
    {
        foreach (var name in new[] { stem + ".gz", stem, stem.Replace("-idx", ".idx") + ".gz", stem.Replace("-idx", ".idx") })
        {
            string p = Path.Combine(folder, name);
            if (File.Exists(p)) return p;
        }
        string found = Directory.Exists(folder)
            ? ImageFiles.DescribeFiles(Directory.GetFiles(folder))
            : "the folder does not exist";
        throw new ViTokException($"{folder}: no {stem}(.gz) here ({found}). Install Fashion-MNIST with "
            + "`apt-get install -y dataset-fashion-mnist` or give the folder that holds its IDX files.");
    }
}
