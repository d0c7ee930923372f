namespace ViTok.Data;

/// <summary>Minimum, mean, median and maximum of a size (width, height or frame count) over the readable items.</summary>
/// <param name="Min">Smallest value.</param>
/// <param name="Mean">Mean value.</param>
/// <param name="Median">Median value (lower middle).</param>
/// <param name="Max">Largest value.</param>
public sealed record SizeStats(int Min, double Mean, int Median, int Max)
{
    /// <summary>Statistics of <paramref name="values"/>; null when there are none.</summary>
    public static SizeStats? Of(List<int> values)
    {
        if (values.Count == 0) return null;
        var sorted = values.Order().ToArray();
        return new SizeStats(sorted[0], Math.Round(sorted.Average(), 2), sorted[(sorted.Length - 1) / 2], sorted[^1]);
    }
}
