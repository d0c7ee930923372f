namespace ViTok.IO;

/// <summary>Checks an output destination before any work is done: not empty, a folder where a folder is needed and a
/// file where a file is needed, creatable and writable. Every failure is one <see cref="ViTokException"/> line that
/// names the option and the path (never a temporary name).</summary>
public static class OutputPaths
{
    /// <summary>Checks (and creates) the output folder given to <paramref name="option"/>; returns its full path.</summary>
    /// <exception cref="ViTokException">Empty value, a file stands there (or in its path), or the folder cannot be
    /// created or written.</exception>
    public static string RequireFolder(string? value, string option)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new ViTokException($"{option}: the value is empty; give an output folder.");
        string full = Path.GetFullPath(value);
        if (File.Exists(full)) throw new ViTokException($"{option} {value}: is a file, but a folder is needed here; give a folder (it is created when missing).");
        if (FileInPath(full) is { } blocker)
            throw new ViTokException($"{option} {value}: {blocker} is a file, so the folder cannot be created there; give another folder.");
        try
        {
            Directory.CreateDirectory(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ViTokException($"{option} {value}: cannot create the folder ({AtomicFile.Reason(e, full, full)}); give a writable place.", e);
        }
        Probe(full, option, value);
        return full;
    }

    /// <summary>Checks the output file given to <paramref name="option"/>: not a folder, its folder creatable and
    /// writable (the folder is created); returns the full path. The file itself is not touched.</summary>
    /// <exception cref="ViTokException">Empty value, a folder stands there, or its folder cannot be created or written.</exception>
    public static string RequireFile(string? value, string option)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new ViTokException($"{option}: the value is empty; give an output file name.");
        string full = Path.GetFullPath(value);
        if (Directory.Exists(full)) throw new ViTokException($"{option} {value}: is a folder, but a file name is needed here; give a file name.");
        if (System.Text.Encoding.UTF8.GetByteCount(Path.GetFileName(full)) > AtomicFile.MaxNameBytes)
            throw new ViTokException($"{option} {value}: the file name is longer than {AtomicFile.MaxNameBytes} bytes; give a shorter name.");
        string dir = Path.GetDirectoryName(full)!;
        if (FileInPath(dir) is { } blocker)
            throw new ViTokException($"{option} {value}: {blocker} is a file, not a folder; give another path.");
        try
        {
            Directory.CreateDirectory(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ViTokException($"{option} {value}: cannot create its folder ({AtomicFile.Reason(e, dir, dir)}); give a writable place.", e);
        }
        Probe(dir, option, value);
        return full;
    }

    /// <summary>The path with every symbolic link along it resolved (the path need not exist); used to tell whether
    /// two spellings name one file.</summary>
    public static string Canonical(string path)
    {
        string full = Path.GetFullPath(path);
        for (int hops = 0; hops < 40; hops++)
        {
            string? resolved = null;
            // Find the first component (from the root) that is a link, and splice its target in.
            string root = Path.GetPathRoot(full) ?? "/";
            var parts = full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
            string cur = root;
            for (int i = 0; i < parts.Length; i++)
            {
                cur = Path.Combine(cur, parts[i]);
                FileSystemInfo info = Directory.Exists(cur) ? new DirectoryInfo(cur) : new FileInfo(cur);
                if (!info.Exists || info.LinkTarget is not { } target) continue;
                string targetFull = Path.GetFullPath(target, Path.GetDirectoryName(cur) ?? root);
                resolved = Path.Combine([targetFull, .. parts[(i + 1)..]]);
                break;
            }
            if (resolved is null) return full;
            full = resolved;
        }
        return full;
    }

    // The first existing regular file among the folders of a path.
    internal static string? FileInPath(string? dir)
    {
        for (string? d = dir; !string.IsNullOrEmpty(d); d = Path.GetDirectoryName(d))
            if (File.Exists(d)) return d;
        return null;
    }

    // Creates and removes a short hidden file in the folder: the cheapest honest test that writing there works.
    private static void Probe(string dir, string option, string value)
    {
        string probe = Path.Combine(dir, ".vitok-probe-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ViTokException($"{option} {value}: cannot write there ({AtomicFile.Reason(e, dir, probe)}); give a writable place.", e);
        }
        finally
        {
            try
            {
                if (File.Exists(probe)) File.Delete(probe);
            }
            catch (IOException)
            {
                // Nothing more to do: the probe is empty and hidden.
            }
        }
    }
}
