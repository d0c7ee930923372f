using System.Runtime.InteropServices;

namespace ViTok.Export;

/// <summary>An ONNX graph under construction: inputs, outputs, initializers (weights and constants) and nodes in
/// topological order. The emitters (<see cref="OnnxOps"/>, <see cref="PaperOnnx"/>, <see cref="V2Onnx"/>) add nodes
/// that mirror the TorchSharp modules' forward passes; <see cref="OnnxWriter"/> serialises it as a ModelProto.</summary>
public sealed class OnnxGraph
{
    internal sealed record NodeDef(string Op, string[] Inputs, string[] Outputs, OnnxAttribute[] Attributes);
    internal sealed record ValueDef(string Name, OnnxDataType Type, object[] Dims);
    internal sealed record InitDef(string Name, OnnxDataType Type, long[] Dims, byte[] Data);

    private readonly Dictionary<string, string> _constants = [];
    private int _next;

    internal List<NodeDef> Nodes { get; } = [];
    internal List<ValueDef> Inputs { get; } = [];
    internal List<ValueDef> Outputs { get; } = [];
    internal List<InitDef> Initializers { get; } = [];

    /// <summary>The graph's name.</summary>
    public string Name { get; }

    /// <summary>The default-domain opset the nodes are written for (17 to 21).</summary>
    public int Opset { get; }

    /// <summary>Starts an empty graph.</summary>
    /// <exception cref="ViTokException">When <paramref name="opset"/> is outside 17..21.</exception>
    public OnnxGraph(string name, int opset)
    {
        if (opset is < 17 or > 21)
            throw new ViTokException($"opset {opset} is not supported; pass --opset between 17 and 21 (17 is the default).");
        Name = name;
        Opset = opset;
    }

    /// <summary>Bytes of all initializers.</summary>
    public long InitializerBytes => Initializers.Sum(i => (long)i.Data.Length);

    /// <summary>Declares a graph input; a dimension is a fixed size (int or long) or a symbolic name (string).</summary>
    public string Input(string name, OnnxDataType type, params object[] dims)
    {
        Inputs.Add(new ValueDef(name, type, dims));
        return name;
    }

    /// <summary>Declares <paramref name="value"/> as the graph output <paramref name="name"/> (through an Identity
    /// node when the names differ).</summary>
    public void Output(string value, string name, OnnxDataType type, params object[] dims)
    {
        if (value != name) Nodes.Add(new NodeDef("Identity", [value], [name], []));
        Outputs.Add(new ValueDef(name, type, dims));
    }

    /// <summary>Adds a float32 initializer from a tensor (any dtype; copied as contiguous float32).</summary>
    public string Weight(string name, Tensor t)
    {
        using var scope = torch.NewDisposeScope();
        var f = t.detach().to(ScalarType.Float32).cpu().contiguous();
        return Weight(name, f.data<float>().ToArray(), f.shape);
    }

    /// <summary>Adds a float32 initializer with the given shape.</summary>
    public string Weight(string name, float[] data, params long[] dims)
    {
        Initializers.Add(new InitDef(name, OnnxDataType.Float, dims, MemoryMarshal.AsBytes(data.AsSpan()).ToArray()));
        return name;
    }

    /// <summary>A 1-D int64 constant (shared between uses).</summary>
    public string Ints(params long[] values)
    {
        string key = "i:" + string.Join(",", values);
        if (_constants.TryGetValue(key, out var n)) return n;
        n = $"const_i64_{_constants.Count}";
        Initializers.Add(new InitDef(n, OnnxDataType.Int64, [values.Length], MemoryMarshal.AsBytes(values.AsSpan()).ToArray()));
        _constants[key] = n;
        return n;
    }

    /// <summary>A 0-D float32 constant (shared between uses).</summary>
    public string Scalar(float value)
    {
        string key = "f:" + BitConverter.SingleToInt32Bits(value);
        if (_constants.TryGetValue(key, out var n)) return n;
        n = $"const_f32_{_constants.Count}";
        Initializers.Add(new InitDef(n, OnnxDataType.Float, [], BitConverter.GetBytes(value)));
        _constants[key] = n;
        return n;
    }

    /// <summary>A 0-D int64 constant (shared between uses).</summary>
    public string Scalar(long value)
    {
        string key = "l:" + value;
        if (_constants.TryGetValue(key, out var n)) return n;
        n = $"const_i64s_{_constants.Count}";
        Initializers.Add(new InitDef(n, OnnxDataType.Int64, [], BitConverter.GetBytes(value)));
        _constants[key] = n;
        return n;
    }

    /// <summary>A float32 constant of any shape (not shared).</summary>
    public string Floats(float[] values, params long[] dims) => Weight($"const_f32_{_constants.Count}_{_next++}", values, dims);

    /// <summary>Adds a node with one output and returns the output's name.</summary>
    public string Op(string op, string[] inputs, params OnnxAttribute[] attributes) => OpN(op, 1, inputs, attributes)[0];

    /// <summary>Adds a node with <paramref name="outputs"/> outputs and returns their names.</summary>
    public string[] OpN(string op, int outputs, string[] inputs, params OnnxAttribute[] attributes)
    {
        int id = _next++;
        var names = Enumerable.Range(0, outputs).Select(k => $"{op}_{id}" + (outputs > 1 ? $"_{k}" : "")).ToArray();
        Nodes.Add(new NodeDef(op, inputs, names, attributes));
        return names;
    }
}
