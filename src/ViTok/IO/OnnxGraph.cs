using System.Buffers.Binary;
using System.Text;

namespace ViTok.IO;

/// <summary>The parts of an ONNX model that weight loading needs: producer, opset, graph inputs/outputs, nodes in
/// file order and initializers. A small reader of the protobuf wire format (no code generation, no dependency); the
/// fields it does not use are skipped.</summary>
public sealed class OnnxGraph
{
    /// <summary>The <c>producer_name</c> of the model (e.g. "CNTK").</summary>
    public string ProducerName { get; private set; } = "";

    /// <summary>The <c>producer_version</c> of the model.</summary>
    public string ProducerVersion { get; private set; } = "";

    /// <summary>The version of the default-domain operator set.</summary>
    public long OpsetVersion { get; private set; }

    /// <summary>Names of the graph inputs (older exporters also list the initializers here).</summary>
    public IReadOnlyList<string> Inputs => _inputs;

    /// <summary>Names of the graph outputs.</summary>
    public IReadOnlyList<string> Outputs => _outputs;

    /// <summary>Nodes in file (topological) order.</summary>
    public IReadOnlyList<OnnxNode> Nodes => _nodes;

    /// <summary>Initializers by name.</summary>
    public IReadOnlyDictionary<string, OnnxTensor> Initializers => _initializers;

    private readonly List<string> _inputs = [];
    private readonly List<string> _outputs = [];
    private readonly List<OnnxNode> _nodes = [];
    private readonly Dictionary<string, OnnxTensor> _initializers = new(StringComparer.Ordinal);

    /// <summary>Reads an .onnx file; a missing, truncated or non-ONNX file gives a <see cref="ViTokException"/>.</summary>
    /// <exception cref="ViTokException">The file is missing or is not a readable ONNX model.</exception>
    public static OnnxGraph Read(string path)
    {
        if (!File.Exists(path)) throw new ViTokException($"{path}: file not found.");
        byte[] bytes = File.ReadAllBytes(path);
        FileContent.RefuseText(path, bytes.AsSpan(0, Math.Min(bytes.Length, 512)), "an ONNX model");
        return Parse(bytes, path);
    }

    /// <summary>Parses the bytes of an ONNX model; <paramref name="source"/> names it in error messages.</summary>
    /// <exception cref="ViTokException">The bytes are not a readable ONNX model.</exception>
    public static OnnxGraph Parse(byte[] bytes, string source)
    {
        var g = new OnnxGraph();
        try
        {
            bool sawGraph = false;
            foreach (var f in Fields(bytes, 0, bytes.Length))
            {
                switch (f.Number)
                {
                    case 2: g.ProducerName = f.String(bytes); break;
                    case 3: g.ProducerVersion = f.String(bytes); break;
                    case 7: g.ReadGraph(bytes, f.Start, f.End); sawGraph = true; break;
                    case 8:
                        string domain = "";
                        long version = 0;
                        foreach (var o in Fields(bytes, f.Start, f.End))
                        {
                            if (o.Number == 1) domain = o.String(bytes);
                            else if (o.Number == 2) version = (long)o.Varint;
                        }
                        if (domain is "" or "ai.onnx") g.OpsetVersion = version;
                        break;
                }
            }
            if (!sawGraph) throw new FormatException("no graph");
        }
        catch (FormatException e)
        {
            throw new ViTokException($"{source}: not a readable ONNX model ({e.Message}). Check that the file is complete.", e);
        }
        return g;
    }

    private void ReadGraph(byte[] b, int start, int end)
    {
        foreach (var f in Fields(b, start, end))
        {
            switch (f.Number)
            {
                case 1: _nodes.Add(ReadNode(b, f.Start, f.End)); break;
                case 5:
                    var t = ReadTensor(b, f.Start, f.End);
                    _initializers[t.Name] = t;
                    break;
                case 11: _inputs.Add(ReadValueInfoName(b, f.Start, f.End)); break;
                case 12: _outputs.Add(ReadValueInfoName(b, f.Start, f.End)); break;
            }
        }
    }

    private static string ReadValueInfoName(byte[] b, int start, int end)
    {
        foreach (var f in Fields(b, start, end))
            if (f.Number == 1) return f.String(b);
        return "";
    }

    private static OnnxNode ReadNode(byte[] b, int start, int end)
    {
        var inputs = new List<string>();
        var outputs = new List<string>();
        var attrs = new Dictionary<string, OnnxAttribute>(StringComparer.Ordinal);
        string name = "", op = "";
        foreach (var f in Fields(b, start, end))
        {
            switch (f.Number)
            {
                case 1: inputs.Add(f.String(b)); break;
                case 2: outputs.Add(f.String(b)); break;
                case 3: name = f.String(b); break;
                case 4: op = f.String(b); break;
                case 5:
                    var a = ReadAttribute(b, f.Start, f.End);
                    attrs[a.Name] = a;
                    break;
            }
        }
        return new OnnxNode(name, op, inputs, outputs, attrs);
    }

    private static OnnxAttribute ReadAttribute(byte[] b, int start, int end)
    {
        string name = "";
        float? fv = null;
        long? iv = null;
        string? sv = null;
        OnnxTensor? tv = null;
        var floats = new List<float>();
        var ints = new List<long>();
        foreach (var f in Fields(b, start, end))
        {
            switch (f.Number)
            {
                case 1: name = f.String(b); break;
                case 2: fv = BitConverter.Int32BitsToSingle((int)f.Varint); break;
                case 3: iv = (long)f.Varint; break;
                case 4: sv = f.String(b); break;
                case 5: tv = ReadTensor(b, f.Start, f.End); break;
                case 7: ReadFloats(b, f, floats); break;
                case 8: ReadInts(b, f, ints); break;
            }
        }
        return new OnnxAttribute(name, fv, iv, sv, tv, floats.ToArray(), ints.ToArray());
    }

    private static OnnxTensor ReadTensor(byte[] b, int start, int end)
    {
        var dims = new List<long>();
        var floats = new List<float>();
        var int64s = new List<long>();
        int type = 0;
        string name = "";
        (int Start, int End)? raw = null;
        foreach (var f in Fields(b, start, end))
        {
            switch (f.Number)
            {
                case 1: ReadInts(b, f, dims); break;
                case 2: type = (int)f.Varint; break;
                case 4: ReadFloats(b, f, floats); break;
                case 7: ReadInts(b, f, int64s); break;
                case 8: name = f.String(b); break;
                case 9: raw = (f.Start, f.End); break;
                case 14 when f.Varint == 1: throw new FormatException($"tensor '{name}' uses external data, which is not supported");
            }
        }
        long count = dims.Aggregate(1L, (a, c) => a * c);
        float[]? fdata = null;
        long[]? idata = null;
        if (type == OnnxTensor.Float)
        {
            if (raw is { } r)
            {
                fdata = new float[(r.End - r.Start) / 4];
                for (int i = 0; i < fdata.Length; i++)
                    fdata[i] = BinaryPrimitives.ReadSingleLittleEndian(b.AsSpan(r.Start + 4 * i, 4));
            }
            else fdata = floats.ToArray();
            if (fdata.Length != count) throw new FormatException($"tensor '{name}' has {fdata.Length} values for {count} elements");
        }
        else if (type == OnnxTensor.Int64)
        {
            if (raw is { } r)
            {
                idata = new long[(r.End - r.Start) / 8];
                for (int i = 0; i < idata.Length; i++)
                    idata[i] = BinaryPrimitives.ReadInt64LittleEndian(b.AsSpan(r.Start + 8 * i, 8));
            }
            else idata = int64s.ToArray();
            if (idata.Length != count) throw new FormatException($"tensor '{name}' has {idata.Length} values for {count} elements");
        }
        return new OnnxTensor(name, dims.ToArray(), type, fdata, idata);
    }

    // ---- protobuf wire format ----

    private readonly record struct Field(int Number, int WireType, ulong Varint, int Start, int End)
    {
        public string String(byte[] b) => Encoding.UTF8.GetString(b, Start, End - Start);
    }

    private static IEnumerable<Field> Fields(byte[] b, int start, int end)
    {
        int p = start;
        while (p < end)
        {
            ulong key = ReadVarint(b, ref p, end);
            int number = (int)(key >> 3), wire = (int)(key & 7);
            switch (wire)
            {
                case 0:
                    yield return new Field(number, wire, ReadVarint(b, ref p, end), 0, 0);
                    break;
                case 1:
                    if (p + 8 > end) throw new FormatException("truncated fixed64");
                    yield return new Field(number, wire, BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(p, 8)), p, p + 8);
                    p += 8;
                    break;
                case 2:
                    ulong len = ReadVarint(b, ref p, end);
                    if (len > (ulong)(end - p)) throw new FormatException("truncated length-delimited field");
                    yield return new Field(number, wire, 0, p, p + (int)len);
                    p += (int)len;
                    break;
                case 5:
                    if (p + 4 > end) throw new FormatException("truncated fixed32");
                    yield return new Field(number, wire, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(p, 4)), p, p + 4);
                    p += 4;
                    break;
                default:
                    throw new FormatException($"unsupported wire type {wire} at byte {p}");
            }
        }
        if (p != end) throw new FormatException("field overruns its message");
    }

    private static ulong ReadVarint(byte[] b, ref int p, int end)
    {
        ulong v = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (p >= end) throw new FormatException("truncated varint");
            byte x = b[p++];
            v |= (ulong)(x & 0x7f) << shift;
            if ((x & 0x80) == 0) return v;
        }
        throw new FormatException("varint too long");
    }

    // Repeated scalars come packed (one length-delimited field) or one per field; accept both.
    private static void ReadFloats(byte[] b, Field f, List<float> into)
    {
        if (f.WireType == 5) into.Add(BitConverter.Int32BitsToSingle((int)f.Varint));
        else if (f.WireType == 2)
        {
            if ((f.End - f.Start) % 4 != 0) throw new FormatException("packed floats not a multiple of 4 bytes");
            into.EnsureCapacity(into.Count + (f.End - f.Start) / 4);
            for (int p = f.Start; p < f.End; p += 4) into.Add(BinaryPrimitives.ReadSingleLittleEndian(b.AsSpan(p, 4)));
        }
        else throw new FormatException($"float field with wire type {f.WireType}");
    }

    private static void ReadInts(byte[] b, Field f, List<long> into)
    {
        if (f.WireType == 0) into.Add((long)f.Varint);
        else if (f.WireType == 2)
        {
            int p = f.Start;
            while (p < f.End) into.Add((long)ReadVarint(b, ref p, f.End));
        }
        else throw new FormatException($"integer field with wire type {f.WireType}");
    }
}
