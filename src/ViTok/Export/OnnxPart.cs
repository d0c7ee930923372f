namespace ViTok.Export;

/// <summary>Which half of an auto-encoder to export.</summary>
[Flags]
public enum OnnxPart
{
    /// <summary><c>encoder.onnx</c>.</summary>
    Encoder = 1,

    /// <summary><c>decoder.onnx</c>.</summary>
    Decoder = 2,

    /// <summary>Both files.</summary>
    Both = Encoder | Decoder,
}
