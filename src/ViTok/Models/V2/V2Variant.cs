using System.Globalization;

namespace ViTok.Models.V2;

/// <summary>A parsed ViTok-v2 auto-encoder variant, <c>ENC-DEC/t x p x c</c> or <c>ENC-DEC/p x c</c> (mirrors
/// <c>vitok.models.ae.decode_variant</c>): e.g. <c>Ld4-Ld24/1x16x64</c>, <c>Td4-T/1x32x128</c>,
/// <c>w64_d2_h4-w96_d3_h4/1x8x16</c>. Without '-' both sides use the same spec. The model's MLP factor is the
/// larger of the two sides'. Parsing is a hand-written scanner; every rejection says why.</summary>
public sealed record V2Variant
{
    /// <summary>Width, depth and heads of the base letters.</summary>
    public static readonly IReadOnlyDictionary<string, (int Width, int Depth, int Heads)> BaseSizes =
        new Dictionary<string, (int, int, int)>
        {
            ["B"] = (768, 12, 12),
            ["L"] = (1024, 24, 16),
            ["G"] = (1728, 32, 24),
            ["T"] = (3072, 40, 24),
            ["E"] = (4096, 48, 32),
        };

    /// <summary>Encoder spec.</summary>
    public required V2Tower Encoder { get; init; }

    /// <summary>Decoder spec.</summary>
    public required V2Tower Decoder { get; init; }

    /// <summary>Temporal stride t (1 for images).</summary>
    public int TemporalStride { get; init; } = 1;

    /// <summary>Spatial patch size p.</summary>
    public required int PatchSize { get; init; }

    /// <summary>Latent channels per token c.</summary>
    public required int Channels { get; init; }

    /// <summary>The model's MLP factor: max(encoder, decoder).</summary>
    public double MlpFactor => Math.Max(Encoder.MlpFactor, Decoder.MlpFactor);

    /// <summary>Canonical text: <c>ENC-DEC/t x p x c</c>, one spec when both sides are equal.</summary>
    public override string ToString()
    {
        string enc = Encoder.ToString(), dec = Decoder.ToString();
        string towers = enc == dec ? enc : $"{enc}-{dec}";
        return $"{towers}/{TemporalStride}x{PatchSize}x{Channels}";
    }

    /// <summary>Parses a variant; throws a <see cref="ViTokException"/> with the reason when it is invalid.</summary>
    /// <exception cref="ViTokException">The text is not a valid variant; the message says why and shows the grammar.</exception>
    public static V2Variant Parse(string text)
    {
        if (TryParse(text, out var v, out string? error)) return v!;
        throw new ViTokException(error!);
    }

    /// <summary>Parses a variant; on failure returns false and a message with the reason.</summary>
    public static bool TryParse(string? text, out V2Variant? variant, out string? error)
    {
        variant = null;
        string? reason = ParseCore(text ?? "", out variant);
        error = reason == null ? null
            : $"invalid v2 variant '{text}': {reason}. Expected ENC-DEC/t x p x c or ENC-DEC/p x c, e.g. Ld4-Ld24/1x16x64 "
              + "(bases B, L, G, T, E with inline w/d/h/m overrides, or w…_d…_h…[_m…]).";
        if (reason != null) variant = null;
        return reason == null;
    }

    private static string? ParseCore(string text, out V2Variant? variant)
    {
        variant = null;
        string s = text.Trim();
        if (s.Length == 0) return "it is empty";
        foreach (char ch in s)
            if (char.IsWhiteSpace(ch)) return "it contains whitespace";

        int slash = s.IndexOf('/');
        if (slash < 0) return "missing '/' between the model spec and the strides";
        if (s.IndexOf('/', slash + 1) >= 0) return "more than one '/'";
        string towers = s[..slash], strides = s[(slash + 1)..];

        // ---- towers: ENC[-DEC]
        string[] sides = towers.Split('-');
        if (sides.Length > 2) return "more than one '-' (expected ENC-DEC)";
        string? err = ParseTower(sides[0], "encoder", out var enc);
        if (err != null) return err;
        V2Tower dec = enc!;
        if (sides.Length == 2)
        {
            err = ParseTower(sides[1], "decoder", out var d);
            if (err != null) return err;
            dec = d!;
        }

        // ---- strides: t x p x c | p x c
        string[] parts = strides.Split('x');
        if (strides.Length == 0) return "the strides after '/' are missing";
        if (parts.Length is < 2 or > 3) return $"strides '{strides}' must be t x p x c or p x c";
        var nums = new int[parts.Length];
        string[] names = parts.Length == 3 ? ["temporal stride", "patch size", "channels"] : ["patch size", "channels"];
        for (int i = 0; i < parts.Length; i++)
        {
            err = ParseCount(parts[i], names[i], out nums[i]);
            if (err != null) return err;
        }
        int t = parts.Length == 3 ? nums[0] : 1, p = nums[^2], c = nums[^1];

        err = Validate(enc!, "encoder") ?? Validate(dec, "decoder");
        if (err != null) return err;
        variant = new V2Variant { Encoder = enc!, Decoder = dec, TemporalStride = t, PatchSize = p, Channels = c };
        return null;
    }

    private static string? ParseTower(string spec, string side, out V2Tower? tower)
    {
        tower = null;
        if (spec.Length == 0) return $"the {side} spec is empty";
        // The reference's rule for the custom form: starts with 'w' and contains "_d" and "_h".
        if (spec.StartsWith('w') && spec.Contains("_d", StringComparison.Ordinal) && spec.Contains("_h", StringComparison.Ordinal))
            return ParseUnderscore(spec, side, out tower);

        string? baseLetter = null;
        int? w = null, d = null, h = null;
        double? m = null;
        foreach (var token in TowerGrammar.Tokenize(spec, 0, "wdhm", decimals: "m", letters: true))
        {
            char ch = token.Symbol;
            switch (token.Kind)
            {
                case TowerGrammar.TokenKind.Unexpected:
                    return $"unexpected '{ch}' in {side} spec '{spec}'";
                case TowerGrammar.TokenKind.MissingFraction:
                    return $"the MLP factor in {side} spec '{spec}' has no digits after '.'";
                case TowerGrammar.TokenKind.Letter:
                    string letter = ch.ToString();
                    if (!BaseSizes.ContainsKey(letter))
                        return $"unknown base '{letter}' in {side} spec '{spec}'; expected one of B, L, G, T, E";
                    if (baseLetter != null) return $"{side} spec '{spec}' has two base letters ('{baseLetter}' and '{letter}')";
                    baseLetter = letter;
                    continue;
            }
            string number = token.Number;
            if (number.Length == 0) return $"modifier '{ch}' in {side} spec '{spec}' needs a number (e.g. {ch}{(ch == 'm' ? "2.67" : "4")})";
            bool duplicate = ch switch { 'w' => w != null, 'd' => d != null, 'h' => h != null, _ => m != null };
            if (duplicate) return $"modifier '{ch}' is given twice in {side} spec '{spec}'";
            if (ch == 'm')
            {
                m = double.Parse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
                continue;
            }
            string? err = ParseCount(number, ch switch { 'w' => "width", 'd' => "depth", _ => "heads" }, out int value);
            if (err != null) return $"{err} in {side} spec '{spec}'";
            switch (ch)
            {
                case 'w': w = value; break;
                case 'd': d = value; break;
                default: h = value; break;
            }
        }
        tower = new V2Tower { Base = baseLetter ?? "", ExplicitWidth = w, ExplicitDepth = d, ExplicitHeads = h, ExplicitMlpFactor = m };
        return null;
    }

    private static string? ParseUnderscore(string spec, string side, out V2Tower? tower)
    {
        tower = null;
        string[] parts = spec.Split('_');
        if (parts.Length is < 3 or > 4)
            return $"{side} spec '{spec}' must be w<width>_d<depth>_h<heads> with an optional _m<mlp factor>";
        char[] letters = parts.Length == 4 ? ['w', 'd', 'h', 'm'] : ['w', 'd', 'h'];
        var values = new int[3];
        for (int i = 0; i < 3; i++)
        {
            if (parts[i].Length == 0 || parts[i][0] != letters[i])
                return $"part {i + 1} of {side} spec '{spec}' must start with '{letters[i]}' (order w, d, h, m)";
            string? err = ParseCount(parts[i][1..], letters[i] switch { 'w' => "width", 'd' => "depth", _ => "heads" }, out values[i]);
            if (err != null) return $"{err} in {side} spec '{spec}'";
        }
        double? m = null;
        if (parts.Length == 4)
        {
            string p = parts[3];
            if (p.Length < 2 || p[0] != 'm' || !IsDecimal(p[1..]))
                return $"part 4 of {side} spec '{spec}' must be m<number> (e.g. m2.67)";
            m = double.Parse(p[1..], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        }
        tower = new V2Tower { UnderscoreForm = true, ExplicitWidth = values[0], ExplicitDepth = values[1], ExplicitHeads = values[2], ExplicitMlpFactor = m };
        return null;
    }

    private static bool IsDecimal(string s)
    {
        int dot = s.IndexOf('.');
        string a = dot < 0 ? s : s[..dot], b = dot < 0 ? "1" : s[(dot + 1)..];
        return a.Length > 0 && b.Length > 0 && a.All(char.IsAsciiDigit) && b.All(char.IsAsciiDigit);
    }

    private static string? ParseCount(string s, string what, out int value)
    {
        value = 0;
        if (s.Length == 0) return $"the {what} is missing";
        if (!s.All(char.IsAsciiDigit)) return $"the {what} '{s}' is not a whole number";
        if (!int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value)) return $"the {what} '{s}' is too large";
        if (value <= 0) return $"the {what} must be at least 1";
        return null;
    }

    private static string? Validate(V2Tower t, string side)
    {
        if (t.Width % t.Heads != 0) return $"the {side} width {t.Width} is not divisible by its {t.Heads} heads";
        if (t.Width / t.Heads % 4 != 0)
            return $"the {side} head dimension {t.Width / t.Heads} (width {t.Width} / {t.Heads} heads) is not divisible by 4, which 2-D RoPE needs";
        if (!(t.MlpFactor > 0) || double.IsInfinity(t.MlpFactor)) return $"the {side} MLP factor must be positive";
        return null;
    }
}
