using System.Text.Json;
using System.Text.Json.Nodes;

namespace ViTok.Cli;

/// <summary>Prints a command's <c>--json</c> result: one compact JSON object on stdout (the project's snake_case
/// conventions, <see cref="ViTok.IO.Json"/>). With <c>--json</c> every human-readable line goes to stderr.</summary>
public static class JsonOut
{
    /// <summary>Prints <paramref name="value"/> as one JSON line on stdout.</summary>
    public static void Print(JsonObject value) => Console.Out.WriteLine(value.ToJsonString(ViTok.IO.Json.Compact));

    /// <summary>Prints <paramref name="value"/> (a record or dictionary) as one JSON line on stdout.</summary>
    public static void Print(object value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, value.GetType(), ViTok.IO.Json.Compact));

    /// <summary>Where a command's human-readable lines go: stdout, or stderr when stdout carries JSON.</summary>
    public static Action<string> Log(bool json) => json ? Console.Error.WriteLine : Console.Out.WriteLine;
}
