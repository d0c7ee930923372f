namespace ViTok.Tests.Distributed;

[Collection(Support.TorchCollection.Name)]
public class BatchDrawsTests
{
    [Fact]
    public void ASliceDrawsTheGlobalBatchAndKeepsItsRows()
    {
        // Arrange: what one process draws for a global batch of 8, twice in a row from one generator.
        using var single = new Generator(42);
        using var fullNormal = torch.randn([8, 3, 2], ScalarType.Float32, generator: single);
        using var fullUniform = torch.rand([8], ScalarType.Float32, generator: single);
        using var fullInts = torch.randint(0, 1000, [8], ScalarType.Int64, generator: single);

        // Act: rank 1 of 2 (rows 4..7) draws for its 4 rows inside a slice.
        using var rank1 = new Generator(42);
        Tensor normal, uniform, ints;
        using (BatchDraws.Slice(4, 4, 8))
        {
            normal = BatchDraws.Randn([4, 3, 2], ScalarType.Float32, CPU, rank1);
            uniform = BatchDraws.Rand([4], ScalarType.Float32, CPU, rank1);
            ints = BatchDraws.Randint(0, 1000, [4], CPU, rank1);
        }
        using var outside = BatchDraws.Randn([4], ScalarType.Float32, CPU, new Generator(1));

        // Assert: exactly the single process's rows 4..7; outside a slice the plain shape.
        Assert.True(normal.equal(fullNormal.narrow(0, 4, 4)).all().item<bool>());
        Assert.True(uniform.equal(fullUniform.narrow(0, 4, 4)).all().item<bool>());
        Assert.True(ints.equal(fullInts.narrow(0, 4, 4)).all().item<bool>());
        Assert.Equal([4L], outside.shape);
        normal.Dispose();
        uniform.Dispose();
        ints.Dispose();
    }
}
