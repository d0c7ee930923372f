namespace ViTok.Tests.Support;

/// <summary>Paths the tests read: the repository root (found by walking up to ViTok.slnx), the copied fixtures and
/// the shared folder beside the repository (../shared), which only exists on development machines.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Fixtures(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);

    public static string Shared(params string[] parts) => Path.GetFullPath(Path.Combine([Root, "..", "shared", .. parts]));

    private static string FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "ViTok.slnx"))) return d.FullName;
        throw new InvalidOperationException($"ViTok.slnx not found above {AppContext.BaseDirectory}");
    }
}
