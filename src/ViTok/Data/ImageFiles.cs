using ViTok.IO;

namespace ViTok.Data;

/// <summary>Image files as a map-style dataset: a folder read recursively (jpg, jpeg, png, webp, bmp, gif as its first
/// frame, and any other name whose content is one of these; the class is the first-level subfolder, as in ImageNet's
/// layout), a text file of paths with optional labels, or an explicit list. Hidden files and folders are skipped;
/// links are not followed into folders or out of the folder (see <see cref="FolderScan"/>); every other file the folder
/// holds is listed in <see cref="Ignored"/>. Items are decoded with <see cref="ImageIO.DecodeRgb8"/> and transformed.</summary>
public sealed class ImageFiles : IDataset
{
    private readonly string[] _paths;
    private readonly int[] _labels;
    private readonly string[] _classes;

    private ImageFiles(string location, string[] paths, int[] labels, string[] classes, ImageTransform transform, long maxPixels,
        IReadOnlyList<IgnoredFile>? ignored = null)
    {
        Ignored = ignored ?? [];
        Location = location;
        _paths = paths;
        _labels = labels;
        _classes = classes;
        Transform = transform;
        MaxPixels = maxPixels;
    }

    /// <inheritdoc/>
    public string Location { get; }

    /// <inheritdoc/>
    public string Kind => "images";

    /// <inheritdoc/>
    public IReadOnlyList<string> Classes => _classes;

    /// <inheritdoc/>
    public int Count => _paths.Length;

    /// <inheritdoc/>
    public IReadOnlyList<IgnoredFile> Ignored { get; }

    /// <summary>The transform applied to every decoded image.</summary>
    public ImageTransform Transform { get; }

    /// <summary>Images with more pixels than this are skipped from their header.</summary>
    public long MaxPixels { get; }

    /// <summary>The image paths, index = item.</summary>
    public IReadOnlyList<string> Paths => _paths;

    /// <summary>The labels, index = item (-1 = none).</summary>
    public IReadOnlyList<int> Labels => _labels;

    /// <summary>Lists the images under <paramref name="root"/> recursively, sorted by path. Files in a first-level
    /// subfolder get that folder's class; files at the top level get -1.</summary>
    /// <exception cref="ViTokException">The folder does not exist or holds no images.</exception>
    public static ImageFiles FromFolder(string root, ImageTransform? transform = null, long maxPixels = ImageIO.DefaultMaxPixels)
    {
        root = Path.GetFullPath(root);
        if (!Directory.Exists(root)) throw new ViTokException($"{root}: folder not found. Give a folder of images (or a file list).");
        var scan = FolderScan.Of(root);
        var images = scan.OfKind(ContentKind.Image);
        var ignored = scan.Ignored(ContentKind.Image);
        if (images.Length == 0)
            throw new ViTokException($"{root}: no images found (looked recursively for {string.Join(", ", ImageIO.Extensions)} and image content; "
                + $"found {DescribeFiles(scan.Files.Select(f => f.Path).ToList())}). Point at a folder of images, or pass --kind for another source.");
        string? ClassOf(string p)
        {
            string rel = Path.GetRelativePath(root, p);
            int sep = rel.IndexOf(Path.DirectorySeparatorChar);
            return sep > 0 ? rel[..sep] : null;
        }
        var classes = images.Select(ClassOf).OfType<string>().Distinct().OrderBy(c => c, StringComparer.Ordinal).ToArray();
        var index = classes.Select((c, i) => (c, i)).ToDictionary(t => t.c, t => t.i);
        var labels = images.Select(p => ClassOf(p) is { } c ? index[c] : -1).ToArray();
        return new ImageFiles(root, images, labels, classes, transform ?? ImageTransform.None, maxPixels, ignored);
    }

    /// <summary>Reads a text file of image paths, one per line, each optionally followed by a label (an integer or a
    /// class name) after a tab or a space. Relative paths are resolved against the list's folder; blank lines and
    /// lines starting with # are ignored.</summary>
    /// <exception cref="ViTokException">The list file is missing, unreadable or not a text list of paths.</exception>
    public static ImageFiles FromList(string listFile, ImageTransform? transform = null, long maxPixels = ImageIO.DefaultMaxPixels)
    {
        listFile = Path.GetFullPath(listFile);
        if (!File.Exists(listFile)) throw new ViTokException($"{listFile}: list file not found.");
        FileContent content;
        try
        {
            content = FileContent.OfFile(listFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ViTokException($"{listFile}: cannot be read ({e.Message}).", e);
        }
        if (content.Kind != ContentKind.Text)
            throw new ViTokException($"{listFile}: is {content.Description}, not a text list of image paths. Give an image, a video, a folder, tar shards or a text file with one path per line.");
        string dir = Path.GetDirectoryName(listFile)!;
        var entries = new List<(string Path, string? Label)>();
        foreach (var raw in File.ReadLines(listFile))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            int cut = line.Contains('\t') ? line.LastIndexOf('\t') : line.LastIndexOf(' ');
            string path = line;
            string? label = null;
            if (cut > 0 && !IsImagePath(line[(cut + 1)..]))
            {
                path = line[..cut].Trim();
                label = line[(cut + 1)..].Trim();
            }
            entries.Add((Path.GetFullPath(Path.Combine(dir, path)), label));
        }
        if (entries.Count == 0) throw new ViTokException($"{listFile}: the list has no paths (one image path per line, optional label after a tab).");
        var named = entries.Where(e => e.Label is not null && !int.TryParse(e.Label, out _)).Select(e => e.Label!).Distinct()
            .OrderBy(c => c, StringComparer.Ordinal).ToArray();
        string[] classes;
        int[] labels;
        if (named.Length > 0)
        {
            classes = entries.Where(e => e.Label is not null).Select(e => e.Label!).Distinct().OrderBy(c => c, StringComparer.Ordinal).ToArray();
            var index = classes.Select((c, i) => (c, i)).ToDictionary(t => t.c, t => t.i);
            labels = entries.Select(e => e.Label is null ? -1 : index[e.Label]).ToArray();
        }
        else
        {
            labels = entries.Select(e => e.Label is null ? -1 : int.Parse(e.Label)).ToArray();
            int max = labels.DefaultIfEmpty(-1).Max();
            classes = Enumerable.Range(0, max + 1).Select(i => i.ToString()).ToArray();
        }
        return new ImageFiles(listFile, entries.Select(e => e.Path).ToArray(), labels, classes, transform ?? ImageTransform.None, maxPixels);
    }

    /// <summary>A dataset over given paths and labels (-1 = none).</summary>
    /// <exception cref="ViTokException">No paths are given.</exception>
    public static ImageFiles FromPaths(IReadOnlyList<string> paths, IReadOnlyList<int>? labels = null,
        ImageTransform? transform = null, long maxPixels = ImageIO.DefaultMaxPixels)
    {
        if (paths.Count == 0) throw new ViTokException("no image paths given.");
        var l = labels?.ToArray() ?? Enumerable.Repeat(-1, paths.Count).ToArray();
        int max = l.DefaultIfEmpty(-1).Max();
        return new ImageFiles(paths.Count == 1 ? paths[0] : $"{paths.Count} files", paths.ToArray(), l,
            Enumerable.Range(0, max + 1).Select(i => i.ToString()).ToArray(), transform ?? ImageTransform.None, maxPixels);
    }

    /// <inheritdoc/>
    public string SourceOf(int index) => _paths[index];

    /// <inheritdoc/>
    public Sample Get(int index, DataRng rng)
    {
        string path = _paths[index];
        var (rgb, h, w) = ImageIO.DecodeRgb8(ReadBytes(path), path, MaxPixels);
        var pixels = Transform.Apply(rgb, h, w, rng, out var plan);
        return new Sample(pixels, 0, plan.OutHeight, plan.OutWidth, _labels[index], path) { SourceHeight = h, SourceWidth = w };
    }

    /// <summary>Reads a whole file, turning I/O failures into a <see cref="BadItemException"/>.</summary>
    internal static byte[] ReadBytes(string path)
    {
        try
        {
            // A zero length also covers FIFOs and sockets, whose open would block: never open those.
            var info = new FileInfo(path);
            if (!info.Exists) throw new BadItemException(path, SkipReason.IoError, "file not found");
            if (info.Length == 0) throw new BadItemException(path, SkipReason.Empty, "zero-byte file");
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BadItemException(path, SkipReason.IoError, e.Message);
        }
    }

    internal static bool IsImagePath(string path) =>
        ImageIO.Extensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    // "12 files: 10 .txt, 2 .mp4" — what a folder holds when it holds no images.
    internal static string DescribeFiles(IReadOnlyCollection<string> files)
    {
        if (files.Count == 0) return "no files at all";
        var byExt = files.GroupBy(f => Path.GetExtension(f).ToLowerInvariant() is { Length: > 0 } e ? e : "(no extension)")
            .OrderByDescending(g => g.Count()).Take(6).Select(g => $"{g.Count()} {g.Key}");
        return $"{files.Count} files: {string.Join(", ", byExt)}";
    }
}
