using ViTok.Data;
using ViTok.Models;
using ViTok.Tests.Support;
using ViTok.Models.V2;

namespace ViTok.Tests.Models;

[Collection(TorchCollection.Name)]
public sealed class V2AutoencoderTests
{
    private static readonly V2Config Tiny = V2Config.FromVariant("Bw32d1h2-Bw32d2h2/1x4x8");

    [Fact]
    public void Reconstruct_ShapesAndFiniteValues()
    {
        // Arrange
        torch.manual_seed(71);
        var model = new V2Autoencoder(Tiny);

        // Act
        var recon = model.Reconstruct([torch.rand(3, 10, 14) * 2 - 1, torch.rand(3, 40, 40) * 2 - 1], maxTokens: 16);

        // Assert: the second image is over budget (100 tokens) and comes back shrunk to 16×16.
        Assert.Equal(new long[] { 3, 10, 14 }, recon[0].shape);
        Assert.Equal(new long[] { 3, 16, 16 }, recon[1].shape);
        Assert.All(recon, r => Assert.False(r.isnan().any().item<bool>() || r.isinf().any().item<bool>()));
    }

    [Fact]
    public void Encode_LatentIsPerTokenStandardised()
    {
        torch.manual_seed(72);
        var model = new V2Autoencoder(Tiny, V2Parts.Encoder);
        using var batch = NaFlex.Patchify([torch.rand(3, 12, 12) * 2 - 1], 4, 9);
        var z = model.Encode(batch); // [1, 9, 8], no padding
        Assert.True(z.mean([-1]).abs().max().item<float>() < 1e-5);
        Assert.True((z.var([-1], unbiased: false) - 1).abs().max().item<float>() < 1e-3);
    }

    [Fact]
    public void Model_BuiltInsideDisposeScope_WorksAfterTheScope()
    {
        // Arrange
        V2Autoencoder model;
        using (torch.NewDisposeScope())
            model = new V2Autoencoder(Tiny);
        using var batch = NaFlex.Patchify([torch.rand(3, 8, 8)], 4, 4);

        // Act + Assert: every parameter (including RMSNorm weights and LayerScale gammas) is still alive.
        var patches = model.Decode(model.Encode(batch), batch);
        Assert.Equal(new long[] { 1, 4, 48 }, patches.shape);
    }

    [Fact]
    public void Forward_IsDifferentiable()
    {
        torch.manual_seed(73);
        var model = new V2Autoencoder(Tiny);
        using var batch = NaFlex.Patchify([torch.rand(3, 8, 12) * 2 - 1, torch.rand(3, 4, 4)], 4, 6);
        var loss = (model.call(batch) - batch.Patches).square().mean();
        loss.backward();
        var grads = model.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter.grad);
        Assert.True(grads["patch_embed.weight"]!.abs().sum().item<float>() > 0);
        Assert.True(grads["encoder_blocks.0.layer_scale.gamma"]!.abs().sum().item<float>() > 0);
        Assert.True(grads["decoder_blocks.1.attn.norm_q.weight"]!.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void Reconstruct_DoesNotLeakTensors()
    {
        // Arrange
        torch.manual_seed(74);
        var model = new V2Autoencoder(Tiny);
        var images = new[] { torch.rand(3, 10, 14), torch.rand(3, 20, 9) };
        long Iteration()
        {
            foreach (var r in model.Reconstruct(images, 16)) r.Dispose();
            return DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        }

        // Act
        DisposeScopeManager.Statistics.Reset();
        Iteration();
        long second = Iteration();
        long third = Iteration();

        // Assert
        Assert.Equal(second, third);
    }

    [Fact]
    public void InferencePath_EqualsTheDifferentiablePath()
    {
        // Arrange: LayerScale 0.5 and random norm scales, so every block changes the output
        torch.manual_seed(77);
        var model = new V2Autoencoder(Tiny);
        using (torch.no_grad())
            foreach (var (name, p) in model.named_parameters())
            {
                if (name.EndsWith("gamma", StringComparison.Ordinal)) p.fill_(Scalars.Of(0.5));
                else if (name.Contains("norm", StringComparison.Ordinal)) p.copy_(torch.rand(p.shape) + 0.5);
            }
        var x = torch.rand(2, 3, 12, 16) * 2 - 1;

        // Act: no_grad (in-place gate and residual) against grad mode (out of place)
        var inference = model.Reconstruct(x);
        var (train, _) = model.TrainForward(x, null);

        // Assert
        Assert.True(train.requires_grad);
        Assert.True((inference - train.detach()).abs().max().item<float>() < 1e-5);
    }
}
