using System.Text.Json;
using System.Text.Json.Serialization;

namespace ViTok.IO;

/// <summary>The project's JSON conventions: snake_case keys, indented output, numbers as written.</summary>
public static class Json
{
    /// <summary>Options for configs, metadata and reports.</summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Compact variant of <see cref="Options"/> (for metadata strings).</summary>
    public static readonly JsonSerializerOptions Compact = new(Options) { WriteIndented = false };
}
