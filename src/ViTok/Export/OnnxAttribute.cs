namespace ViTok.Export;

/// <summary>One node attribute (ONNX <c>AttributeProto</c>): exactly one of an int, a float, a list of ints or a
/// tensor value (the kinds this exporter needs).</summary>
/// <param name="Name">Attribute name, e.g. <c>axis</c>.</param>
/// <param name="Int">INT value.</param>
/// <param name="Float">FLOAT value.</param>
/// <param name="Ints">INTS value.</param>
public sealed record OnnxAttribute(string Name, long? Int = null, float? Float = null, long[]? Ints = null)
{
    /// <summary>An INT attribute.</summary>
    public static OnnxAttribute Of(string name, long value) => new(name, Int: value);

    /// <summary>A FLOAT attribute.</summary>
    public static OnnxAttribute Of(string name, float value) => new(name, Float: value);

    /// <summary>An INTS attribute.</summary>
    public static OnnxAttribute Of(string name, params long[] values) => new(name, Ints: values);
}
