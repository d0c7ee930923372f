using System.Globalization;

namespace ViTok.Models.V2;

/// <summary>One side (encoder or decoder) of a ViTok-v2 variant: a base letter (B, L, G, T, E or none) with optional
/// explicit width/depth/heads/MLP-factor overrides, written inline (<c>Ld4</c>, <c>Bw128d2h4</c>) or in the
/// underscore form (<c>w64_d2_h4[_m2.5]</c>). Resolved sizes fall back to the base table; with no base letter the
/// defaults are B's (768 / 12 / 12), as in the reference.</summary>
public sealed record V2Tower
{
    /// <summary>The reference MLP factor (2.67).</summary>
    public const double DefaultMlpFactor = 2.67;

    /// <summary>Base letter ("B", "L", "G", "T", "E") or "" when none was written.</summary>
    public string Base { get; init; } = "";

    /// <summary>Width written explicitly (<c>w…</c>), or null.</summary>
    public int? ExplicitWidth { get; init; }

    /// <summary>Depth written explicitly (<c>d…</c>), or null.</summary>
    public int? ExplicitDepth { get; init; }

    /// <summary>Heads written explicitly (<c>h…</c>), or null.</summary>
    public int? ExplicitHeads { get; init; }

    /// <summary>MLP factor written explicitly (<c>m…</c>), or null.</summary>
    public double? ExplicitMlpFactor { get; init; }

    /// <summary>True for the <c>w…_d…_h…[_m…]</c> form.</summary>
    public bool UnderscoreForm { get; init; }

    /// <summary>Resolved width.</summary>
    public int Width => ExplicitWidth ?? BaseSize.Width;

    /// <summary>Resolved number of blocks.</summary>
    public int Depth => ExplicitDepth ?? BaseSize.Depth;

    /// <summary>Resolved number of attention heads.</summary>
    public int Heads => ExplicitHeads ?? BaseSize.Heads;

    /// <summary>Resolved MLP factor of this side (the model uses the larger of the two sides).</summary>
    public double MlpFactor => ExplicitMlpFactor ?? DefaultMlpFactor;

    private (int Width, int Depth, int Heads) BaseSize =>
        V2Variant.BaseSizes.TryGetValue(Base.Length == 0 ? "B" : Base, out var s) ? s : V2Variant.BaseSizes["B"];

    /// <summary>Canonical text: base then w, d, h, m overrides in that order (or the underscore form).</summary>
    public override string ToString()
    {
        var inv = CultureInfo.InvariantCulture;
        if (UnderscoreForm)
        {
            string s = $"w{Width}_d{Depth}_h{Heads}";
            return ExplicitMlpFactor is double m ? s + "_m" + m.ToString("R", inv) : s;
        }
        return TowerGrammar.Format(Base, ExplicitWidth, ExplicitDepth, ExplicitHeads, ExplicitMlpFactor);
    }
}
