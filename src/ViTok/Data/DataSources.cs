using ViTok.IO;

namespace ViTok.Data;

/// <summary>Opens a data source from a path and options, detecting its kind when none is given: a .tar/.tgz file or
/// a folder of them → shards; a folder with Fashion-MNIST IDX files → fashion-mnist; a video file or a folder of mostly
/// videos → video; a text list, an image file or a folder of images → images.</summary>
public static class DataSources
{
    /// <summary>The kinds understood by <see cref="Open"/>.</summary>
    public static IReadOnlyList<string> Kinds { get; } = ["images", "video", "fashion-mnist", "moving-fashion-mnist", "shards", "synthetic"];

    /// <summary>Builds the source for <paramref name="path"/>. Throws <see cref="ViTokException"/> saying where it
    /// looked and what it found when there is nothing to read.</summary>
    public static IDataSource Open(string path, DataSourceOptions? options = null)
    {
        var o = options ?? new DataSourceOptions();
        string kind = o.Kind ?? Detect(path);
        switch (kind)
        {
            case "images":
                if (File.Exists(path))
                {
                    return ImageFiles.IsImagePath(path)
                        ? ImageFiles.FromPaths([Path.GetFullPath(path)], null, o.Transform, o.MaxPixels)
                        : ImageFiles.FromList(path, o.Transform, o.MaxPixels);
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
            case "synthetic":
                var sources = path is "" or "synthetic" or "lavfi" ? null : path.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                return new SyntheticVideos(o.Count > 0 ? o.Count : 64, o.Clip.Frames, o.Transform.Size > 0 ? o.Transform.Size : 64,
                    o.Clip.Fps ?? 8, sources, o.Transform, o.Clip.Timeout);
            default:
                throw new ViTokException($"--kind '{kind}' is not known; use one of {string.Join(", ", Kinds)}.");
        }
    }

    /// <summary>Guesses the kind of <paramref name="path"/> from names alone (no decoding).</summary>
    public static string Detect(string path)
    {
        if (path is "fashion-mnist" or "" && Directory.Exists(FashionMnist.DefaultFolder)) return "fashion-mnist";
        if (path is "moving-fashion-mnist") return "moving-fashion-mnist";
        if (path is "synthetic" or "lavfi") return "synthetic";
        if (File.Exists(path))
        {
            if (WebDatasetShards.IsShardPath(path)) return "shards";
            if (VideoFiles.IsVideoPath(path)) return "video";
            return "images";
        }
        if (!Directory.Exists(path))
            throw new ViTokException($"{Path.GetFullPath(path)}: no such file or folder. Give a folder of images or videos, a file list, "
                + "tar shards, or --kind fashion-mnist / moving-fashion-mnist / synthetic.");
        var top = Directory.GetFiles(path);
        if (top.Any(f => Path.GetFileName(f).Contains("-images-idx3-ubyte", StringComparison.Ordinal))) return "fashion-mnist";
        int images = 0, videos = 0, shards = 0;
        foreach (var f in ImageFiles.EnumerateFiles(path).Take(100_000))
        {
            if (ImageFiles.IsImagePath(f)) images++;
            else if (VideoFiles.IsVideoPath(f)) videos++;
            else if (WebDatasetShards.IsShardPath(f)) shards++;
        }
        if (shards > 0 && shards >= images && shards >= videos) return "shards";
        return videos > images ? "video" : "images";
    }

    private static string? FashionFolder(string path) =>
        path is "" or "fashion-mnist" or "moving-fashion-mnist" ? null : path;
}
