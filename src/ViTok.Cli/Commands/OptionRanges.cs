using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace ViTok.Cli.Commands;

/// <summary>Range validators for numeric options: a value outside [min, max] (or NaN/∞ for real numbers) is a usage error
/// that names the option and the allowed range, reported before the command does any work.</summary>
public static class OptionRanges
{
    /// <summary>Accepts integers in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static Option<int> Range(this Option<int> option, int min, int max = int.MaxValue)
    {
        option.Validators.Add(r => Check(r, r.GetValueOrDefault<int>(), min, max));
        return option;
    }

    /// <summary>Accepts integers in [<paramref name="min"/>, <paramref name="max"/>] (or no value).</summary>
    public static Option<int?> Range(this Option<int?> option, int min, int max = int.MaxValue)
    {
        option.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is int v) Check(r, v, min, max); });
        return option;
    }

    /// <summary>Accepts integers in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static Option<long> Range(this Option<long> option, long min, long max = long.MaxValue)
    {
        option.Validators.Add(r => Check(r, r.GetValueOrDefault<long>(), min, max));
        return option;
    }

    /// <summary>Accepts finite numbers in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static Option<double> Range(this Option<double> option, double min, double max)
    {
        option.Validators.Add(r => Check(r, r.GetValueOrDefault<double>(), min, max));
        return option;
    }

    /// <summary>Accepts finite numbers in [<paramref name="min"/>, <paramref name="max"/>] (or no value).</summary>
    public static Option<double?> Range(this Option<double?> option, double min, double max)
    {
        option.Validators.Add(r => { if (r.GetValueOrDefault<double?>() is double v) Check(r, v, min, max); });
        return option;
    }

    private static string Name(OptionResult r) => r.IdentifierToken?.Value ?? r.Option.Name;

    private static void Check(OptionResult r, long v, long min, long max)
    {
        if (v >= min && v <= max) return;
        string range = max == long.MaxValue || max == int.MaxValue ? $"a whole number ≥ {min}" : $"a whole number from {min} to {max}";
        r.AddError($"{Name(r)} {v.ToString(CultureInfo.InvariantCulture)}: expected {range}");
    }

    private static void Check(OptionResult r, double v, double min, double max)
    {
        if (double.IsFinite(v) && v >= min && v <= max) return;
        string text = r.Tokens.Count > 0 ? r.Tokens[0].Value : v.ToString(CultureInfo.InvariantCulture);
        string range = double.IsPositiveInfinity(max) ? $"≥ {min.ToString(CultureInfo.InvariantCulture)}" : $"from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}";
        r.AddError($"{Name(r)} {text}: expected a finite number {range}");
    }
}
