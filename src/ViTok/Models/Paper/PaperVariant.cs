using System.Globalization;

namespace ViTok.Models.Paper;

/// <summary>The paper family's variant grammar, "ViTok {Enc}-{Dec}/{q}x{p}" (paper §2.5): <c>S-B/16</c> (q = 1,
/// p = 16), <c>S-B/4x8</c> (q = 4, p = 8). Letters S/B/L carry Table 1's width/depth/heads; inline modifiers
/// <c>w</c>, <c>d</c>, <c>h</c> override them (<c>Sw192d4h3</c>). A single spec (<c>B/16</c>) means the same
/// encoder and decoder. Canonical form: letter, then only the modifiers that differ from the letter's base, and
/// <c>p</c> alone when q = 1.</summary>
public sealed record PaperVariant(PaperVariant.Tower Encoder, PaperVariant.Tower Decoder, int TubeletSize, int PatchSize)
{
    /// <summary>One tower (encoder or decoder): its base letter and resolved sizes.</summary>
    public sealed record Tower(char Letter, int Width, int Depth, int Heads)
    {
        /// <summary>Canonical text: the letter, then w/d/h modifiers that differ from the letter's base.</summary>
        public override string ToString()
        {
            var (w, d, h) = Bases[Letter];
            return TowerGrammar.Format(Letter.ToString(), TowerGrammar.IfChanged(Width, w), TowerGrammar.IfChanged(Depth, d), TowerGrammar.IfChanged(Heads, h));
        }
    }

    /// <summary>Paper Table 1: width, depth, heads of S, B and L.</summary>
    public static readonly IReadOnlyDictionary<char, (int Width, int Depth, int Heads)> Bases =
        new Dictionary<char, (int, int, int)>
        {
            ['S'] = (768, 6, 12),
            ['B'] = (768, 12, 12),
            ['L'] = (1152, 24, 16),
        };

    /// <summary>Canonical variant text, e.g. <c>S-B/16</c> or <c>S-B/4x8</c>.</summary>
    public override string ToString() =>
        $"{Encoder}-{Decoder}/" + (TubeletSize == 1 ? PatchSize.ToString(CultureInfo.InvariantCulture) : $"{TubeletSize}x{PatchSize}");

    /// <summary>Parses a variant, throwing a <see cref="ViTokException"/> that states the reason on failure.</summary>
    /// <exception cref="ViTokException">The text is not a valid variant; the message says why.</exception>
    public static PaperVariant Parse(string text)
    {
        if (TryParse(text, out var v, out var error)) return v!;
        throw new ViTokException($"invalid paper-family variant '{text}': {error}");
    }

    /// <summary>Parses a variant; on failure returns false with the reason.</summary>
    public static bool TryParse(string? text, out PaperVariant? variant, out string error)
    {
        variant = null;
        error = "";
        if (string.IsNullOrWhiteSpace(text)) { error = "empty string; expected e.g. S-B/16 or S-B/4x8"; return false; }
        string s = text.Trim();
        int slash = s.IndexOf('/');
        if (slash < 0) { error = "missing '/' before the patch size (e.g. S-B/16)"; return false; }
        if (s.IndexOf('/', slash + 1) >= 0) { error = "more than one '/'"; return false; }
        string towers = s[..slash], sizes = s[(slash + 1)..];
        string[] specs = towers.Split('-');
        if (specs.Length > 2) { error = $"'{towers}' has more than one '-'; expected ENC-DEC"; return false; }
        if (!TryParseTower(specs[0], out var enc, out error)) return false;
        Tower dec = enc!;
        if (specs.Length == 2 && !TryParseTower(specs[1], out dec!, out error)) return false;
        string[] nums = sizes.Split('x');
        if (nums.Length > 2) { error = $"'{sizes}' must be p or q x p (e.g. 16 or 4x8)"; return false; }
        var values = new int[nums.Length];
        for (int i = 0; i < nums.Length; i++)
        {
            if (!int.TryParse(nums[i], NumberStyles.None, CultureInfo.InvariantCulture, out values[i]) || values[i] <= 0)
            {
                error = $"'{nums[i]}' in '{sizes}' is not a positive integer";
                return false;
            }
        }
        int q = nums.Length == 2 ? values[0] : 1, p = values[^1];
        variant = new PaperVariant(enc!, dec!, q, p);
        return true;
    }

    private static bool TryParseTower(string spec, out Tower? tower, out string error)
    {
        tower = null;
        error = "";
        if (spec.Length == 0) { error = "empty encoder or decoder spec"; return false; }
        char letter = spec[0];
        if (!Bases.TryGetValue(letter, out var b))
        {
            error = $"unknown size letter '{letter}'; expected one of S, B, L";
            return false;
        }
        int w = b.Width, d = b.Depth, h = b.Heads;
        string? reason = TowerGrammar.ApplySizes(spec, 1, ref w, ref d, ref h, (m, digits) =>
            TowerGrammar.Count(digits) < 0 ? $"modifier '{m}{digits}' in '{spec}' is too large" : $"modifier '{m}0' must be positive");
        if (reason is not null) { error = reason; return false; }
        if (w % h != 0) { error = $"width {w} is not divisible by {h} heads in '{spec}'"; return false; }
        int dh = w / h;
        if (dh % 2 != 0 || dh < 6) { error = $"head dimension {dh} (width {w} / {h} heads) in '{spec}' must be even and at least 6 for 3D RoPE"; return false; }
        tower = new Tower(letter, w, d, h);
        return true;
    }
}
