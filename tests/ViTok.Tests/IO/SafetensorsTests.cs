using ViTok.IO;

namespace ViTok.Tests.IO;

[Collection(Support.TorchCollection.Name)]
public class SafetensorsTests
{
    [Fact]
    public void RoundTripIsBitExactAndKeepsMetadata()
    {
        // Arrange
        torch.manual_seed(1);
        string path = Path.Combine(Path.GetTempPath(), $"st-{Guid.NewGuid():N}.safetensors");
        var tensors = new Dictionary<string, Tensor>
        {
            ["a.weight"] = torch.randn(3, 5),
            ["b"] = torch.randn(4).to(ScalarType.BFloat16),
            ["c"] = torch.arange(6, dtype: ScalarType.Int64).reshape(2, 3),
        };
        var meta = new Dictionary<string, string> { ["config"] = "{\"x\":1}" };

        // Act
        Safetensors.Write(path, tensors, meta);
        var (read, readMeta) = Safetensors.Read(path);

        // Assert
        Assert.Equal("{\"x\":1}", readMeta["config"]);
        foreach (var (k, t) in tensors)
        {
            Assert.Equal(t.dtype, read[k].dtype);
            Assert.True(t.equal(read[k]).all().item<bool>(), k);
        }
        File.Delete(path);
    }

    [Fact]
    public void TruncatedFileIsReportedAsTruncated()
    {
        // Arrange
        string path = Path.Combine(Path.GetTempPath(), $"st-{Guid.NewGuid():N}.safetensors");
        Safetensors.Write(path, new Dictionary<string, Tensor> { ["w"] = torch.ones(100, 100) });
        byte[] all = File.ReadAllBytes(path);
        File.WriteAllBytes(path, all[..(all.Length / 2)]);

        // Act
        var e = Assert.Throws<ViTokException>(() => Safetensors.Read(path));

        // Assert
        Assert.Contains("truncated", e.Message);
        Assert.Contains(path, e.Message);
        File.Delete(path);
    }

    [Fact]
    public void ForeignFileIsReportedClearly()
    {
        string path = Path.Combine(Path.GetTempPath(), $"st-{Guid.NewGuid():N}.safetensors");
        File.WriteAllText(path, "this is not a safetensors file at all");
        var e = Assert.Throws<ViTokException>(() => Safetensors.Read(path));
        Assert.Contains("not a safetensors file", e.Message);
        File.Delete(path);
    }
}
