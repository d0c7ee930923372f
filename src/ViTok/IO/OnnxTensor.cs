namespace ViTok.IO;

/// <summary>A tensor stored in an ONNX graph (an initializer or a Constant's value). Float data (ONNX type 1) is
/// decoded into <see cref="FloatData"/> whether the file used <c>float_data</c> or <c>raw_data</c>; int64 data
/// (type 7) into <see cref="Int64Data"/>; other types keep only their name, type and dims.</summary>
public sealed record OnnxTensor(string Name, long[] Dims, int DataType, float[]? FloatData, long[]? Int64Data)
{
    /// <summary>ONNX <c>TensorProto.DataType.FLOAT</c>.</summary>
    public const int Float = 1;

    /// <summary>ONNX <c>TensorProto.DataType.INT64</c>.</summary>
    public const int Int64 = 7;

    /// <summary>Number of elements implied by <see cref="Dims"/>.</summary>
    public long ElementCount => Dims.Aggregate(1L, (a, b) => a * b);

    /// <summary>A new CPU float32 tensor with this tensor's data and shape; throws if the data is not float.</summary>
    public Tensor ToTensor() => FloatData is { } f
        ? torch.tensor(f, Dims)
        : throw new InvalidOperationException($"ONNX tensor '{Name}' has data type {DataType}, not float");
}
