namespace ViTok.IO;

/// <summary>One operator of an ONNX graph: its type, input and output value names, and attributes (by name).</summary>
public sealed record OnnxNode(
    string Name, string OpType, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs,
    IReadOnlyDictionary<string, OnnxAttribute> Attributes)
{
    /// <summary>The integer-list attribute <paramref name="name"/>, or <paramref name="fallback"/> when absent.</summary>
    public long[] Ints(string name, long[]? fallback = null) =>
        Attributes.TryGetValue(name, out var a) ? a.Ints : fallback ?? [];

    /// <summary>The integer attribute <paramref name="name"/>, or <paramref name="fallback"/> when absent.</summary>
    public long Int(string name, long fallback) =>
        Attributes.TryGetValue(name, out var a) && a.I is { } i ? i : fallback;

    /// <summary>The float attribute <paramref name="name"/>, or <paramref name="fallback"/> when absent.</summary>
    public float Float(string name, float fallback) =>
        Attributes.TryGetValue(name, out var a) && a.F is { } f ? f : fallback;
}
