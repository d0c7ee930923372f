using ViTok.Benchmarks;
using ViTok.Models.V2;
using ViTok.Tests.Support;

namespace ViTok.Tests.Benchmarks;

/// <summary>The roof of a model's own GEMM shapes: every linear call of a forward pass is recorded with its shape.</summary>
[Collection(TorchCollection.Name)]
public class GemmShapeRoofTests
{
    [Fact]
    public void RecordsEveryLinearCallOfAForwardPassWithItsShape()
    {
        // Arrange: encoder 1 block of width 32, decoder 2 blocks; 12×16 pixels at patch 4 = 12 tokens, batch 2
        torch.manual_seed(5);
        var model = new V2Autoencoder(V2Config.FromVariant("Bw32d1h2-Bw32d2h2/1x4x8"));
        var x = torch.rand(2, 3, 12, 16) * 2 - 1;

        // Act
        var calls = GemmShapeRoof.Record(model, () => model.Reconstruct(x).Dispose());
        var again = GemmShapeRoof.Record(model, () => { });
        var roof = GemmShapeRoof.Measure(calls, ScalarType.Float32, torch.CPU, repeats: 1);

        // Assert: 4 linear calls per block (qkv, out, fc1, fc2) + patch_embed, to_code, decoder_embed, to_pixels;
        // every call has M = B·N = 24 rows; the hooks are gone afterwards
        Assert.Equal(3 * 4 + 4, calls.Count);
        Assert.All(calls, c => Assert.Equal(24, c.M));
        Assert.Contains((24L, 32L, 96L, false), calls);                  // qkv_proj
        Assert.Contains((24L, 48L, 32L, true), calls);                   // patch_embed: 3·4² → 32, with bias
        Assert.Empty(again);
        Assert.NotNull(roof);
        Assert.Equal(calls.Count, roof.Calls);
        Assert.Equal(calls.Sum(c => 2.0 * c.M * c.K * c.N) / 1e9, roof.GflopPerForward, 12);
        Assert.True(roof.Gflops > 0 && roof.SecondsPerForward > 0);
        Assert.Null(GemmShapeRoof.Measure([], ScalarType.Float32, torch.CPU));
    }
}
