using ViTok.IO;

namespace ViTok.Data;

/// <summary>The files of a data folder, listed once each and classified by kind. Subfolders are read recursively;
/// hidden files and folders are skipped. Symbolic links are never followed into folders (no loops, no escaping the
/// folder); a link to a file counts only when its target is a regular file inside the folder that is not already
/// counted. Known image and video extensions are taken by name; every other file is recognised by its first bytes
/// (<see cref="FileContent"/>) and, when those name no format, by ffprobe.</summary>
internal sealed class FolderScan
{
    private FolderScan(string root, List<(string Path, ContentKind Kind, string Why)> files, List<IgnoredFile> links)
    {
        Root = root;
        Files = files;
        Links = links;
    }

    /// <summary>The folder (absolute).</summary>
    public string Root { get; }

    /// <summary>Every file counted, sorted by path, with its kind and, for non-media, what it is.</summary>
    public IReadOnlyList<(string Path, ContentKind Kind, string Why)> Files { get; }

    /// <summary>Links not followed (to folders, out of the folder, broken, looping, duplicates).</summary>
    public IReadOnlyList<IgnoredFile> Links { get; }

    /// <summary>Scans <paramref name="root"/>; with <paramref name="classify"/> false only names decide (Image,
    /// Video, Tar or Other), which never opens a file.</summary>
    public static FolderScan Of(string root, bool classify = true)
    {
        root = Path.GetFullPath(root);
        string realRoot = RealPath(root);
        var regular = new List<string>();
        var links = new List<string>();
        var ignored = new List<IgnoredFile>();
        var pending = new Stack<DirectoryInfo>();
        pending.Push(new DirectoryInfo(root));
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = false,
            IgnoreInaccessible = true,
            AttributesToSkip = FileAttributes.Hidden | FileAttributes.System,
        };
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            FileSystemInfo[] entries;
            try
            {
                entries = dir.EnumerateFileSystemInfos("*", options).ToArray();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                ignored.Add(new IgnoredFile(dir.FullName, $"folder not readable ({e.Message})"));
                continue;
            }
            foreach (var e in entries)
            {
                if (e.LinkTarget is not null) links.Add(e.FullName);
                else if (e is DirectoryInfo d) pending.Push(d);
                else if (e is FileInfo) regular.Add(e.FullName);
            }
        }
        // Real path of every counted file: the folder is walked without following links, so a regular file's real
        // path is the real root plus its relative path.
        var seen = new HashSet<string>(regular.Select(p => Path.Combine(realRoot, Path.GetRelativePath(root, p))), StringComparer.Ordinal);
        var counted = new List<string>(regular);
        foreach (string link in links.Order(StringComparer.Ordinal))
        {
            string? why = null;
            try
            {
                var target = File.ResolveLinkTarget(link, returnFinalTarget: true);
                if (target is null || !target.Exists)
                    why = Directory.Exists(link) ? "a link to a folder (links are not followed into folders)" : "a broken link";
                else if (target is DirectoryInfo || Directory.Exists(target.FullName))
                    why = "a link to a folder (links are not followed into folders)";
                else
                {
                    string real = RealPath(target.FullName);
                    if (!IsUnder(real, realRoot)) why = "a link out of the folder (not followed)";
                    else if (!seen.Add(real)) why = $"a link to {Path.GetRelativePath(realRoot, real)}, already counted";
                }
            }
            catch (IOException)
            {
                why = Directory.Exists(link) ? "a link to a folder (links are not followed into folders)" : "a link in a loop";
            }
            catch (UnauthorizedAccessException)
            {
                why = "a link that cannot be resolved";
            }
            if (why is null) counted.Add(link);
            else ignored.Add(new IgnoredFile(link, why));
        }
        var files = counted.Order(StringComparer.Ordinal).Select(p => Classify(p, classify)).ToList();
        return new FolderScan(root, files, ignored);
    }

    /// <summary>The files of <paramref name="kind"/>, sorted by path.</summary>
    public string[] OfKind(ContentKind kind) => Files.Where(f => f.Kind == kind).Select(f => f.Path).ToArray();

    /// <summary>Every file not of <paramref name="kind"/> (and every link not followed), with why it is not taken by
    /// a source of that kind.</summary>
    public List<IgnoredFile> Ignored(ContentKind kind)
    {
        var list = new List<IgnoredFile>();
        foreach (var (path, k, why) in Files)
        {
            if (k == kind) continue;
            list.Add(new IgnoredFile(path, k switch
            {
                ContentKind.Image => "an image (this source reads videos; GIFs are images: their first frame)",
                ContentKind.Video => "a video (this source reads images)",
                ContentKind.Tar or ContentKind.Gzip => "a tar shard (use --kind shards)",
                _ => why,
            }));
        }
        list.AddRange(Links);
        return list;
    }

    /// <summary>Counts per kind that a data source can take (images, videos, shards).</summary>
    public (int Images, int Videos, int Shards) Counts() =>
        (Files.Count(f => f.Kind == ContentKind.Image), Files.Count(f => f.Kind == ContentKind.Video),
            Files.Count(f => f.Kind is ContentKind.Tar || (f.Kind == ContentKind.Gzip && WebDatasetShards.IsShardPath(f.Path))));

    /// <summary>The kind of one file: by a known extension, else by content, else by ffprobe (when
    /// <paramref name="open"/>).</summary>
    public static (string Path, ContentKind Kind, string Why) Classify(string path, bool open = true)
    {
        string ext = Path.GetExtension(path).ToLowerInvariant();
        if (ImageIO.Extensions.Contains(ext)) return (path, ContentKind.Image, "an image");
        if (VideoIO.Extensions.Contains(ext)) return (path, ContentKind.Video, "a video");
        if (WebDatasetShards.IsShardPath(path)) return (path, ContentKind.Tar, "a tar shard");
        if (!open) return (path, ContentKind.Other, "not a known image or video name");
        FileContent c;
        try
        {
            // A zero length also covers FIFOs and sockets, whose open would block: never open those.
            if (new FileInfo(path).Length == 0) return (path, ContentKind.Empty, "not media (empty, or not a regular file)");
            c = FileContent.OfFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (path, ContentKind.Other, $"not readable ({e.Message})");
        }
        if (c.Kind == ContentKind.Other && c.Format == "binary" && VideoIO.HasVideoStream(path))
            return (path, ContentKind.Video, "a video");
        return (path, c.Kind, c.Kind switch
        {
            ContentKind.Text or ContentKind.LfsPointer or ContentKind.Empty => $"not media ({c.Format})",
            _ => $"{c.Description}",
        });
    }

    private static bool IsUnder(string path, string root) =>
        path.StartsWith(root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    // The path with every symbolic link in it resolved (the folder the user gave may itself be a link).
    internal static string RealPath(string path)
    {
        string full = Path.GetFullPath(path);
        string? parent = Path.GetDirectoryName(full);
        if (parent is null) return full;
        string realParent = RealPath(parent);
        string candidate = Path.Combine(realParent, Path.GetFileName(full));
        for (int hops = 0; hops < 40; hops++)
        {
            FileSystemInfo info = Directory.Exists(candidate) ? new DirectoryInfo(candidate) : new FileInfo(candidate);
            if (info.LinkTarget is not { } target) return candidate;
            candidate = Path.GetFullPath(target, Path.GetDirectoryName(candidate)!);
            candidate = Path.Combine(RealPath(Path.GetDirectoryName(candidate)!), Path.GetFileName(candidate));
        }
        throw new IOException($"{path}: too many levels of symbolic links");
    }
}
