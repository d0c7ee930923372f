using System.Text;
using ViTok.IO;

namespace ViTok.Tests.IO;

[Collection(Support.TorchCollection.Name)]
public class NpyTests
{
    private static string TempPath() => Path.Combine(Path.GetTempPath(), $"npy-{Guid.NewGuid():N}.npy");

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    public void RoundTripKeepsDtypeShapeAndValues(ScalarType dtype)
    {
        // Arrange
        torch.manual_seed(5);
        using var x = torch.randn(7, 5).to(dtype);
        string path = TempPath();

        // Act
        Npy.Write(path, x);
        using var y = Npy.Read(path);
        byte[] bytes = File.ReadAllBytes(path);
        File.Delete(path);

        // Assert: bit-exact, and the header block is 64-byte aligned as NumPy writes it.
        Assert.Equal(dtype, y.dtype);
        Assert.Equal(x.shape, y.shape);
        Assert.True(x.equal(y).all().item<bool>());
        int headerLen = bytes[8] | bytes[9] << 8;
        Assert.Equal(0, (10 + headerLen) % 64);
    }

    [Fact]
    public void ReadsFortranOrderAndBigEndianAndVersion2()
    {
        // Arrange: [[1, 2, 3], [4, 5, 6]] stored column-major as big-endian float64 in a v2.0 file.
        double[] columnMajor = [1, 4, 2, 5, 3, 6];
        var payload = columnMajor.SelectMany(v => BitConverter.GetBytes(v).Reverse()).ToArray();
        string header = "{'descr': '>f8', 'fortran_order': True, 'shape': (2, 3), }\n";
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 2, 0 };
        bytes.AddRange(BitConverter.GetBytes((uint)header.Length));
        bytes.AddRange(Encoding.ASCII.GetBytes(header));
        bytes.AddRange(payload);

        // Act
        using var t = Npy.Parse(bytes.ToArray(), "test.npy");

        // Assert
        Assert.Equal(new long[] { 2, 3 }, t.shape);
        Assert.Equal(new double[] { 1, 2, 3, 4, 5, 6 }, t.data<double>().ToArray());
    }

    [Fact]
    public void BadFilesGiveMessagesNamingTheFile()
    {
        // Arrange
        string path = TempPath();
        using (var x = torch.ones(10, 4)) Npy.Write(path, x);
        byte[] full = File.ReadAllBytes(path);
        File.WriteAllBytes(path, full[..^8]);
        string header = "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }\n";
        var intFile = new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)header.Length, 0 }
            .Concat(Encoding.ASCII.GetBytes(header)).Concat(new byte[16]).ToArray();

        // Act
        var truncated = Assert.Throws<ViTokException>(() => Npy.Read(path));
        var ints = Assert.Throws<ViTokException>(() => Npy.Parse(intFile, "ints.npy"));
        var missing = Assert.Throws<ViTokException>(() => Npy.Read(path + ".missing"));
        File.Delete(path);

        // Assert
        Assert.Contains(path, truncated.Message);
        Assert.Contains("truncated", truncated.Message);
        Assert.Contains("ints.npy", ints.Message);
        Assert.Contains("float32", ints.Message);
        Assert.Contains("not found", missing.Message);
    }
}
