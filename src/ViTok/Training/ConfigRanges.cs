using System.Globalization;
using System.Text.RegularExpressions;

namespace ViTok.Training;

/// <summary>Range checks of config values, each failing with one line that names the source, the key as the user
/// writes it (snake_case, dotted for nested keys), the value and the allowed range. Methods return the instance so the
/// checks of a config read as one list.</summary>
/// <param name="source">Where the config came from (a file name, <c>--set</c>), the start of every message.</param>
public sealed partial class ConfigRanges(string source)
{
    /// <summary>An integer in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    /// <exception cref="ViTokException">Out of range.</exception>
    public ConfigRanges Int(string key, long value, long min, long max = int.MaxValue)
    {
        if (value < min || value > max)
            Fail(key, value.ToString(CultureInfo.InvariantCulture), max == int.MaxValue || max == long.MaxValue ? $"a whole number >= {min}" : $"a whole number from {min} to {max}");
        return this;
    }

    /// <summary>A finite number between <paramref name="min"/> and <paramref name="max"/> (each end open or closed;
    /// an infinite end means no bound).</summary>
    /// <exception cref="ViTokException">Out of range or not finite.</exception>
    public ConfigRanges Real(string key, double value, double min, double max, bool minOpen = false, bool maxOpen = false)
    {
        bool ok = double.IsFinite(value)
                  && (minOpen ? value > min : value >= min)
                  && (maxOpen ? value < max : value <= max);
        if (!ok) Fail(key, value.ToString("R", CultureInfo.InvariantCulture), Range(min, max, minOpen, maxOpen));
        return this;
    }

    /// <summary>One of the allowed words.</summary>
    /// <exception cref="ViTokException">Another value.</exception>
    public ConfigRanges OneOf(string key, string value, params string[] allowed)
    {
        if (!allowed.Contains(value, StringComparer.Ordinal))
            Fail(key, $"'{value}'", allowed.Length == 2 ? $"{allowed[0]} or {allowed[1]}" : string.Join(", ", allowed[..^1]) + " or " + allowed[^1]);
        return this;
    }

    /// <summary>A path or name: null (when allowed by the key) or a non-empty string.</summary>
    /// <exception cref="ViTokException">An empty or blank string.</exception>
    public ConfigRanges NotEmpty(string key, string? value)
    {
        if (value is not null && string.IsNullOrWhiteSpace(value)) Fail(key, "''", "a non-empty path or name (or leave the key out)");
        return this;
    }

    /// <summary>A device: cpu, cuda or cuda:N.</summary>
    /// <exception cref="ViTokException">Another value.</exception>
    public ConfigRanges Device(string key, string value)
    {
        if (!DeviceName().IsMatch(value)) Fail(key, $"'{value}'", "cpu, cuda or cuda:N");
        return this;
    }

    /// <summary>Fails with <paramref name="why"/> as the whole reason.</summary>
    /// <exception cref="ViTokException">Always.</exception>
    public ConfigRanges Require(bool ok, string why)
    {
        if (!ok) throw new ViTokException($"{source}: {why}");
        return this;
    }

    private void Fail(string key, string value, string range) =>
        throw new ViTokException($"{source}: {key} = {value} is out of range: expected {range}.");

    private static string Range(double min, double max, bool minOpen, bool maxOpen)
    {
        string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        if (double.IsInfinity(max)) return double.IsInfinity(min) ? "a finite number" : $"a number {(minOpen ? ">" : ">=")} {F(min)}";
        if (double.IsInfinity(min)) return $"a number {(maxOpen ? "<" : "<=")} {F(max)}";
        return $"a number in {(minOpen ? "(" : "[")}{F(min)}, {F(max)}{(maxOpen ? ")" : "]")}";
    }

    [GeneratedRegex(@"^(cpu|cuda(:\d+)?)$")]
    private static partial Regex DeviceName();
}
