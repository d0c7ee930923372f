using ViTok.Models;
using ViTok.Tests.Support;
using ViTok.Models.Paper;

namespace ViTok.Tests.Models;

[Collection(TorchCollection.Name)]
public class PaperTrainingTests
{
    private static float TrainStep(PaperAutoencoder model, optim.Optimizer opt, Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        opt.zero_grad();
        var (recon, _, mean, logVar) = model.Forward(x, samplePosterior: true);
        var l2 = (recon - x).square().mean();
        var loss = l2 + 1e-3 * PaperAutoencoder.KlDivergence(mean, logVar);
        loss.backward();
        opt.step();
        return l2.item<float>();
    }

    [Fact]
    public void TinyModelOverfitsOneBatch()
    {
        // Arrange
        torch.manual_seed(0);
        using var model = new PaperAutoencoder(TinyConfigs.Image(channels: 8));
        var x = torch.rand(4, 3, 16, 16) * 2 - 1;
        using var opt = optim.AdamW(model.parameters(), lr: 2e-3, beta1: 0.9, beta2: 0.95, weight_decay: 1e-4);

        // Act
        float first = TrainStep(model, opt, x);
        float last = first;
        for (int step = 1; step < 300; step++) last = TrainStep(model, opt, x);

        // Assert: L2 falls at least 10×.
        Assert.True(last * 10 <= first, $"L2 {first:F4} -> {last:F4}");
    }

    [Fact]
    public void NoTensorsLeakFromTrainStepsOrInference()
    {
        // Arrange
        torch.manual_seed(1);
        using var model = new PaperAutoencoder(TinyConfigs.Video());
        using var opt = optim.AdamW(model.parameters(), lr: 1e-3);
        var x = torch.rand([2, 3, 2, 8, 8]) * 2 - 1;
        var stats = DisposeScopeManager.Statistics;
        void Iteration()
        {
            TrainStep(model, opt, x);
            using var latents = model.Encode(x, sample: true, seed: 3);
            using var recon = model.Decode(latents.Z, latents.Grid.Dims, latents.Grid.IsImage);
            using var again = model.Reconstruct(x);
        }

        // Act: two warm-up iterations (optimizer state is allocated lazily), then measure.
        Iteration();
        Iteration();
        stats.Reset();
        long before = stats.ThreadTotalLiveCount;
        Iteration();
        long afterOne = stats.ThreadTotalLiveCount;
        Iteration();
        Iteration();
        long afterThree = stats.ThreadTotalLiveCount;

        // Assert
        Assert.Equal(before, afterOne);
        Assert.Equal(afterOne, afterThree);
    }
}
