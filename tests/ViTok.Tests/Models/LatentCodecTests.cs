using ViTok.Models;
using ViTok.Tests.Support;
using ViTok.Models.Paper;
using ViTok.Models.V2;

namespace ViTok.Tests.Models;

/// <summary>The batch side of the one adapter (formerly Generation.LatentCodec): exact-grid latents for generation and
/// their decoding through <see cref="IAutoencoder.Decode"/>.</summary>
[Collection(TorchCollection.Name)]
public class LatentCodecTests
{
    [Fact]
    public void PaperFamilyDecodeOfTheMeanIsTheReconstruction()
    {
        // Arrange
        torch.manual_seed(31);
        using var model = new PaperAutoencoder(TinyConfigs.Video());
        IAutoencoder ae = model;
        var x = torch.rand([2, 3, 4, 8, 8]) * 2 - 1;

        // Act
        using var latents = LatentCodec.EncodeBatch(model, x);
        var pixels = ae.Decode(latents.Posterior.Mean, latents.Grid);

        // Assert
        Assert.Equal((2L, 2L, 2L), latents.Grid.Dims);
        Assert.False(latents.Grid.IsImage);
        Assert.NotNull(latents.Posterior.LogVar);
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
        using var latents = LatentCodec.EncodeBatch(model, x);
        var pixels = ae.Decode(latents.Z, latents.Grid);

        // Assert
        Assert.Null(latents.Posterior.LogVar);
        Assert.Equal((1L, 3L, 4L), latents.Grid.Dims);
        Assert.Equal(new long[] { 3, 12, 8 }, latents.Z.shape);
        TensorAssert.Close(ae.Reconstruct(x), pixels, 1e-4, "v2");
        Assert.Throws<ViTokException>(() => LatentCodec.EncodeBatch(model, torch.zeros(1, 3, 10, 16)));
    }
}
