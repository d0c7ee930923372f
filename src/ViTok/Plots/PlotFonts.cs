namespace ViTok.Plots;

/// <summary>The font the pictures use for text, found as a file (headless machines have no font service to ask):
/// DejaVu Sans from Debian's <c>fonts-dejavu-core</c>, or <c>VITOK_FONT</c> naming a TrueType file.</summary>
public static class PlotFonts
{
    /// <summary>The family name the file is registered under in ScottPlot.</summary>
    public const string Family = "DejaVu Sans";

    private static readonly string[] Candidates =
    [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
    ];

    private static readonly Lazy<string?> Found = new(() =>
        Environment.GetEnvironmentVariable("VITOK_FONT") is string f && File.Exists(f) ? f : Candidates.FirstOrDefault(File.Exists));

    private static readonly Lazy<bool> Registered = new(() =>
    {
        if (Found.Value is not string path) return false;
        ScottPlot.Fonts.AddFontFile(Family, path);
        return true;
    });

    /// <summary>The TrueType file used for text, or null when none is installed (text is then left out of pictures).</summary>
    public static string? FontFile => Found.Value;

    /// <summary>Registers the font with ScottPlot (once); false when no font file was found.</summary>
    public static bool EnsureScottPlot() => Registered.Value;
}
