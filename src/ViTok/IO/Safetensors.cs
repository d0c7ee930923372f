using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ViTok.IO;

/// <summary>Reads and writes the safetensors format (an 8-byte little-endian header length, a JSON header, raw
/// little-endian tensor bytes), including its <c>__metadata__</c> map of strings. Every malformed or truncated
/// file is reported as a <see cref="ViTokException"/> naming the file.</summary>
public static class Safetensors
{
    /// <summary>One tensor entry of a safetensors header.</summary>
    public sealed record Entry(string Name, string DType, long[] Shape, long Begin, long End);

    /// <summary>The parsed header of a safetensors file.</summary>
    public sealed record Header(IReadOnlyList<Entry> Entries, IReadOnlyDictionary<string, string> Metadata, long DataStart);

    /// <summary>Reads only the header (names, dtypes, shapes, metadata) and validates it against the file size.</summary>
    /// <exception cref="ViTokException">The file is missing or its header is damaged.</exception>
    public static Header ReadHeader(string path)
    {
        if (!File.Exists(path)) throw new ViTokException($"{path}: file not found.");
        using var fs = InputFile.OpenRead(path);
        return ReadHeader(fs, path);
    }

    private static Header ReadHeader(Stream fs, string path)
    {
        long size = fs.Length;
        if (size < 8)
        {
            RefuseOther(fs, path);
            throw new ViTokException($"{path}: not a safetensors file ({size} bytes; too short for a header). The file is empty or truncated; copy it again.");
        }
        Span<byte> lenBytes = stackalloc byte[8];
        fs.ReadExactly(lenBytes);
        ulong headerLen = BinaryPrimitives.ReadUInt64LittleEndian(lenBytes);
        if (headerLen == 0 || headerLen > 100_000_000)
        {
            RefuseOther(fs, path);
            throw new ViTokException($"{path}: not a safetensors file (its first 8 bytes give a header length of {headerLen}, which is implausible). Is it a PyTorch .pt/.pth file or another format?");
        }
        if (8 + (long)headerLen > size)
        {
            RefuseOther(fs, path);
            throw new ViTokException($"{path}: truncated safetensors file: the header needs {headerLen} bytes but the file has {size - 8} after the length. Copy or download it again.");
        }
        byte[] headerBytes = new byte[headerLen];
        fs.ReadExactly(headerBytes);
        JsonObject root;
        try
        {
            root = JsonNode.Parse(Encoding.UTF8.GetString(headerBytes).TrimEnd(' ', '\0'))?.AsObject()
                   ?? throw new ViTokException($"{path}: empty safetensors header.");
        }
        catch (JsonException e)
        {
            throw new ViTokException($"{path}: not a safetensors file (its header is not JSON: {e.Message}).", e);
        }
        long dataStart = 8 + (long)headerLen;
        var entries = new List<Entry>();
        var metadata = new Dictionary<string, string>();
        foreach (var (name, node) in root)
        {
            if (name == "__metadata__")
            {
                if (node is JsonObject meta)
                    foreach (var (k, v) in meta) metadata[k] = v?.GetValue<string>() ?? "";
                continue;
            }
            try
            {
                var o = node!.AsObject();
                string dtype = o["dtype"]!.GetValue<string>();
                long[] shape = o["shape"]!.AsArray().Select(n => n!.GetValue<long>()).ToArray();
                var offs = o["data_offsets"]!.AsArray();
                long begin = offs[0]!.GetValue<long>(), end = offs[1]!.GetValue<long>();
                long expected = shape.Aggregate(1L, (a, b) => a * b) * ElementSize(dtype, path, name);
                if (end - begin != expected || begin < 0)
                    throw new ViTokException($"{path}: tensor '{name}' has offsets [{begin}, {end}) that do not match its shape [{string.Join(", ", shape)}] and dtype {dtype}.");
                entries.Add(new Entry(name, dtype, shape, begin, end));
            }
            catch (Exception e) when (e is not ViTokException)
            {
                throw new ViTokException($"{path}: malformed safetensors header entry '{name}': {e.Message}", e);
            }
        }
        long needed = entries.Count == 0 ? 0 : entries.Max(e => e.End);
        if (dataStart + needed > size)
            throw new ViTokException($"{path}: truncated safetensors file: the header describes {needed} bytes of tensor data but only {size - dataStart} are present. Copy or download it again.");
        return new Header(entries, metadata, dataStart);
    }

    /// <summary>Reads every tensor (on the CPU, in its stored dtype) and the metadata map. Floating-point tensors must be
    /// finite: a NaN or infinity anywhere is refused, naming the tensor (<see cref="Finite.CheckWeights"/>).</summary>
    /// <exception cref="ViTokException">Missing, truncated or malformed file, or a non-finite value.</exception>
    public static (Dictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata) Read(string path, Func<string, bool>? include = null)
    {
        if (!File.Exists(path)) throw new ViTokException($"{path}: file not found.");
        using var fs = InputFile.OpenRead(path);
        var header = ReadHeader(fs, path);
        var result = new Dictionary<string, Tensor>();
        foreach (var e in header.Entries)
        {
            if (include != null && !include(e.Name)) continue;
            var t = torch.empty(e.Shape, ToScalarType(e.DType, path, e.Name));
            long n = e.End - e.Begin;
            if (n > 0)
            {
                fs.Seek(header.DataStart + e.Begin, SeekOrigin.Begin);
                var span = t.bytes;
                fs.ReadExactly(span);
                t.bytes = span;
            }
            result[e.Name] = t;
        }
        Finite.CheckWeights(result, path);
        return (result, header.Metadata);
    }

    /// <summary>Writes tensors (moved to CPU, contiguous, in their dtype) and metadata atomically.</summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach (var (k, v) in metadata) meta[k] = v;
            header["__metadata__"] = meta;
        }
        long offset = 0;
        var blobs = new List<byte[]>();
        foreach (var (name, tensor) in list)
        {
            using var cpu = tensor.detach().cpu().contiguous();
            byte[] data = cpu.numel() == 0 ? [] : cpu.bytes.ToArray();
            header[name] = new JsonObject
            {
                ["dtype"] = DTypeName(cpu.dtype),
                ["shape"] = new JsonArray(cpu.shape.Select(s => (JsonNode)s).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + data.Length),
            };
            offset += data.Length;
            blobs.Add(data);
        }
        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int pad = (8 - json.Length % 8) % 8;
        byte[] headerBytes = new byte[json.Length + pad];
        json.CopyTo(headerBytes, 0);
        for (int i = json.Length; i < headerBytes.Length; i++) headerBytes[i] = (byte)' ';
        AtomicFile.Write(path, s =>
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)headerBytes.Length);
            s.Write(len);
            s.Write(headerBytes);
            foreach (var b in blobs) s.Write(b);
        });
    }

    // Text where binary is expected: a Git LFS pointer, an HTML page, a note; or a known other binary format.
    private static void RefuseOther(Stream fs, string path)
    {
        fs.Position = 0;
        var head = new byte[FileContent.HeadBytes];
        int n = 0, r;
        while (n < head.Length && (r = fs.Read(head, n, head.Length - n)) > 0) n += r;
        FileContent.RefuseText(path, head.AsSpan(0, n), "a safetensors file");
        var c = FileContent.Sniff(head.AsSpan(0, n));
        if (c.Kind != ContentKind.Other || c.Format != "binary")
            throw new ViTokException($"{path}: is {c.Description}, not a safetensors file.");
    }

    private static long ElementSize(string dtype, string path, string name) => dtype switch
    {
        "F64" or "I64" or "U64" => 8,
        "F32" or "I32" or "U32" => 4,
        "F16" or "BF16" or "I16" or "U16" => 2,
        "I8" or "U8" or "BOOL" => 1,
        _ => throw new ViTokException($"{path}: tensor '{name}' has unsupported dtype '{dtype}'."),
    };

    private static ScalarType ToScalarType(string dtype, string path, string name) => dtype switch
    {
        "F64" => ScalarType.Float64,
        "F32" => ScalarType.Float32,
        "F16" => ScalarType.Float16,
        "BF16" => ScalarType.BFloat16,
        "I64" => ScalarType.Int64,
        "I32" => ScalarType.Int32,
        "I16" => ScalarType.Int16,
        "I8" => ScalarType.Int8,
        "U8" => ScalarType.Byte,
        "BOOL" => ScalarType.Bool,
        _ => throw new ViTokException($"{path}: tensor '{name}' has unsupported dtype '{dtype}'."),
    };

    private static string DTypeName(ScalarType t) => t switch
    {
        ScalarType.Float64 => "F64",
        ScalarType.Float32 => "F32",
        ScalarType.Float16 => "F16",
        ScalarType.BFloat16 => "BF16",
        ScalarType.Int64 => "I64",
        ScalarType.Int32 => "I32",
        ScalarType.Int16 => "I16",
        ScalarType.Int8 => "I8",
        ScalarType.Byte => "U8",
        ScalarType.Bool => "BOOL",
        _ => throw new ArgumentException($"dtype {t} cannot be written to safetensors"),
    };
}
