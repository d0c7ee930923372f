using ViTok.Models.V2;
using ViTok.Tests.Support;

namespace ViTok.Tests.Models.V2;

[Collection(TorchCollection.Name)]
public class V2DtypeTests
{
    [Fact]
    public void AModelMovedToBf16AfterConstructionCastsItsInputsToBf16()
    {
        // Arrange: built in f32 (as a training run or the bench does), then moved
        using var model = new V2Autoencoder(V2Config.FromName("w64_d2_h4-w96_d3_h4/1x8x16"));
        model.to(ScalarType.BFloat16);
        model.eval();
        using var scope = torch.NewDisposeScope();
        var x = torch.rand([1, 3, 32, 48]).Times(2.0).Minus(1.0);

        // Act
        var y = model.Reconstruct(x);

        // Assert
        Assert.Equal(ScalarType.BFloat16, model.DType);
        Assert.Equal(ScalarType.Float32, y.dtype);
        Assert.Equal(x.shape, y.shape);
        Assert.True(torch.isfinite(y).all().item<bool>());
    }
}
