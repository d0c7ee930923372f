using System.Text.Json;
using System.Text.Json.Serialization;

namespace ViTok.IO;

/// <summary>The project's JSON conventions: snake_case keys, indented output, numbers as written. A number field is
/// always a JSON number or null: NaN and ±∞ are never written as strings ("NaN", "Infinity"): the serializer refuses
/// them (strict number handling, an exception rather than a silent string), and writers map them to null with
/// <see cref="FiniteOrNull(double)"/> and say why in a documented companion key (e.g. <c>identical</c> beside <c>psnr</c>).</summary>
public static class Json
{
    /// <summary>Options for configs, metadata and reports.</summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.Strict,
    };

    /// <summary>Compact variant of <see cref="Options"/> (for metadata strings).</summary>
    public static readonly JsonSerializerOptions Compact = new(Options) { WriteIndented = false };

    /// <summary><paramref name="value"/> when it is finite, else null (the JSON value of a number that does not exist,
    /// e.g. the PSNR of identical images or a rate over zero seconds).</summary>
    public static double? FiniteOrNull(double value) => double.IsFinite(value) ? value : null;

    /// <summary><paramref name="value"/> when it is null or finite, else null.</summary>
    public static double? FiniteOrNull(double? value) => value is double v && double.IsFinite(v) ? v : null;
}
