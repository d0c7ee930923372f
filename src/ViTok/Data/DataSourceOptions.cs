using ViTok.IO;

namespace ViTok.Data;

/// <summary>How <see cref="DataSources.Open"/> builds a source: its kind (null = detect from the path), the transform,
/// how clips are cut, and the sizes of generated sources.</summary>
public sealed record DataSourceOptions
{
    /// <summary>images, video, fashion-mnist, moving-fashion-mnist, photo-crops, shards or synthetic; null detects it from the path.</summary>
    public string? Kind { get; init; }

    /// <summary>Transform applied to every image or clip.</summary>
    public ImageTransform Transform { get; init; } = ImageTransform.None;

    /// <summary>How clips are cut from videos (and the frame count of generated clips).</summary>
    public ClipOptions Clip { get; init; } = new();

    /// <summary>Fashion-MNIST: read the 10k test split instead of the 60k train split; photo-crops: the held-out test crops.</summary>
    public bool TestSplit { get; init; }

    /// <summary>Images over this many pixels are skipped from their header.</summary>
    public long MaxPixels { get; init; } = ImageIO.DefaultMaxPixels;

    /// <summary>Generated sources (moving-fashion-mnist, synthetic): number of clips; photo-crops: crops per epoch (training)
    /// or in the fixed test set; 0 = their default.</summary>
    public int Count { get; init; }

    /// <summary>Generated sources: the seed that fixes their content.</summary>
    public ulong Seed { get; init; }

    /// <summary>photo-crops: short side the photos are resized to before cropping; 0 = <see cref="PhotoCrops.DefaultShortSide"/>.</summary>
    public int ShortSide { get; init; }

    /// <summary>photo-crops: held-out fraction of each photo's width (the right strip); 0 = <see cref="PhotoCrops.DefaultTestFraction"/>.</summary>
    public double TestFraction { get; init; }
}
