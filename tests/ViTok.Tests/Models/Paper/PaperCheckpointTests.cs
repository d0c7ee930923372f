using ViTok.IO;
using ViTok.Models;
using ViTok.Tests.Support;
using ViTok.Models.Paper;

namespace ViTok.Tests.IO;

[Collection(TorchCollection.Name)]
public class PaperCheckpointTests
{
    [Fact]
    public void RoundTripIsBitExactAndRebuildsTheConfig()
    {
        // Arrange
        torch.manual_seed(11);
        string path = Path.Combine(Path.GetTempPath(), $"ck-{Guid.NewGuid():N}.safetensors");
        using var model = new PaperAutoencoder(TinyConfigs.Video(channels: 6));

        // Act
        PaperCheckpoint.Save(model, path);
        using var loaded = PaperCheckpoint.Load(path);

        // Assert
        Assert.Equal(model.Config, loaded.Config);
        var a = model.state_dict();
        var b = loaded.state_dict();
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var k in a.Keys) Assert.True(a[k].equal(b[k]).all().item<bool>(), k);
        var x = torch.rand([1, 3, 2, 8, 8]);
        TensorAssert.Close(model.Reconstruct(x), loaded.Reconstruct(x), 0.0);
        File.Delete(path);
    }

    [Fact]
    public void WrongConfigNamesTheFirstMismatchedKeyAndBothShapes()
    {
        // Arrange: weights of c = 4 with a config claiming c = 8.
        torch.manual_seed(12);
        string path = Path.Combine(Path.GetTempPath(), $"ck-{Guid.NewGuid():N}.safetensors");
        using var model = new PaperAutoencoder(TinyConfigs.Image(channels: 4));
        var lie = System.Text.Json.JsonSerializer.Serialize(TinyConfigs.Image(channels: 8), Json.Compact);
        Safetensors.Write(path, model.state_dict(), new Dictionary<string, string> { ["config"] = lie, ["family"] = "paper" });

        // Act
        var e = Assert.Throws<ViTokException>(() => PaperCheckpoint.Load(path));

        // Assert
        Assert.Contains("first mismatched key: encoder_to_code.weight", e.Message);
        Assert.Contains("file has [8, 32]", e.Message);
        Assert.Contains("model expects [16, 32]", e.Message);
        File.Delete(path);
    }

    [Fact]
    public void MissingAndUnexpectedKeysAreListed()
    {
        string path = Path.Combine(Path.GetTempPath(), $"ck-{Guid.NewGuid():N}.safetensors");
        using var model = new PaperAutoencoder(TinyConfigs.Image());
        var sd = model.state_dict().Where(kv => kv.Key != "decoder.norm.bias").ToDictionary();
        sd["extra.weight"] = torch.zeros(2);
        var cfg = System.Text.Json.JsonSerializer.Serialize(model.Config, Json.Compact);
        Safetensors.Write(path, sd, new Dictionary<string, string> { ["config"] = cfg });
        var e = Assert.Throws<ViTokException>(() => PaperCheckpoint.Load(path));
        Assert.Contains("missing from the file (1): decoder.norm.bias", e.Message);
        Assert.Contains("unexpected in the file (1): extra.weight", e.Message);
        File.Delete(path);
    }

    [Fact]
    public void TruncatedCheckpointIsReportedAsTruncated()
    {
        string path = Path.Combine(Path.GetTempPath(), $"ck-{Guid.NewGuid():N}.safetensors");
        using var model = new PaperAutoencoder(TinyConfigs.Image());
        PaperCheckpoint.Save(model, path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);
        var e = Assert.Throws<ViTokException>(() => PaperCheckpoint.Load(path));
        Assert.Contains("truncated", e.Message);
        File.Delete(path);
    }

    [Fact]
    public void AFileWithoutConfigIsRejectedWithAHint()
    {
        string path = Path.Combine(Path.GetTempPath(), $"ck-{Guid.NewGuid():N}.safetensors");
        Safetensors.Write(path, new Dictionary<string, Tensor> { ["w"] = torch.ones(2) });
        var e = Assert.Throws<ViTokException>(() => PaperCheckpoint.Load(path));
        Assert.Contains("no model config", e.Message);
        File.Delete(path);
    }
}
