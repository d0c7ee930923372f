using ViTok.Generation;
using ViTok.Losses;
using ViTok.Tests.Support;
using ViTok.Tests.Training;
using ViTok.Training;

namespace ViTok.Tests.NativeSafety;

/// <summary>A temporary tensor is safe from the finalizer while native code uses it only when an active dispose scope
/// references it. TorchSharp counts, per thread, the tensors created outside any scope: in a steady-state training
/// step the only such tensors must be the ones the data source hands out, each held by a local until disposed:
/// TensorTrainingData.Next() makes its index tensor (a using local) and the batch (and the labels for the DiT).</summary>
[Collection(TorchCollection.Name)]
public class DisposeScopeCoverageTests
{
    private static long OutsideScope() => DisposeScopeManager.Statistics.TensorStatistics.CreatedOutsideScopeCount;

    private static long[] CountPerStep(Action<Action<int>> run, int from, int to)
    {
        long start = 0, end = 0;
        run(step =>
        {
            if (step == from) start = OutsideScope();
            if (step == to) end = OutsideScope();
        });
        return [end - start, to - from];
    }

    [Theory]
    [InlineData("paper", "Sw32d1h2-Bw32d1h2/4")]
    [InlineData("v2", "w32_d1_h2/1x4x4")]
    public void AutoencoderStepsCreateNoTensorOutsideAScopeButTheBatch(string family, string variant)
    {
        // Arrange
        torch.manual_seed(1);
        using var images = torch.rand(16, 3, 16, 16);
        var cfg = new TrainConfig
        {
            Family = family, Variant = variant, Channels = 4, ImageSize = 16, BatchSize = 4, Steps = 16, Lr = 1e-3,
            CheckpointEvery = 1000, SampleEvery = 1000, LogEvery = 1000, Loss = new LossConfig { PerceptualWeight = 0 },
        };
        string dir = Path.Combine(Path.GetTempPath(), $"scope-{Guid.NewGuid():N}");

        // Act: steps 5..15 (after the first step's lazy optimiser state and sample batch).
        var r = CountPerStep(hook =>
        {
            using var t = AutoencoderTrainer.Create(cfg, dir, c => new TensorTrainingData(images, null, c.BatchSize, c.Seed), _ => null);
            t.OnStep = s => hook((int)t.Step);
            t.RunLoop(CancellationToken.None);
        }, 5, 15);

        // Assert: two tensors per step, the index and the input batch of TensorTrainingData.Next().
        Assert.Equal(2 * r[1], r[0]);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void DitStepsCreateNoTensorOutsideAScopeButTheBatch()
    {
        // Arrange
        using var latents = DitTrainerTests.Latents();
        var cfg = DitTrainerTests.Tiny(16) with { CheckpointEvery = 1000, SampleEvery = 1000, LogEvery = 1000 };
        string dir = Path.Combine(Path.GetTempPath(), $"scope-dit-{Guid.NewGuid():N}");

        // Act
        var r = CountPerStep(hook =>
        {
            using var t = DitTrainer.Create(cfg, dir, latents);
            t.OnStep = s => hook((int)t.Step);
            t.RunLoop(CancellationToken.None);
        }, 5, 15);

        // Assert: three tensors per step, the index, the items and the labels of TensorTrainingData.Next().
        Assert.Equal(3 * r[1], r[0]);
        Directory.Delete(dir, true);
    }
}
