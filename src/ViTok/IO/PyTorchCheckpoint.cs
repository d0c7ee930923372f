using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;
using System.Text;

namespace ViTok.IO;

/// <summary>Reads a PyTorch <c>state_dict</c> saved with <c>torch.save</c>, in either container: the zip format
/// (PyTorch ≥ 1.6) or the legacy format (a sequence of pickles followed by raw storages), which older published
/// weights such as pytorch-fid's Inception file use and which TorchSharp.PyBridge does not read. The pickle is
/// interpreted by a small, safe subset unpickler: it builds only dicts, lists, tuples, scalars, strings and tensors,
/// never calls arbitrary code, and rejects anything else.</summary>
public static class PyTorchCheckpoint
{
    /// <summary>Reads every tensor of the state dict (CPU, original dtypes, contiguous copies) by key.</summary>
    /// <exception cref="ViTokException">The file is missing or is not a readable PyTorch state dict.</exception>
    public static Dictionary<string, Tensor> Read(string path)
    {
        if (!File.Exists(path)) throw new ViTokException($"{path}: file not found.");
        try
        {
            using var stream = InputFile.OpenRead(path);
            var first = new byte[512];
            int got = 0, r;
            while (got < first.Length && (r = stream.Read(first, got, first.Length - got)) > 0) got += r;
            FileContent.RefuseText(path, first.AsSpan(0, got), "a PyTorch checkpoint (.pt/.pth)");
            var head = first.AsSpan(0, Math.Min(got, 4));
            if (head.Length != 4) throw new InvalidDataException("the file is shorter than 4 bytes");
            stream.Position = 0;
            return head.SequenceEqual("PK\u0003\u0004"u8) ? ReadZip(stream) : ReadLegacy(stream);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or NotSupportedException)
        {
            throw new ViTokException($"{path}: not a readable PyTorch state_dict ({e.Message}). Save it with " +
                                     "torch.save(model.state_dict(), path).", e);
        }
    }

    private static Dictionary<string, Tensor> ReadZip(Stream stream)
    {
        using var zip = new ZipArchive(stream, ZipArchiveMode.Read);
        var pkl = zip.Entries.FirstOrDefault(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) || e.FullName == "data.pkl")
            ?? throw new InvalidDataException("the zip archive has no data.pkl");
        string prefix = pkl.FullName[..^"data.pkl".Length];
        object? root;
        using (var s = pkl.Open()) root = new Unpickler(s).Load();
        return Materialise(root, storage =>
        {
            var entry = zip.GetEntry($"{prefix}data/{storage.Key}") ?? throw new InvalidDataException($"storage {storage.Key} is missing");
            using var s = entry.Open();
            return ReadExactly(s, storage.ByteCount);
        });
    }

    private static Dictionary<string, Tensor> ReadLegacy(Stream file)
    {
        using var stream = new BufferedStream(file, 1 << 20);
        var magic = new Unpickler(stream).Load();
        if (magic is not BigInteger m || m != BigInteger.Parse("119547037146038801333356"))
            throw new InvalidDataException("neither a zip archive nor a legacy torch.save file (bad magic number)");
        if (new Unpickler(stream).Load() is not long protocol || protocol != 1001)
            throw new InvalidDataException("unsupported legacy protocol version");
        new Unpickler(stream).Load();                                     // sys_info: endianness and type sizes
        var unpickler = new Unpickler(stream);
        object? root = unpickler.Load();
        if (new Unpickler(stream).Load() is not List<object?> keys) throw new InvalidDataException("no storage key list");
        // Storages follow in key order, each as an int64 element count and the raw little-endian bytes.
        var data = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        Span<byte> count = stackalloc byte[8];
        foreach (string key in keys.Cast<string>())
        {
            var storage = unpickler.Storages.GetValueOrDefault(key) ?? throw new InvalidDataException($"storage {key} is not referenced");
            stream.ReadExactly(count);
            long n = BinaryPrimitives.ReadInt64LittleEndian(count);
            if (n != storage.Numel) throw new InvalidDataException($"storage {key} holds {n} elements, the pickle says {storage.Numel}");
            data[key] = ReadExactly(stream, storage.ByteCount);
        }
        return Materialise(root, storage => data.GetValueOrDefault(storage.Key)
            ?? throw new InvalidDataException($"storage {storage.Key} has no data"));
    }

    private static byte[] ReadExactly(Stream s, long count)
    {
        if (count > Array.MaxLength) throw new NotSupportedException("a storage larger than 2 GB");
        var buffer = new byte[count];
        s.ReadExactly(buffer);
        return buffer;
    }

    private static Dictionary<string, Tensor> Materialise(object? root, Func<StorageRef, byte[]> load)
    {
        if (root is not Dictionary<object, object?> dict) throw new InvalidDataException("the file does not hold a dict of tensors");
        var storages = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var (k, v) in dict)
            {
                if (k is not string key || v is not TensorRef t)
                    throw new InvalidDataException($"entry {k} is not a tensor; is this a whole pickled model rather than a state_dict?");
                if (!storages.TryGetValue(t.Storage.Key, out var flat))
                {
                    flat = torch.empty(t.Storage.Numel, t.Storage.DType);
                    if (t.Storage.Numel > 0) flat.bytes = load(t.Storage);
                    storages[t.Storage.Key] = flat;
                }
                using var view = flat.as_strided(t.Size, t.Stride, t.Offset);
                result[key] = view.clone();
            }
        }
        catch
        {
            foreach (var r in result.Values) r.Dispose();
            throw;
        }
        finally
        {
            foreach (var s in storages.Values) s.Dispose();
        }
        return result;
    }

    private sealed record StorageRef(string Key, ScalarType DType, long Numel, int ElementSize)
    {
        public long ByteCount => Numel * ElementSize;
    }

    private sealed record TensorRef(StorageRef Storage, long Offset, long[] Size, long[] Stride);

    private sealed record Global(string Module, string Name)
    {
        public string FullName => $"{Module}.{Name}";
    }

    /// <summary>The subset of the pickle machine that torch.save state dicts use (protocols 2–5).</summary>
    private sealed class Unpickler(Stream input)
    {
        private static readonly object Mark = new();
        private readonly List<object?> _stack = [];
        private readonly Dictionary<long, object?> _memo = [];
        public Dictionary<string, StorageRef> Storages { get; } = new(StringComparer.Ordinal);

        public object? Load()
        {
            while (true)
            {
                int op = input.ReadByte();
                switch (op)
                {
                    case -1: throw new EndOfStreamException("the pickle ends early");
                    case 0x2e: return Pop();                                            // STOP
                    case 0x80: Byte(); break;                                          // PROTO
                    case 0x95: Bytes(8); break;                                        // FRAME
                    case 0x28: Push(Mark); break;                                      // MARK
                    case 0x4e: Push(null); break;                                      // NONE
                    case 0x88: Push(true); break;                                      // NEWTRUE
                    case 0x89: Push(false); break;                                     // NEWFALSE
                    case 0x4b: Push((long)Byte()); break;                              // BININT1
                    case 0x4d: Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Bytes(2))); break;   // BININT2
                    case 0x4a: Push((long)BinaryPrimitives.ReadInt32LittleEndian(Bytes(4))); break;    // BININT
                    case 0x8a: Push(Long(Bytes(Byte()))); break;                       // LONG1
                    case 0x8b: Push(Long(Bytes(BinaryPrimitives.ReadInt32LittleEndian(Bytes(4))))); break;  // LONG4
                    case 0x47: Push(BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64BigEndian(Bytes(8)))); break;  // BINFLOAT
                    case 0x58: Push(Encoding.UTF8.GetString(Bytes(BinaryPrimitives.ReadInt32LittleEndian(Bytes(4))))); break;  // BINUNICODE
                    case 0x8c: Push(Encoding.UTF8.GetString(Bytes(Byte()))); break;    // SHORT_BINUNICODE
                    case 0x8d: Push(Encoding.UTF8.GetString(Bytes(checked((int)BinaryPrimitives.ReadInt64LittleEndian(Bytes(8)))))); break;
                    case 0x55: Push(Encoding.Latin1.GetString(Bytes(Byte()))); break;  // SHORT_BINSTRING
                    case 0x54: Push(Encoding.Latin1.GetString(Bytes(BinaryPrimitives.ReadInt32LittleEndian(Bytes(4))))); break;
                    case 0x43: Push(Bytes(Byte())); break;                             // SHORT_BINBYTES
                    case 0x42: Push(Bytes(BinaryPrimitives.ReadInt32LittleEndian(Bytes(4)))); break;  // BINBYTES
                    case 0x7d: Push(new Dictionary<object, object?>()); break;         // EMPTY_DICT
                    case 0x5d: Push(new List<object?>()); break;                       // EMPTY_LIST
                    case 0x29: Push(Array.Empty<object?>()); break;                    // EMPTY_TUPLE
                    case 0x74: Push(PopToMark().ToArray()); break;                     // TUPLE
                    case 0x85: Push(new[] { Pop() }); break;                           // TUPLE1
                    case 0x86: { var b = Pop(); var a = Pop(); Push(new[] { a, b }); break; }
                    case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); Push(new[] { a, b, c }); break; }
                    case 0x6c: Push(PopToMark()); break;                               // LIST
                    case 0x64: { var items = PopToMark(); var d = new Dictionary<object, object?>(); SetItems(d, items); Push(d); break; }
                    case 0x61: { var v = Pop(); ((List<object?>)Peek()!).Add(v); break; }          // APPEND
                    case 0x65: { var items = PopToMark(); ((List<object?>)Peek()!).AddRange(items); break; }  // APPENDS
                    case 0x73: { var v = Pop(); var k = Pop(); SetItems(Peek(), [k, v]); break; }  // SETITEM
                    case 0x75: { var items = PopToMark(); SetItems(Peek(), items); break; }        // SETITEMS
                    case 0x71: _memo[Byte()] = Peek(); break;                          // BINPUT
                    case 0x72: _memo[BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4))] = Peek(); break;  // LONG_BINPUT
                    case 0x94: _memo[_memo.Count] = Peek(); break;                     // MEMOIZE
                    case 0x68: Push(Memo(Byte())); break;                              // BINGET
                    case 0x6a: Push(Memo(BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4)))); break;    // LONG_BINGET
                    case 0x63: Push(new Global(Line(), Line())); break;                // GLOBAL
                    case 0x93: { var name = (string)Pop()!; var module = (string)Pop()!; Push(new Global(module, name)); break; }
                    case 0x52 or 0x81: { var args = (object?[])Pop()!; var f = Pop(); Push(Call(f, args)); break; }  // REDUCE, NEWOBJ
                    case 0x62: Pop(); break;                                           // BUILD: only OrderedDict._metadata comes here
                    case 0x51: Push(PersistentLoad(Pop())); break;                     // BINPERSID
                    case 0x30: Pop(); break;                                           // POP
                    case 0x31: PopToMark(); break;                                     // POP_MARK
                    case 0x32: Push(Peek()); break;                                    // DUP
                    default: throw new InvalidDataException($"unsupported pickle opcode 0x{op:x2}");
                }
            }
        }

        private object? Call(object? callable, object?[] args)
        {
            if (callable is not Global g) throw new InvalidDataException("a pickle REDUCE on a non-class");
            switch (g.FullName)
            {
                case "collections.OrderedDict" or "builtins.dict" or "__builtin__.dict":
                    return new Dictionary<object, object?>();
                case "torch._utils._rebuild_tensor_v2" or "torch._utils._rebuild_tensor":
                    if (args.Length < 4 || args[0] is not StorageRef s) throw new InvalidDataException("a malformed tensor record");
                    return new TensorRef(s, (long)args[1]!, Longs(args[2]), Longs(args[3]));
                case "torch._utils._rebuild_parameter":
                    return args.Length > 0 && args[0] is TensorRef t ? t : throw new InvalidDataException("a malformed parameter record");
                default:
                    throw new InvalidDataException($"the pickle calls {g.FullName}, which a state_dict never needs");
            }
        }

        private object PersistentLoad(object? pid)
        {
            // ('storage', storage_type, key, location, numel[, view_metadata])
            if (pid is not object?[] { Length: >= 5 } t || t[0] as string != "storage" || t[1] is not Global type || t[2] is not string key)
                throw new InvalidDataException("an unknown persistent id");
            if (Storages.TryGetValue(key, out var known)) return known;
            (ScalarType dtype, int size) = type.Name switch
            {
                "FloatStorage" => (ScalarType.Float32, 4),
                "DoubleStorage" => (ScalarType.Float64, 8),
                "HalfStorage" => (ScalarType.Float16, 2),
                "BFloat16Storage" => (ScalarType.BFloat16, 2),
                "LongStorage" => (ScalarType.Int64, 8),
                "IntStorage" => (ScalarType.Int32, 4),
                "ShortStorage" => (ScalarType.Int16, 2),
                "CharStorage" => (ScalarType.Int8, 1),
                "ByteStorage" => (ScalarType.Byte, 1),
                "BoolStorage" => (ScalarType.Bool, 1),
                _ => throw new InvalidDataException($"unsupported storage type {type.Name}"),
            };
            if (t.Length > 5 && t[5] is not null) throw new InvalidDataException("storage views are not supported");
            var storage = new StorageRef(key, dtype, (long)t[4]!, size);
            Storages[key] = storage;
            return storage;
        }

        private static long[] Longs(object? tuple) => ((object?[])tuple!).Select(o => (long)o!).ToArray();

        private static object Long(byte[] bytes)
        {
            var v = new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
            return v >= long.MinValue && v <= long.MaxValue ? (long)v : v;
        }

        private static void SetItems(object? target, List<object?> items)
        {
            if (target is not Dictionary<object, object?> d) throw new InvalidDataException("SETITEMS on a non-dict");
            for (int i = 0; i + 1 < items.Count; i += 2) d[items[i]!] = items[i + 1];
        }

        private void Push(object? o) => _stack.Add(o);

        private object? Peek() => _stack.Count > 0 ? _stack[^1] : throw new InvalidDataException("pickle stack underflow");

        private object? Pop()
        {
            var o = Peek();
            _stack.RemoveAt(_stack.Count - 1);
            return o;
        }

        private List<object?> PopToMark()
        {
            int i = _stack.LastIndexOf(Mark);
            if (i < 0) throw new InvalidDataException("pickle MARK missing");
            var items = _stack.GetRange(i + 1, _stack.Count - i - 1);
            _stack.RemoveRange(i, _stack.Count - i);
            return items;
        }

        private object? Memo(long i) => _memo.TryGetValue(i, out var o) ? o : throw new InvalidDataException("bad pickle memo reference");

        private int Byte() => input.ReadByte() is var b and >= 0 ? b : throw new EndOfStreamException("the pickle ends early");

        private byte[] Bytes(int n)
        {
            var b = new byte[n];
            input.ReadExactly(b);
            return b;
        }

        private string Line()
        {
            var sb = new StringBuilder();
            for (int c = Byte(); c != '\n'; c = Byte()) sb.Append((char)c);
            return sb.ToString();
        }
    }
}
