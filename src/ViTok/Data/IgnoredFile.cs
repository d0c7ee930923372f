namespace ViTok.Data;

/// <summary>A file in a data folder that the source does not take, with the reason ("a video in an image folder",
/// "a link out of the folder (not followed)"). Ignored files are counted and listed, never dropped silently.</summary>
/// <param name="Path">The file (or link) as found under the folder.</param>
/// <param name="Why">Why it is not taken, in a few words.</param>
public sealed record IgnoredFile(string Path, string Why)
{
    /// <summary>"3 ignored: 2 .gif, 1 .txt": the ignored files counted by extension (most first), or null when none.</summary>
    public static string? Summary(IReadOnlyCollection<IgnoredFile> ignored)
    {
        if (ignored.Count == 0) return null;
        var byExt = ignored.GroupBy(f => System.IO.Path.GetExtension(f.Path).ToLowerInvariant() is { Length: > 0 } e ? e : "(no extension)")
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}");
        return $"ignored: {string.Join(", ", byExt)}";
    }
}
