using ViTok.Generation;
using ViTok.Models;
using ViTok.Tests.Support;
using ViTok.Models.Paper;
using ViTok.Models.V2;

namespace ViTok.Tests.Generation;

[Collection(TorchCollection.Name)]
public class LatentCodecTests
{
    private static LatentSpace SpaceOf(IAutoencoder model, (long T, long H, long W) grid, bool isImage) => new()
    {
        Contract = ViTok.Models.LatentFile.ContractOf(model),
        Grid = [(int)grid.T, (int)grid.H, (int)grid.W],
        IsImage = isImage,
    };

    [Fact]
    public void PaperFamilyDecodeOfTheMeanIsTheReconstruction()
    {
        // Arrange
        torch.manual_seed(31);
        using var model = new PaperAutoencoder(TinyConfigs.Video());
        var x = torch.rand([2, 3, 4, 8, 8]) * 2 - 1;

        // Act
        var (mean, logVar, grid, isImage) = LatentCodec.Encode(model, x);
        var pixels = LatentCodec.Decode(model, mean, SpaceOf(model, grid, isImage));

        // Assert
        Assert.Equal((2L, 2L, 2L), grid);
        Assert.False(isImage);
        Assert.NotNull(logVar);
        TensorAssert.Close(model.Reconstruct(x), pixels, 1e-5, "paper");
    }

    [Fact]
    public void V2FamilyLatentsRoundTripLikeItsDenseReconstruction()
    {
        // Arrange
        torch.manual_seed(32);
        using var model = new V2Autoencoder(V2Config.FromVariant("Bw32d1h2-Bw32d2h2/1x4x8"));
        IAutoencoder ae = model;
        var x = torch.rand(3, 3, 12, 16) * 2 - 1;

        // Act
        var (z, logVar, grid, isImage) = LatentCodec.Encode(model, x);
        var pixels = LatentCodec.Decode(model, z, SpaceOf(model, grid, isImage));

        // Assert
        Assert.Null(logVar);
        Assert.Equal((1L, 3L, 4L), grid);
        Assert.Equal(new long[] { 3, 12, 8 }, z.shape);
        TensorAssert.Close(ae.Reconstruct(x), pixels, 1e-4, "v2");
        Assert.Throws<ViTokException>(() => LatentCodec.Encode(model, torch.zeros(1, 3, 10, 16)));
    }
}
