using System.Globalization;
using System.Text;

namespace ViTok.Models;

/// <summary>The tower grammar every model family shares: a size name (a base letter such as <c>B</c>, or <c>XL</c>)
/// followed by inline modifiers, a lower-case letter and its number (<c>w</c> width, <c>d</c> depth, <c>h</c> heads,
/// <c>m</c> MLP factor), e.g. <c>Bw128d4h4</c> or <c>Ld4m2.5</c>. This type only cuts a spec into
/// <see cref="Token"/>s and writes the canonical form; each family (<c>PaperVariant</c>, <c>V2Variant</c>,
/// <c>DitVariant</c>) keeps its own size table, decides which letters and modifiers it takes, and words its own
/// errors.</summary>
public static class TowerGrammar
{
    /// <summary>What a <see cref="Token"/> is.</summary>
    public enum TokenKind
    {
        /// <summary>An upper-case base letter (only where the caller allows letters).</summary>
        Letter,

        /// <summary>A modifier and its number; <see cref="Token.Number"/> is empty when no digits follow.</summary>
        Modifier,

        /// <summary>A decimal modifier whose '.' has no digits after it.</summary>
        MissingFraction,

        /// <summary>A character that is neither an allowed modifier nor (where allowed) a letter.</summary>
        Unexpected,
    }

    /// <summary>One piece of a spec: its kind, the letter or modifier character, and the modifier's digits as written
    /// (e.g. <c>"128"</c>, <c>"2.67"</c>; empty for letters and unexpected characters).</summary>
    public readonly record struct Token(TokenKind Kind, char Symbol, string Number);

    /// <summary>Cuts <paramref name="spec"/> from <paramref name="start"/> into tokens, left to right; a caller stops at
    /// the first token it rejects, so its errors come in the order the text is read.</summary>
    /// <param name="spec">The tower spec.</param>
    /// <param name="start">Index of the first character to read (after a size name the caller matched itself).</param>
    /// <param name="modifiers">The modifier characters taken, e.g. <c>"wdh"</c>.</param>
    /// <param name="decimals">The modifiers whose number may have a fraction (<c>"m"</c>); others take digits only.</param>
    /// <param name="letters">Whether upper-case letters anywhere are <see cref="TokenKind.Letter"/> tokens (else they
    /// are <see cref="TokenKind.Unexpected"/>).</param>
    public static IEnumerable<Token> Tokenize(string spec, int start, string modifiers, string decimals = "", bool letters = false)
    {
        int i = start;
        while (i < spec.Length)
        {
            char ch = spec[i];
            if (modifiers.Contains(ch))
            {
                int from = ++i;
                while (i < spec.Length && char.IsAsciiDigit(spec[i])) i++;
                if (decimals.Contains(ch) && i < spec.Length && spec[i] == '.')
                {
                    int frac = ++i;
                    while (i < spec.Length && char.IsAsciiDigit(spec[i])) i++;
                    if (i == frac)
                    {
                        yield return new Token(TokenKind.MissingFraction, ch, spec[from..i]);
                        continue;
                    }
                }
                yield return new Token(TokenKind.Modifier, ch, spec[from..i]);
            }
            else
            {
                i++;
                yield return new Token(letters && char.IsAsciiLetterUpper(ch) ? TokenKind.Letter : TokenKind.Unexpected, ch, "");
            }
        }
    }

    /// <summary>Applies the <c>w</c>/<c>d</c>/<c>h</c> modifiers of <paramref name="spec"/> (from
    /// <paramref name="start"/>, after the size name) to the base sizes, each modifier at most once: null when they all
    /// hold, else the reason for the first one that does not. A number that is 0 or too large for an <see cref="int"/>
    /// is worded by the family (<paramref name="badValue"/> gets the modifier and its digits).</summary>
    public static string? ApplySizes(string spec, int start, ref int width, ref int depth, ref int heads, Func<char, string, string> badValue)
    {
        var seen = new HashSet<char>();
        foreach (var token in Tokenize(spec, start, "wdh"))
        {
            char m = token.Symbol;
            if (token.Kind != TokenKind.Modifier) return $"unexpected '{m}' in '{spec}'; modifiers are w<width>, d<depth>, h<heads>";
            if (!seen.Add(m)) return $"modifier '{m}' given twice in '{spec}'";
            if (token.Number.Length == 0) return $"modifier '{m}' in '{spec}' needs a number";
            int value = Count(token.Number);
            if (value <= 0) return badValue(m, token.Number);
            if (m == 'w') width = value; else if (m == 'd') depth = value; else heads = value;
        }
        return null;
    }

    /// <summary>Reads a modifier's whole number: the value when it is a positive <see cref="int"/>, 0 when it is zero,
    /// and -1 when it does not fit an <see cref="int"/> (the caller words the error).</summary>
    public static int Count(string digits) =>
        int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int v) ? v : -1;

    /// <summary>Canonical text: the size name, then the modifiers that are set, in the order w, d, h, m (numbers in the
    /// invariant culture, the MLP factor round-trippable).</summary>
    public static string Format(string name, int? width = null, int? depth = null, int? heads = null, double? mlp = null)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder(name);
        if (width is int w) sb.Append('w').Append(w.ToString(inv));
        if (depth is int d) sb.Append('d').Append(d.ToString(inv));
        if (heads is int h) sb.Append('h').Append(h.ToString(inv));
        if (mlp is double m) sb.Append('m').Append(m.ToString("R", inv));
        return sb.ToString();
    }

    /// <summary>The value written when it differs from <paramref name="baseValue"/>, else null (for
    /// <see cref="Format"/>: only the modifiers that differ from the size name's base are written).</summary>
    public static int? IfChanged(int value, int baseValue) => value != baseValue ? value : null;
}
