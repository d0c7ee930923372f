namespace ViTok.Models.Dit;

/// <summary>DiT size names (Peebles &amp; Xie, Table 1, and the paper's §7): <c>S</c> (384/12/6), <c>B</c> (768/12/12),
/// <c>L</c> (1024/24/16), <c>XL</c> (1152/28/16) as width/depth/heads, an optional <c>DiT-</c> prefix, and the inline
/// modifiers <c>w</c>, <c>d</c>, <c>h</c> of the tokenizer grammar for CPU sizes (<c>Bw128d4h4</c>). There is no
/// <c>/p</c> suffix: ViTok's tokens are DiT's tokens (patch size 1 on the latent sequence). Canonical form: the letters,
/// then only the modifiers that differ from the base.</summary>
public sealed record DitVariant(string Letters, int Width, int Depth, int Heads)
{
    /// <summary>Base sizes: width, depth, heads.</summary>
    public static readonly IReadOnlyDictionary<string, (int Width, int Depth, int Heads)> Bases =
        new Dictionary<string, (int, int, int)>
        {
            ["S"] = (384, 12, 6),
            ["B"] = (768, 12, 12),
            ["L"] = (1024, 24, 16),
            ["XL"] = (1152, 28, 16),
        };

    /// <summary>Canonical text, e.g. <c>XL</c> or <c>Bw128d4h4</c>.</summary>
    public override string ToString()
    {
        var (w, d, h) = Bases[Letters];
        return TowerGrammar.Format(Letters, TowerGrammar.IfChanged(Width, w), TowerGrammar.IfChanged(Depth, d), TowerGrammar.IfChanged(Heads, h));
    }

    /// <summary>Parses a size name, throwing a <see cref="ViTokException"/> with the reason on failure.</summary>
    /// <exception cref="ViTokException">The text is not a valid size name; the message says why.</exception>
    public static DitVariant Parse(string text)
    {
        if (TryParse(text, out var v, out var error)) return v!;
        throw new ViTokException($"invalid DiT variant '{text}': {error}");
    }

    /// <summary>Parses a size name; on failure returns false with the reason.</summary>
    public static bool TryParse(string? text, out DitVariant? variant, out string error)
    {
        variant = null;
        error = "";
        if (string.IsNullOrWhiteSpace(text)) { error = "empty string; expected S, B, L or XL, e.g. XL or Bw128d4h4"; return false; }
        string s = text.Trim();
        if (s.StartsWith("DiT-", StringComparison.OrdinalIgnoreCase)) s = s[4..];
        if (s.Contains('/')) { error = "no '/p' suffix: DiT runs on the tokenizer's tokens directly (patch size 1)"; return false; }
        string letters = s.StartsWith("XL", StringComparison.Ordinal) ? "XL" : s.Length > 0 ? s[..1] : "";
        if (!Bases.TryGetValue(letters, out var b)) { error = $"unknown size '{(s.Length > 0 ? s[..1] : s)}'; expected S, B, L or XL"; return false; }
        int w = b.Width, d = b.Depth, h = b.Heads;
        string? reason = TowerGrammar.ApplySizes(s, letters.Length, ref w, ref d, ref h, (m, _) => $"modifier '{m}' in '{s}' must be a positive integer");
        if (reason is not null) { error = reason; return false; }
        if (w % h != 0) { error = $"width {w} is not divisible by {h} heads"; return false; }
        int dh = w / h;
        if (dh % 2 != 0 || dh < 6) { error = $"head dimension {dh} (width {w} / {h} heads) must be even and at least 6 for 3D RoPE"; return false; }
        variant = new DitVariant(letters, w, d, h);
        return true;
    }
}
