using System.Text.Json;
using System.Text.Json.Serialization;

namespace ViTok.Cli;

/// <summary>JSON settings shared by the commands' <c>--json</c> output: compact, and non-finite numbers (a PSNR of
/// identical images is +∞) written as the strings "Infinity" / "NaN" instead of failing.</summary>
public static class CliJson
{
    /// <summary>The serializer options.</summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
