using System.Runtime.CompilerServices;
using TorchSharp.PyBridge;
using ViTok.Losses;

namespace ViTok.Tests.Losses;

/// <summary>LPIPS (VGG16, lin v0.1) with random weights: the real weights are user-supplied.</summary>
[Collection(Support.TorchCollection.Name)]
public class LpipsVgg16Tests
{
    [Fact]
    public void StateDictMatchesTorchvisionVggAndLpipsLin()
    {
        // Arrange: the approved listing is torchvision 0.14's vgg16().features keys plus LPIPS's lin0..lin4.
        using var model = new LpipsVgg16();

        // Act
        var lines = model.state_dict().OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => $"{kv.Key} [{string.Join(", ", kv.Value.shape)}]").ToList();

        // Assert
        Support.Approvals.Verify($"{nameof(LpipsVgg16Tests)}.{nameof(StateDictMatchesTorchvisionVggAndLpipsLin)}", string.Join("\n", lines) + "\n");
    }

    [Fact]
    public void LoadedRandomWeightsGiveAZeroForIdenticalImagesAndGradients()
    {
        // Arrange: a random model saved by PyBridge; one file serves as both the VGG and the lin file.
        torch.manual_seed(51);
        string path = Path.Combine(Path.GetTempPath(), $"lpips-{Guid.NewGuid():N}.pth");
        using (var source = new LpipsVgg16())
        {
            using (torch.no_grad())
                foreach (var (name, p) in source.named_parameters())
                    if (name.StartsWith("lin", StringComparison.Ordinal)) p.uniform_(0, 0.1);
            source.save_py(path);
        }
        using var lpips = LpipsVgg16.Load(path, path);
        File.Delete(path);
        using var x = torch.rand(2, 3, 48, 48) * 2 - 1;
        using var noise = torch.randn_like(x);

        // Act
        double same, small, large;
        using (torch.no_grad())
        {
            same = lpips.call(x, x).max().item<float>();
            small = lpips.call(x, (x + 0.05 * noise).clamp(-1, 1)).mean().item<float>();
            large = lpips.call(x, (x + 0.5 * noise).clamp(-1, 1)).mean().item<float>();
        }
        using var y = (x + 0.1 * noise).detach().requires_grad_(true);
        using var d = lpips.call(x, y);
        d.sum().backward();

        // Assert
        Assert.Equal(0.0, same);
        Assert.True(small > 0 && large > small, $"LPIPS {small} (small noise) vs {large} (large noise)");
        Assert.Equal(new long[] { 2 }, d.shape);
        Assert.True(y.grad!.abs().sum().item<float>() > 0);
        Assert.All(lpips.parameters(), p => Assert.False(p.requires_grad));
    }

    [Fact]
    public void MissingLinWeightsAreReportedWithTheFileName()
    {
        string tiny = Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch", "tiny_zip.pth");
        var e = Assert.Throws<ViTokException>(() => LpipsVgg16.Load(tiny, tiny).Dispose());
        Assert.Contains(tiny, e.Message);
    }
}
