namespace ViTok.Export;

/// <summary>The ONNX <c>TensorProto.DataType</c> values this exporter writes (onnx/onnx.proto).</summary>
public enum OnnxDataType
{
    /// <summary>32-bit float.</summary>
    Float = 1,

    /// <summary>64-bit signed integer.</summary>
    Int64 = 7,

    /// <summary>Boolean (one byte per value).</summary>
    Bool = 9,
}
