namespace ViTok.IO;

/// <summary>An attribute of an ONNX node. Only the fields the file set are non-null / non-empty.</summary>
public sealed record OnnxAttribute(string Name, float? F, long? I, string? S, OnnxTensor? T, float[] Floats, long[] Ints);
