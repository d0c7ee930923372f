using System.Runtime.CompilerServices;
using TorchSharp.PyBridge;
using ViTok.Metrics;

namespace ViTok.Tests.Metrics;

/// <summary>The FID InceptionV3 architecture, with random weights (the real file is user-supplied).</summary>
[Collection(Support.TorchCollection.Name)]
public class FidInceptionV3Tests
{
    [Fact]
    public void StateDictMatchesTorchvisionInception()
    {
        // Arrange: the approved listing is torchvision 0.14's inception_v3(num_classes=1008, aux_logits=False) state
        // dict, the model pytorch-fid loads the FID weights into (FID blocks change no parameter).
        using var model = new FidInceptionV3();

        // Act
        var lines = model.state_dict().OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => $"{kv.Key} [{string.Join(", ", kv.Value.shape)}]").ToList();

        // Assert
        Support.Approvals.Verify($"{nameof(FidInceptionV3Tests)}.{nameof(StateDictMatchesTorchvisionInception)}", string.Join("\n", lines) + "\n");
    }

    [Fact]
    public void LoadsACheckpointSavedByPyBridgeAndGivesPool3Features()
    {
        // Arrange: random weights (and non-trivial BN statistics) saved in PyTorch's zip format.
        torch.manual_seed(41);
        string path = Path.Combine(Path.GetTempPath(), $"fid-{Guid.NewGuid():N}.pth");
        using var source = new FidInceptionV3();
        using (torch.no_grad())
            foreach (var (name, t) in source.state_dict())
                if (name.EndsWith("running_var", StringComparison.Ordinal)) t.uniform_(0.5, 1.5);
                else if (name.EndsWith("running_mean", StringComparison.Ordinal)) t.normal_(0, 0.1);
        source.save_py(path);
        using var images = torch.rand(1, 3, 64, 80) * 2 - 1;

        // Act
        using var loaded = FidInceptionV3.Load(path);
        File.Delete(path);
        using var _ = torch.no_grad();
        using var features = loaded.Features(images);

        // Assert
        var saved = source.state_dict();
        foreach (var (name, t) in loaded.state_dict())
            Assert.True(t.equal(saved[name]).all().item<bool>(), $"{name} differs from the saved weights");
        Assert.Equal(new long[] { 1, 2048 }, features.shape);
        Assert.True(torch.isfinite(features).all().item<bool>());
        Assert.All(loaded.parameters(), p => Assert.False(p.requires_grad));
    }

    [Fact]
    public void AFileWithTheWrongKeysIsReportedWithItsName()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch", "tiny_zip.pth");
        var e = Assert.Throws<ViTokException>(() => FidInceptionV3.Load(path).Dispose());
        Assert.Contains(path, e.Message);
        Assert.Contains(FidInceptionV3.WeightsFileName, e.Message);
    }
}
