using ViTok.IO;

namespace ViTok.Data;

/// <summary>Opens a data source from a path and options, detecting its kind from content when none is given: a tar
/// shard or a folder of them → shards; a folder with Fashion-MNIST IDX files → fashion-mnist; a video (any container
/// ffprobe reads) or a folder of videos → video; an image (GIF: its first frame), a text list of paths or a folder of
/// images → images. A folder holding more than one of images, videos and shards is refused with the counts, so that
/// no kind is dropped silently; <c>--kind</c> chooses, and the files of other kinds are listed as ignored. Square crops
/// of a folder of large photos (<see cref="PhotoCrops"/>) are never detected: ask for <c>--kind photo-crops</c>.</summary>
public static class DataSources
{
    /// <summary>The kinds understood by <see cref="Open"/>.</summary>
    public static IReadOnlyList<string> Kinds { get; } = ["images", "video", "fashion-mnist", "moving-fashion-mnist", "photo-crops", "shards", "synthetic"];

    /// <summary>Builds the source for <paramref name="path"/>. Throws <see cref="ViTokException"/> saying where it
    /// looked and what it found when there is nothing to read.</summary>
    /// <exception cref="ViTokException">The kind is unknown or the path cannot be opened as a source; the message names it and the fix.</exception>
    public static IDataSource Open(string path, DataSourceOptions? options = null)
    {
        var o = options ?? new DataSourceOptions();
        string kind = o.Kind ?? Detect(path);
        switch (kind)
        {
            case "images":
                if (File.Exists(path))
                {
                    // A file list is recognised by its content being text, never by its name.
                    return Content(path).Kind == ContentKind.Text
                        ? ImageFiles.FromList(path, o.Transform, o.MaxPixels)
                        : ImageFiles.FromPaths([Path.GetFullPath(path)], null, o.Transform, o.MaxPixels);
                }
                return ImageFiles.FromFolder(path, o.Transform, o.MaxPixels);
            case "video":
                return VideoFiles.FromFolder(path, o.Clip, o.Transform);
            case "shards":
                return WebDatasetShards.Open(path, o.Transform, o.MaxPixels);
            case "fashion-mnist":
                return FashionMnist.Load(FashionFolder(path), !o.TestSplit, o.Transform);
            case "moving-fashion-mnist":
                return new MovingFashionMnist(FashionMnist.Load(FashionFolder(path), !o.TestSplit), o.Count > 0 ? o.Count : 10_000,
                    o.Clip.Frames, 64, 2, o.Seed, o.Transform);
            case "photo-crops":
                return PhotoCrops.Open(path, o.Transform, o.TestSplit, o.Count, o.ShortSide, o.TestFraction, o.MaxPixels);
            case "synthetic":
                var sources = path is "" or "synthetic" or "lavfi" ? null : path.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                return new SyntheticVideos(o.Count > 0 ? o.Count : 64, o.Clip.Frames, o.Transform.Size > 0 ? o.Transform.Size : 64,
                    o.Clip.Fps ?? 8, sources, o.Transform, o.Clip.Timeout);
            default:
                throw new ViTokException($"--kind '{kind}' is not known; use one of {string.Join(", ", Kinds)}.");
        }
    }

    /// <summary>Detects the kind of <paramref name="path"/>: a file by its content (and ffprobe when the first bytes
    /// name no format), a folder by the kinds of the files it holds. Throws <see cref="ViTokException"/> for a file
    /// that is no data (text is a file list; an unread image format, an LFS pointer or unknown bytes are named) and
    /// for a folder that mixes kinds.</summary>
    /// <exception cref="ViTokException">The path does not exist, is empty, or is no kind of source.</exception>
    public static string Detect(string path)
    {
        if (path is "fashion-mnist" or "" && Directory.Exists(FashionMnist.DefaultFolder)) return "fashion-mnist";
        if (path is "moving-fashion-mnist") return "moving-fashion-mnist";
        if (path is "synthetic" or "lavfi") return "synthetic";
        if (File.Exists(path))
        {
            var c = Content(path);
            switch (c.Kind)
            {
                case ContentKind.Image:
                case ContentKind.Text:
                    return "images";
                case ContentKind.Video:
                    return "video";
                case ContentKind.Tar:
                    return "shards";
                case ContentKind.Gzip when WebDatasetShards.IsShardPath(path):
                    return "shards";
                case ContentKind.Other when c.Format == "binary" && VideoIO.HasVideoStream(path):
                    return "video";
                case ContentKind.Empty:
                    throw new ViTokException($"{Path.GetFullPath(path)}: is empty (0 bytes). Copy it again or give another file.");
                default:
                    throw new ViTokException($"{Path.GetFullPath(path)}: is {c.Description}, not an image, a video, a tar shard or a text list of paths. "
                        + "Give one of those, or a folder of them.");
            }
        }
        if (!Directory.Exists(path))
            throw new ViTokException($"{Path.GetFullPath(path)}: no such file or folder. Give a folder of images or videos, a file list, "
                + "tar shards, or --kind fashion-mnist / moving-fashion-mnist / synthetic.");
        var top = Directory.GetFiles(path);
        if (top.Any(f => Path.GetFileName(f).Contains("-images-idx3-ubyte", StringComparison.Ordinal))) return "fashion-mnist";
        var (images, videos, shards) = FolderScan.Of(path).Counts();
        var kinds = new List<string>();
        if (images > 0) kinds.Add($"{images} image{(images == 1 ? "" : "s")}");
        if (videos > 0) kinds.Add($"{videos} video{(videos == 1 ? "" : "s")}");
        if (shards > 0) kinds.Add($"{shards} tar shard{(shards == 1 ? "" : "s")}");
        if (kinds.Count > 1)
            throw new ViTokException($"{Path.GetFullPath(path)}: the folder mixes {string.Join(" and ", kinds)}. Pass --kind "
                + $"{string.Join(" or --kind ", new[] { images > 0 ? "images" : null, videos > 0 ? "video" : null, shards > 0 ? "shards" : null }.OfType<string>())} "
                + "to read one kind (the others are then listed as ignored), or separate them into folders.");
        if (shards > 0) return "shards";
        return videos > 0 ? "video" : "images";
    }

    private static FileContent Content(string path)
    {
        try
        {
            return FileContent.OfFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ViTokException($"{Path.GetFullPath(path)}: cannot be read ({e.Message}).", e);
        }
    }

    private static string? FashionFolder(string path) =>
        path is "" or "fashion-mnist" or "moving-fashion-mnist" ? null : path;
}
