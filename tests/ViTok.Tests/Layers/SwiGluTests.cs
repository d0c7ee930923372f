using ViTok.Layers;

namespace ViTok.Tests.Layers;

[Collection(Support.TorchCollection.Name)]
public sealed class SwiGluTests
{
    [Theory]
    [InlineData(768, 2048)]
    [InlineData(1024, 2736)]
    [InlineData(1728, 4608)]
    [InlineData(3072, 8208)]
    [InlineData(4096, 10944)]
    [InlineData(64, 176)]
    [InlineData(96, 256)]
    [InlineData(128, 336)]
    public void HiddenSize_RoundsToMultipleOf16LikeReference(long width, long hidden)
    {
        Assert.Equal(hidden, SwiGlu.HiddenSize(width, 2.67));
    }

    [Fact]
    public void Forward_FirstHalfIsValueSecondHalfIsGate()
    {
        // Arrange: dim 2, hidden 1; fc1 rows = [value row, gate row], fc2 = identity-like [1, 1]ᵀ.
        var mlp = new SwiGlu(2, 1);
        var p = mlp.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter);
        using (torch.no_grad())
        {
            p["fc1.weight"].copy_(torch.tensor(new float[] { 1, 0, 0, 1 }).reshape(2, 2)); // value = x0, gate = x1
            p["fc2.weight"].copy_(torch.ones(2, 1));
        }
        var x = torch.tensor(new float[] { 3f, -0.5f }).reshape(1, 2);

        // Act
        var y = mlp.call(x);

        // Assert: silu(gate) · value = silu(-0.5) · 3 (the swapped order would give silu(3) · -0.5).
        double silu = -0.5 / (1 + Math.Exp(0.5));
        Assert.Equal(3 * silu, y[0, 0].item<float>(), 5);
        Assert.Equal(3 * silu, y[0, 1].item<float>(), 5);
    }
}
