namespace ViTok.IO;

/// <summary>The overwrite rule: an output never replaces an input of the command, the checkpoint it reads, or an
/// existing file that this tool did not write, unless the user passes <c>--overwrite</c>. Earlier outputs of the tool
/// (recognised by content, e.g. <see cref="ImageIO.IsOwnPng"/>) are replaced, so a command can be run again into the
/// same folder. Paths are compared after resolving symbolic links.</summary>
public sealed class OverwriteGuard(bool overwrite)
{
    private readonly Dictionary<string, string> _protected = new(OperatingSystem.IsLinux() ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase);

    /// <summary>True when <c>--overwrite</c> was given (every check passes).</summary>
    public bool Overwrite { get; } = overwrite;

    /// <summary>Marks <paramref name="path"/> (a file, or every file directly in a folder) as something this command
    /// reads; <paramref name="role"/> says what it is ("an input", "the checkpoint").</summary>
    public OverwriteGuard Protect(string? path, string role)
    {
        if (string.IsNullOrEmpty(path)) return this;
        if (Directory.Exists(path))
        {
            _protected.TryAdd(OutputPaths.Canonical(path), role);
            foreach (var f in Directory.EnumerateFiles(path)) _protected.TryAdd(OutputPaths.Canonical(f), role);
        }
        else
        {
            _protected.TryAdd(OutputPaths.Canonical(path), role);
        }
        return this;
    }

    /// <summary>Refuses (unless <see cref="Overwrite"/>) to write <paramref name="dest"/> when it is a protected path,
    /// or an existing file for which <paramref name="isOwn"/> is false.</summary>
    /// <exception cref="ViTokException">The write would replace an input, the checkpoint or a foreign file.</exception>
    public void Check(string dest, Func<string, bool> isOwn)
    {
        if (Overwrite) return;
        if (_protected.TryGetValue(OutputPaths.Canonical(dest), out var role))
            throw new ViTokException($"{dest}: is {role} of this command; writing the output there would replace it. " +
                                     "Choose another output place (or pass --overwrite to replace it anyway).");
        if (File.Exists(dest) && !isOwn(dest))
            throw new ViTokException($"{dest}: exists and was not written by vitok; choose another output place " +
                                     "(or pass --overwrite to replace it).");
        if (Directory.Exists(dest))
            throw new ViTokException($"{dest}: is a folder; choose another output place.");
    }

    /// <summary>True when <paramref name="path"/> is a latent file written by <c>vitok encode</c> (by its metadata).</summary>
    public static bool IsOwnLatentFile(string path)
    {
        try
        {
            return Safetensors.ReadHeader(path).Metadata.TryGetValue("format", out var f) && f == "vitok.net/latents-1";
        }
        catch (Exception e) when (e is ViTokException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
