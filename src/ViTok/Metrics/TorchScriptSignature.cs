using System.IO.Compression;

namespace ViTok.Metrics;

/// <summary>Reads the parameter list of a <c>forward</c> method from the Python source that every TorchScript zip
/// archive carries (<c>&lt;name&gt;/code/**.py</c>), because TorchSharp calls script methods with positional arguments
/// only: knowing the names lets a caller place keyword flags such as <c>return_features</c> at the right position.</summary>
internal static class TorchScriptSignature
{
    /// <summary>One parameter: its name and its default value's source text (null when it has none).</summary>
    public sealed record Parameter(string Name, string? Default);

    /// <summary>The parameters after <c>self</c> of the first <c>forward</c> in the archive that has a parameter
    /// named <paramref name="mustHave"/>; null when the file is not a zip archive or no such method is found.</summary>
    public static IReadOnlyList<Parameter>? FindForward(string path, string mustHave)
    {
        try
        {
            using var zip = ZipFile.OpenRead(path);
            foreach (var entry in zip.Entries.Where(e => e.FullName.Contains("/code/", StringComparison.Ordinal)
                                                         && e.FullName.EndsWith(".py", StringComparison.Ordinal)))
            {
                using var reader = new StreamReader(entry.Open());
                string code = reader.ReadToEnd();
                foreach (var parameters in ForwardSignatures(code))
                    if (parameters.Any(p => p.Name == mustHave)) return parameters;
            }
        }
        catch (InvalidDataException)
        {
            // Not a zip archive (e.g. a legacy file): the caller falls back to its default order.
        }
        return null;
    }

    /// <summary>Every <c>def forward(...)</c> signature in a code file, parsed (without <c>self</c>).</summary>
    internal static IEnumerable<IReadOnlyList<Parameter>> ForwardSignatures(string code)
    {
        const string marker = "def forward(";
        for (int at = code.IndexOf(marker, StringComparison.Ordinal); at >= 0; at = code.IndexOf(marker, at + 1, StringComparison.Ordinal))
        {
            int start = at + marker.Length, depth = 0, end = -1;
            for (int i = start; i < code.Length && end < 0; i++)
            {
                char c = code[i];
                if (c is '(' or '[' or '{') depth++;
                else if (c is ']' or '}') depth--;
                else if (c == ')')
                {
                    if (depth == 0) end = i;
                    else depth--;
                }
            }
            if (end < 0) yield break;
            yield return SplitTopLevel(code[start..end])
                .Select(ParseParameter)
                .Where(p => p.Name.Length > 0 && p.Name != "self")
                .ToList();
        }
    }

    private static Parameter ParseParameter(string text)
    {
        string t = text.Trim();
        int eq = IndexOfTopLevel(t, '=');
        string? def = eq >= 0 ? t[(eq + 1)..].Trim() : null;
        string head = eq >= 0 ? t[..eq] : t;
        int colon = head.IndexOf(':');
        string name = (colon >= 0 ? head[..colon] : head).Trim();
        return new Parameter(name, def);
    }

    private static List<string> SplitTopLevel(string text)
    {
        var parts = new List<string>();
        int depth = 0, from = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c is '(' or '[' or '{') depth++;
            else if (c is ')' or ']' or '}') depth--;
            else if (c == ',' && depth == 0)
            {
                parts.Add(text[from..i]);
                from = i + 1;
            }
        }
        parts.Add(text[from..]);
        return parts;
    }

    private static int IndexOfTopLevel(string text, char target)
    {
        int depth = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c is '(' or '[' or '{') depth++;
            else if (c is ')' or ']' or '}') depth--;
            else if (c == target && depth == 0) return i;
        }
        return -1;
    }
}
