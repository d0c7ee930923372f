using ViTok.Models;
using ViTok.Models.Paper;
using ViTok.Tests.Support;

namespace ViTok.Tests.Models;

[Collection(TorchCollection.Name)]
public sealed class TilingTests
{
    [Fact]
    public void Origins_CoverTheAxisWithTheOverlap_LastTileFlush()
    {
        Assert.Equal([0L], Tiling.Origins(10, 16, 4));
        Assert.Equal([0L, 12, 24, 34], Tiling.Origins(50, 16, 4));
        Assert.Equal(12, Tiling.TileCount(50, 40, 16, 4));   // 4 × 3
    }

    [Fact]
    public void OneTile_EqualsTheUntiledPass()
    {
        torch.manual_seed(31);
        using var model = new PaperAutoencoder(TinyConfigs.Image());
        model.eval();
        var image = torch.rand(3, 16, 12) * 2 - 1;
        var z = Tiling.Encode(model, image, tile: 16, overlap: 4);
        using var latents = model.Encode(image.unsqueeze(0));
        TensorAssert.Close(latents.Z, z, 1e-6, "latents");
        var px = Tiling.Decode(model, z, 16, 12, tile: 16, overlap: 4);
        TensorAssert.Close(model.Decode(latents.Z, latents.Grid.Dims, asImage: true)[0], px, 1e-6, "pixels");
    }

    [Fact]
    public void ManyTiles_GiveTheUntiledShapes_AndReportProgress()
    {
        torch.manual_seed(32);
        using var model = new PaperAutoencoder(TinyConfigs.Image());
        model.eval();
        var ramp = torch.linspace(-0.8, 0.8, 40);
        var image = torch.stack([ramp.unsqueeze(1).expand(40, 40), ramp.unsqueeze(0).expand(40, 40), torch.zeros(40, 40)]);
        var progress = new List<(int, int)>();
        var z = Tiling.Encode(model, image, tile: 16, overlap: 8, progress: (d, n) => progress.Add((d, n)));
        Assert.Equal(new long[] { 1, 100, model.Config.Channels }, z.shape);
        Assert.Equal(Enumerable.Range(1, 16).Select(i => (i, 16)), progress);
        var recon = Tiling.Reconstruct(model, image, tile: 16, overlap: 8);
        Assert.Equal(image.shape, recon.shape);
        Assert.True(recon.isfinite().all().item<bool>());
    }

    [Fact]
    public void ATokenBudgetFamily_IsRefused()
    {
        using var model = new ViTok.Tests.Evaluation.IdentityAutoencoder();          // fits any size itself
        var e = Assert.Throws<ViTokException>(() => Tiling.Encode(model, torch.zeros(3, 16, 16), tile: 16, overlap: 4));
        Assert.Contains("fixed patch grid", e.Message);
    }
}
