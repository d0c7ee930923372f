using System.Globalization;

namespace ViTok.Data;

/// <summary>Which part of the data this process reads: shard <see cref="Index"/> of <see cref="Count"/> (the CLI's
/// <c>--shard i/N</c>). The N shards of an epoch are disjoint and together cover every item.</summary>
/// <param name="Index">This process's shard, 0 ≤ Index &lt; Count.</param>
/// <param name="Count">Number of processes reading the data.</param>
public readonly record struct ShardSpec(int Index, int Count)
{
    /// <summary>All of the data (0/1).</summary>
    public static ShardSpec Whole => new(0, 1);

    /// <summary>Parses "i/N" (e.g. "0/4"), throwing a <see cref="ViTokException"/> for anything else.</summary>
    /// <exception cref="ViTokException">The text is not i/N with 0 ≤ i &lt; N.</exception>
    public static ShardSpec Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int i)
            && int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int n)
            && n >= 1 && i >= 0 && i < n)
            return new ShardSpec(i, n);
        throw new ViTokException($"--shard '{text}': expected i/N with 0 <= i < N, e.g. 0/4.");
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Index}/{Count}";
}
