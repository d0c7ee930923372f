namespace ViTok.IO;

/// <summary>Distinct output names for a list of inputs: inputs whose names (stems) are the same would overwrite each
/// other's outputs in one folder, so those keep their folders below their common parent (<c>a/x.png b/x.png</c> →
/// <c>a/x</c>, <c>b/x</c>); inputs in one folder with one stem keep their extension in the name (<c>x.png x.jpg</c> →
/// <c>x_png</c>, <c>x_jpg</c>); the same input given twice gets a numbered suffix (<c>x</c>, <c>x-2</c>). Every other
/// input keeps its plain name. Names compare case-insensitively (a case-insensitive file system would merge them).</summary>
public static class OutputNames
{
    /// <summary>Relative output names (folders separated by '/') for <paramref name="paths"/>, one per input in order.
    /// With <paramref name="keepExtension"/> false the last part is the stem (the caller appends its own extension);
    /// with true it keeps the input's extension. <paramref name="note"/> says, in one line, which inputs shared a name
    /// and how their outputs were kept apart (null when no names collided). Paths may be file paths (made absolute)
    /// or stored names; "..", "." and root parts of stored names are dropped, so a name never leaves the output
    /// folder.</summary>
    public static IReadOnlyList<string> Distinct(IReadOnlyList<string> paths, bool keepExtension, out string? note, bool storedNames = false)
    {
        var segs = paths.Select(p => Segments(storedNames ? p : Path.GetFullPath(p))).Select(s => s.Count > 0 ? s : ["item"]).ToList();
        var cmp = StringComparer.OrdinalIgnoreCase;
        string Stem(List<string> s) => Path.GetFileNameWithoutExtension(s[^1]);
        var colliding = segs.Select((s, i) => (Key: Stem(s), i)).GroupBy(x => x.Key, cmp)
            .Where(g => g.Count() > 1).SelectMany(g => g.Select(x => x.i)).ToHashSet();
        note = null;
        var folders = new List<string>[segs.Count];
        int common = 0;
        if (colliding.Count > 0)
        {
            var parents = colliding.Select(i => segs[i].Take(segs[i].Count - 1).ToList()).ToList();
            int max = parents.Min(p => p.Count);
            while (common < max && parents.All(p => cmp.Equals(p[common], parents[0][common]))) common++;
        }
        for (int i = 0; i < segs.Count; i++)
            folders[i] = colliding.Contains(i) ? segs[i].Skip(common).Take(segs[i].Count - 1 - common).ToList() : [];

        string Render(int i, string stemSuffix)
        {
            string last = segs[i][^1];
            string stem = Path.GetFileNameWithoutExtension(last) + stemSuffix;
            string file = keepExtension ? stem + Path.GetExtension(last) : stem;
            return string.Join('/', folders[i].Append(file));
        }
        var suffix = new string[segs.Count];
        for (int i = 0; i < segs.Count; i++) suffix[i] = "";
        // Same folder and stem, different extensions: the extension joins the stem.
        var stemNames = Enumerable.Range(0, segs.Count).Select(i => string.Join('/', folders[i].Append(Stem(segs[i])))).ToList();
        foreach (var g in Enumerable.Range(0, segs.Count).GroupBy(i => stemNames[i], cmp).Where(g => g.Count() > 1))
        {
            if (g.Select(i => Path.GetExtension(segs[i][^1])).Distinct(cmp).Count() < 2) continue;
            foreach (int i in g)
                if (Path.GetExtension(segs[i][^1]) is { Length: > 1 } ext) suffix[i] = "_" + ext[1..];
        }
        // Still equal (the same input twice): number the repeats.
        var seen = new Dictionary<string, int>(cmp);
        var names = new List<string>();
        for (int i = 0; i < segs.Count; i++)
        {
            string key = string.Join('/', folders[i].Append(Stem(segs[i]) + suffix[i]));
            int k = seen.TryGetValue(key, out int c) ? c + 1 : 1;
            seen[key] = k;
            names.Add(Render(i, suffix[i] + (k > 1 ? $"-{k}" : "")));
        }
        if (colliding.Count > 0)
        {
            var shared = colliding.Select(i => Stem(segs[i])).Distinct(cmp).Take(3);
            string below = storedNames ? "their stored folders" : "their folders below " + string.Join('/', segs.First(s => s.Count > 0).Take(common)).Insert(0, "/");
            note = $"note: {colliding.Count} inputs share the name(s) {string.Join(", ", shared)}; so that none overwrites another, their outputs keep {below} " +
                   $"({string.Join(", ", colliding.Order().Take(4).Select(i => names[i]))}{(colliding.Count > 4 ? ", ..." : "")}).";
        }
        return names;
    }

    // Path parts without empty, "." and ".." parts (and without a drive or root).
    private static List<string> Segments(string path)
    {
        string root = Path.GetPathRoot(path) ?? "";
        return [.. path[root.Length..].Split('/', '\\').Where(s => s.Length > 0 && s != "." && s != "..")];
    }
}
