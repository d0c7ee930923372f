using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ViTok.IO;

/// <summary>NumPy <c>.npy</c> files (format versions 1.0, 2.0 and 3.0) to and from tensors. Reading accepts float32
/// and float64 arrays of any rank, little- or big-endian, C or Fortran order; writing emits v1.0, little-endian,
/// C order, float32 or float64 (other dtypes are converted to float32).</summary>
public static partial class Npy
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads an .npy file into a CPU tensor of its own dtype (float32 or float64) and shape.</summary>
    /// <exception cref="ViTokException">The file is missing or is not a supported .npy array.</exception>
    public static Tensor Read(string path)
    {
        if (!File.Exists(path)) throw new ViTokException($"{path}: file not found.");
        byte[] bytes = File.ReadAllBytes(path);
        return Parse(bytes, path);
    }

    /// <summary>Parses the bytes of an .npy file; <paramref name="source"/> names it in error messages.</summary>
    /// <exception cref="ViTokException">The bytes are not a supported .npy array.</exception>
    public static Tensor Parse(byte[] bytes, string source)
    {
        if (bytes.Length < 10 || !bytes.AsSpan(0, 6).SequenceEqual(Magic))
        {
            FileContent.RefuseText(source, bytes.AsSpan(0, Math.Min(bytes.Length, 512)), "a NumPy .npy file");
            throw new ViTokException($"{source}: not a NumPy .npy file (bad magic). Save the array with numpy.save.");
        }
        int major = bytes[6];
        int headerLen, headerStart;
        switch (major)
        {
            case 1:
                headerLen = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8, 2));
                headerStart = 10;
                break;
            case 2 or 3:
                if (bytes.Length < 12) throw Truncated(source);
                long len = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8, 4));
                if (len > int.MaxValue) throw Truncated(source);
                headerLen = (int)len;
                headerStart = 12;
                break;
            default:
                throw new ViTokException($"{source}: unsupported .npy format version {major}.{bytes[7]} (1.0, 2.0 and 3.0 are read).");
        }
        if (headerStart + headerLen > bytes.Length) throw Truncated(source);
        var enc = major == 3 ? Encoding.UTF8 : Encoding.Latin1;
        string header = enc.GetString(bytes, headerStart, headerLen);

        string descr = Field(DescrPattern(), header, source, "descr");
        bool fortran = Field(FortranPattern(), header, source, "fortran_order") == "True";
        string shapeText = Field(ShapePattern(), header, source, "shape");
        long[] shape = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();

        (ScalarType dtype, int itemSize, bool bigEndian) = descr switch
        {
            "<f4" or "=f4" => (ScalarType.Float32, 4, false),
            ">f4" => (ScalarType.Float32, 4, true),
            "<f8" or "=f8" => (ScalarType.Float64, 8, false),
            ">f8" => (ScalarType.Float64, 8, true),
            _ => throw new ViTokException(
                $"{source}: unsupported dtype '{descr}'; expected float32 or float64. Convert with array.astype('float32')."),
        };
        long count = shape.Aggregate(1L, (a, b) => a * b);
        int dataStart = headerStart + headerLen;
        if (bytes.Length - dataStart < count * itemSize) throw Truncated(source);
        var data = bytes.AsSpan(dataStart, checked((int)(count * itemSize))).ToArray();
        if (bigEndian != !BitConverter.IsLittleEndian)
            for (int i = 0; i < data.Length; i += itemSize) Array.Reverse(data, i, itemSize);

        // Fortran order stores the transpose in C order: read with the reversed shape, then reverse the axes back.
        long[] storedShape = fortran ? shape.Reverse().ToArray() : shape;
        Tensor t;
        if (dtype == ScalarType.Float32)
        {
            var f = new float[count];
            Buffer.BlockCopy(data, 0, f, 0, data.Length);
            t = torch.tensor(f, storedShape);
        }
        else
        {
            var d = new double[count];
            Buffer.BlockCopy(data, 0, d, 0, data.Length);
            t = torch.tensor(d, storedShape);
        }
        if (fortran && shape.Length > 1)
        {
            using var stored = t;
            t = stored.permute(Enumerable.Range(0, shape.Length).Reverse().Select(i => (long)i).ToArray()).contiguous();
        }
        return t;
    }

    /// <summary>Writes a tensor as an .npy v1.0 file (atomically): float64 stays float64, anything else is stored as
    /// float32.</summary>
    public static void Write(string path, Tensor tensor)
    {
        using var scope = torch.NewDisposeScope();
        bool f64 = tensor.dtype == ScalarType.Float64;
        var t = tensor.detach().cpu().to(f64 ? ScalarType.Float64 : ScalarType.Float32).contiguous();
        string shape = t.dim() switch
        {
            0 => "()",
            1 => $"({t.shape[0]},)",
            _ => "(" + string.Join(", ", t.shape) + ")",
        };
        string dict = $"{{'descr': '{(f64 ? "<f8" : "<f4")}', 'fortran_order': False, 'shape': {shape}, }}";
        // Pad with spaces so that magic + version + length + header + '\n' is a multiple of 64 bytes.
        int total = 10 + dict.Length + 1;
        int padded = (total + 63) / 64 * 64;
        string header = dict + new string(' ', padded - total) + "\n";
        byte[] payload = t.bytes.ToArray();
        if (!BitConverter.IsLittleEndian)
        {
            int size = f64 ? 8 : 4;
            for (int i = 0; i < payload.Length; i += size) Array.Reverse(payload, i, size);
        }
        AtomicFile.Write(path, s =>
        {
            s.Write(Magic);
            s.WriteByte(1);
            s.WriteByte(0);
            Span<byte> len = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)header.Length);
            s.Write(len);
            s.Write(Encoding.Latin1.GetBytes(header));
            s.Write(payload);
        });
    }

    private static string Field(Regex pattern, string header, string source, string name)
    {
        var m = pattern.Match(header);
        if (!m.Success) throw new ViTokException($"{source}: the .npy header has no readable '{name}' entry: {header.Trim()}");
        return m.Groups[1].Value;
    }

    private static ViTokException Truncated(string source) =>
        new($"{source}: the .npy file is truncated (shorter than its header says). Copy or save it again.");

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
