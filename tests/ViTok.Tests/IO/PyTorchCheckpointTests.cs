using System.Text.Json;
using ViTok.IO;

namespace ViTok.Tests.IO;

/// <summary>Fixtures/pytorch: one small state dict (a Conv2d + BatchNorm2d state_dict with _metadata, plus a
/// transposed view, a view at a storage offset sharing that storage, float64 and bfloat16 tensors) saved by
/// PyTorch 1.13 with torch.save in both containers.</summary>
[Collection(Support.TorchCollection.Name)]
public class PyTorchCheckpointTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch", name);

    [Theory]
    [InlineData("tiny_legacy.pth")]
    [InlineData("tiny_zip.pth")]
    public void ReadsBothTorchSaveFormats(string file)
    {
        // Arrange
        var expected = JsonDocument.Parse(File.ReadAllText(Fixture("tiny_expected.json"))).RootElement;

        // Act
        var tensors = PyTorchCheckpoint.Read(Fixture(file));

        // Assert
        Assert.Equal(expected.EnumerateObject().Select(p => p.Name).Order(), tensors.Keys.Order());
        foreach (var p in expected.EnumerateObject())
        {
            var t = tensors[p.Name];
            Assert.Equal(p.Value.GetProperty("dtype").GetString(), t.dtype.ToString().ToLowerInvariant());
            Assert.Equal(p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()), t.shape);
            var values = p.Value.GetProperty("values").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            using var f = t.to(ScalarType.Float64).flatten();
            Assert.Equal(values, f.data<double>().ToArray());
            t.Dispose();
        }
    }

    [Fact]
    public void NonCheckpointsAreRejectedWithTheFileName()
    {
        string npy = Path.Combine(AppContext.BaseDirectory, "Fixtures", "metrics", "fd_0_a.npy");
        var e = Assert.Throws<ViTokException>(() => PyTorchCheckpoint.Read(npy));
        Assert.Contains(npy, e.Message);
    }
}
