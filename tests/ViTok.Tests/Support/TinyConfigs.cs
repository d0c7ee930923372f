using ViTok.Models;
using ViTok.Models.Paper;

namespace ViTok.Tests.Support;

/// <summary>CPU-sized paper-family configs (width ≤ 64).</summary>
public static class TinyConfigs
{
    /// <summary>Images, p = 4, width 32/48.</summary>
    public static PaperConfig Image(int channels = 4) => PaperConfig.FromVariant("Sw32d2h2-Bw48d2h4/4", channels);

    /// <summary>Videos, q = 2, p = 4.</summary>
    public static PaperConfig Video(int channels = 4) => PaperConfig.FromVariant("Sw32d1h2-Bw48d2h4/2x4", channels);
}
