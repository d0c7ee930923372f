using Google.Protobuf;
using ViTok.IO;

namespace ViTok.Export;

/// <summary>Serialises an <see cref="OnnxGraph"/> as an ONNX <c>ModelProto</c> with Google.Protobuf's wire writer,
/// using the field numbers of onnx/onnx.proto (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto,
/// ValueInfoProto, TypeProto, TensorShapeProto, OperatorSetIdProto, StringStringEntryProto). Initializers go into the
/// file unless the weights exceed <see cref="ExternalDataThreshold"/> bytes; then every initializer of 1 KiB or more
/// is written to <c>&lt;file&gt;.data</c> (4 KiB-aligned) and referenced as external data (protobuf messages are
/// limited to 2 GiB).</summary>
public static class OnnxWriter
{
    /// <summary>Weights above this many bytes go to an external data file (a margin under protobuf's 2 GiB).</summary>
    public const long ExternalDataThreshold = 1_800_000_000;

    /// <summary>The IR version that goes with an opset (onnx/Versioning.md).</summary>
    public static long IrVersion(int opset) => opset switch { <= 18 => 8, <= 20 => 9, _ => 10 };

    /// <summary>Writes <paramref name="graph"/> to <paramref name="path"/> with <paramref name="metadata"/> as
    /// <c>metadata_props</c>. <paramref name="externalThreshold"/> overrides <see cref="ExternalDataThreshold"/>
    /// (tests). Returns the external data file, or null when the weights are inline.</summary>
    public static string? Write(OnnxGraph graph, string path, IReadOnlyDictionary<string, string> metadata, long? externalThreshold = null)
    {
        bool external = graph.InitializerBytes > (externalThreshold ?? ExternalDataThreshold);
        if (!external)
        {
            AtomicFile.Write(path, file => WriteModel(file, graph, metadata, null, null));
            return null;
        }
        string dataPath = path + ".data";
        AtomicFile.Write(dataPath, data => AtomicFile.Write(path, file => WriteModel(file, graph, metadata, data, Path.GetFileName(dataPath))));
        return dataPath;
    }

    private static void WriteModel(Stream file, OnnxGraph graph, IReadOnlyDictionary<string, string> metadata, Stream? data, string? dataName)
    {
        using var o = new CodedOutputStream(file, leaveOpen: true);
        o.WriteTag(1, WireFormat.WireType.Varint); o.WriteInt64(IrVersion(graph.Opset));           // ir_version
        WriteString(o, 2, Producer);                                                                // producer_name
        WriteString(o, 3, typeof(OnnxWriter).Assembly.GetName().Version?.ToString() ?? "0");        // producer_version
        WriteMessage(o, 7, g => WriteGraph(g, graph, data, dataName));
        WriteMessage(o, 8, s => { WriteString(s, 1, ""); s.WriteTag(2, WireFormat.WireType.Varint); s.WriteInt64(graph.Opset); });
        foreach (var (k, v) in metadata) WriteMessage(o, 14, e => { WriteString(e, 1, k); WriteString(e, 2, v); });
        o.Flush();
    }

    /// <summary>The producer name written into every file.</summary>
    public const string Producer = "ViTok.NET";

    /// <summary>True when <paramref name="path"/> is an ONNX file this writer produced (its producer name), or the
    /// external data file of one; used by the overwrite rule.</summary>
    public static bool IsOwnFile(string path)
    {
        if (path.EndsWith(".onnx.data", StringComparison.Ordinal)) path = path[..^".data".Length];
        try
        {
            using var f = File.OpenRead(path);
            var head = new byte[32];
            int n = f.Read(head);
            return System.Text.Encoding.ASCII.GetString(head, 0, n).Contains(Producer, StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static void WriteGraph(CodedOutputStream g, OnnxGraph graph, Stream? data, string? dataName)
    {
        foreach (var n in graph.Nodes)
            WriteMessage(g, 1, m =>
            {
                foreach (var i in n.Inputs) WriteString(m, 1, i);
                foreach (var i in n.Outputs) WriteString(m, 2, i);
                WriteString(m, 3, n.Outputs[0]);
                WriteString(m, 4, n.Op);
                foreach (var a in n.Attributes) WriteMessage(m, 5, at => WriteAttribute(at, a));
            });
        WriteString(g, 2, graph.Name);
        foreach (var t in graph.Initializers)
            WriteMessage(g, 5, m => WriteTensor(m, t, t.Data.Length >= 1024 ? data : null, dataName));
        foreach (var v in graph.Inputs) WriteMessage(g, 11, m => WriteValueInfo(m, v));
        foreach (var v in graph.Outputs) WriteMessage(g, 12, m => WriteValueInfo(m, v));
    }

    private static void WriteAttribute(CodedOutputStream m, OnnxAttribute a)
    {
        WriteString(m, 1, a.Name);
        int type;
        if (a.Float is float f) { m.WriteTag(2, WireFormat.WireType.Fixed32); m.WriteFloat(f); type = 1; }
        else if (a.Int is long i) { m.WriteTag(3, WireFormat.WireType.Varint); m.WriteInt64(i); type = 2; }
        else if (a.Ints is long[] ints) { foreach (long v in ints) { m.WriteTag(8, WireFormat.WireType.Varint); m.WriteInt64(v); } type = 7; }
        else throw new ArgumentException($"attribute {a.Name} has no value");
        m.WriteTag(20, WireFormat.WireType.Varint); m.WriteEnum(type);
    }

    private static void WriteTensor(CodedOutputStream m, OnnxGraph.InitDef t, Stream? data, string? dataName)
    {
        foreach (long d in t.Dims) { m.WriteTag(1, WireFormat.WireType.Varint); m.WriteInt64(d); }
        m.WriteTag(2, WireFormat.WireType.Varint); m.WriteInt32((int)t.Type);
        WriteString(m, 8, t.Name);
        if (data is null)
        {
            m.WriteTag(9, WireFormat.WireType.LengthDelimited);
            m.WriteBytes(UnsafeByteOperations.UnsafeWrap(t.Data));
            return;
        }
        long offset = (data.Position + 4095) / 4096 * 4096;
        data.Write(new byte[offset - data.Position]);
        data.Write(t.Data);
        foreach (var (k, v) in new[] { ("location", dataName!), ("offset", offset.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                                       ("length", t.Data.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)) })
            WriteMessage(m, 13, e => { WriteString(e, 1, k); WriteString(e, 2, v); });
        m.WriteTag(14, WireFormat.WireType.Varint); m.WriteEnum(1);                                  // data_location = EXTERNAL
    }

    private static void WriteValueInfo(CodedOutputStream m, OnnxGraph.ValueDef v)
    {
        WriteString(m, 1, v.Name);
        WriteMessage(m, 2, type => WriteMessage(type, 1, tensor =>
        {
            tensor.WriteTag(1, WireFormat.WireType.Varint); tensor.WriteInt32((int)v.Type);
            WriteMessage(tensor, 2, shape =>
            {
                foreach (var d in v.Dims)
                    WriteMessage(shape, 1, dim =>
                    {
                        if (d is string s) WriteString(dim, 2, s);
                        else { dim.WriteTag(1, WireFormat.WireType.Varint); dim.WriteInt64(Convert.ToInt64(d, System.Globalization.CultureInfo.InvariantCulture)); }
                    });
            });
        }));
    }

    private static void WriteString(CodedOutputStream o, int field, string value)
    {
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteString(value);
    }

    // An embedded message is length-delimited: written to its own buffer first so its length is known.
    private static void WriteMessage(CodedOutputStream o, int field, Action<CodedOutputStream> body)
    {
        using var buffer = new MemoryStream();
        using (var inner = new CodedOutputStream(buffer, leaveOpen: true))
        {
            body(inner);
            inner.Flush();
        }
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(UnsafeByteOperations.UnsafeWrap(buffer.GetBuffer().AsMemory(0, (int)buffer.Length)));
    }
}
