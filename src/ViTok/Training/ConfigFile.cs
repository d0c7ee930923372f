using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ViTok.Training;

/// <summary>Reads a JSON config file so that it means one thing: it must be one JSON object, and a key may appear only
/// once in each object (at any nesting level). Errors name the file, the line (1-based) and the key as written
/// (dotted for nested keys, e.g. <c>loss.perceptual_weight</c>).</summary>
public static class ConfigFile
{
    /// <summary>Parses <paramref name="text"/> (the contents of <paramref name="source"/>) into a JSON object.</summary>
    /// <exception cref="ViTokException">Not valid JSON, not an object, or a duplicate key.</exception>
    public static JsonObject Parse(string text, string source)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        CheckDuplicates(bytes, source);
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(bytes);
        }
        catch (JsonException e)
        {
            throw new ViTokException($"{source}: line {(e.LineNumber ?? 0) + 1}: not valid JSON ({FirstSentence(e.Message)}); fix the file.", e);
        }
        return node as JsonObject ?? throw new ViTokException($"{source}: a config must be one JSON object ({{ \"key\": value, ... }}), not {Describe(node)}.");
    }

    private static void CheckDuplicates(byte[] bytes, string source)
    {
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions());
        // One entry per open object or array: the keys seen so far (null for arrays) and the dotted prefix of its keys.
        var stack = new Stack<(HashSet<string>? Keys, string Prefix)>();
        string? property = null;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        string prefix = stack.Count == 0 ? "" : property is null ? stack.Peek().Prefix : stack.Peek().Prefix + property + ".";
                        stack.Push((reader.TokenType == JsonTokenType.StartObject ? new HashSet<string>(StringComparer.Ordinal) : null, prefix));
                        property = null;
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        stack.Pop();
                        property = null;
                        break;
                    case JsonTokenType.PropertyName:
                        property = reader.GetString()!;
                        if (!stack.Peek().Keys!.Add(property))
                            throw new ViTokException($"{source}: line {Line(bytes, reader.TokenStartIndex)}: duplicate key '{stack.Peek().Prefix}{property}'; " +
                                                     "a key may appear once per object (JSON readers disagree on which copy wins), so remove one.");
                        break;
                    default:
                        property = null;
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // Syntax errors are reported by the parser with its line number.
        }
    }

    private static long Line(byte[] bytes, long offset)
    {
        long line = 1;
        for (long i = 0; i < offset && i < bytes.Length; i++)
            if (bytes[i] == (byte)'\n') line++;
        return line;
    }

    private static string FirstSentence(string message)
    {
        int cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).Trim().TrimEnd('.', ' ', '|');
    }

    private static string Describe(JsonNode? node) => node switch
    {
        null => "null",
        JsonArray => "an array",
        _ => $"the value {node.ToJsonString()}",
    };
}
