using ViTok.Models;
using ViTok.Tests.Support;

namespace ViTok.Tests.Layers;

[Collection(TorchCollection.Name)]
public class ActivationCheckpointTests
{
    private static Dictionary<string, Tensor> Gradients(IAutoencoder model, Tensor x, bool checkpointing)
    {
        model.ActivationCheckpointing = checkpointing;
        foreach (var p in model.Module.parameters()) p.grad?.zero_();
        var (recon, kl) = model.TrainForward(x, new Generator(5));
        var loss = (recon - x).square().mean() + (kl ?? torch.zeros(1)).mean();
        loss.backward();
        return model.Module.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.clone());
    }

    [Theory]
    [InlineData("paper")]
    [InlineData("v2")]
    public void GradientsEqualThoseWithoutCheckpointing(string family)
    {
        torch.manual_seed(9);
        using var model = family == "paper"
            ? Autoencoders.Create("paper", "Sw32d2h2-Bw32d2h2/4", 4)
            : Autoencoders.Create("v2", "w32_d2_h2-w32_d2_h2/1x4x4", 0);
        model.Module.train();
        var x = torch.rand(2, 3, 8, 12) * 2 - 1;
        var plain = Gradients(model, x, false);
        var checkpointed = Gradients(model, x, true);
        foreach (var (name, g) in plain)
            TensorAssert.Close(g, checkpointed[name], 1e-6, name);
    }

    [Fact]
    public void ForwardAndRecomputationFreeTheirTemporaries()
    {
        // A block of several ops: without checkpointing its temporaries stay in the caller's scope for backward;
        // checkpointed, only the output does, and the recomputation in backward leaves only the input's gradient.
        torch.manual_seed(10);
        var w = torch.randn(16, 16).requires_grad_(true);
        Tensor Block(Tensor h) => torch.tanh(h.matmul(w)).matmul(w).relu().matmul(w).sigmoid().matmul(w).tanh() + h;   // 9 tensors
        var x = torch.randn(4, 16).requires_grad_(true);

        using var plainScope = torch.NewDisposeScope();
        Block(x);
        long plain = plainScope.DisposablesCount;

        using var ckptScope = torch.NewDisposeScope();
        var y = ViTok.Layers.ActivationCheckpoint.Run(Block, x);
        long afterForward = ckptScope.DisposablesCount;
        y.sum().backward();
        long afterBackward = ckptScope.DisposablesCount;

        Assert.True(afterForward < plain, $"checkpointed forward keeps {afterForward} tensors, the plain one {plain}");
        Assert.True(afterBackward - afterForward <= 4, $"{afterBackward - afterForward} tensors left by the recomputation and backward");
    }
}
