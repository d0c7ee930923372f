using ViTok.IO;
using ViTok.Tests.Support;

namespace ViTok.Tests.Distributed;

[Collection(TorchCollection.Name)]
public sealed class MpiTrainingTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string[] Train(params string[] more) =>
    [
        "train", "--config", Path.Combine(RepoPaths.Root, "configs", "tiny.json"), "--set", "variant=Sw32d1h2-Bw32d1h2/4",
        "--set", "steps=2", "--set", "batch_size=8", "--set", "checkpoint_every=1", "--set", "log_every=1", "--set", "sample_every=100",
        "--set", "loss.perceptual_weight=0", "--seed", "4", .. more,
    ];

    [RequiresMpiFact]
    public async Task TwoRanksTrainLikeOneProcessAtTheSameGlobalBatch()
    {
        // Arrange
        Requirements.FashionMnist();
        string one = _dir.File("one"), two = _dir.File("two");
        string vitok = Path.Combine(AppContext.BaseDirectory, "vitok");

        // Act: one process, then 2 ranks with the same global batch of 8.
        var (exit1, _, err1) = CliRunner.Run(Train("-o", one));
        var (exit2, out2, err2) = await MpiExec.Run(2, [vitok, .. Train("--distributed", "mpi", "-o", two)]);

        // Assert: both finish; the ranks agreed bit for bit at each checkpoint; the weights equal the single process's
        // up to float summation order (the first AdamW steps turn rounding in tiny gradients into ~1e-6).
        Assert.True(exit1 == 0, err1);
        Assert.True(exit2 == 0, $"exit {exit2}\n{out2}\n{err2}");
        Assert.Equal(2, out2.Split('\n').Count(l => l.Contains("bit-identical on all 2 ranks")));
        Assert.Contains("rank 1: pid", err2);
        var (a, _) = Safetensors.Read(Path.Combine(one, "model.safetensors"));
        var (b, _) = Safetensors.Read(Path.Combine(two, "model.safetensors"));
        try
        {
            Assert.Equal(a.Keys.Order(), b.Keys.Order());
            double max = a.Keys.Max(k => (a[k] - b[k]).abs().max().item<float>());
            Assert.True(max < 1e-5, $"max abs difference {max}");
        }
        finally
        {
            foreach (var t in a.Values.Concat(b.Values)) t.Dispose();
        }
    }

    [RequiresMpiFact]
    public async Task ABatchThatDoesNotSplitEvenlyIsRefusedOnOneLine()
    {
        // Act
        Requirements.FashionMnist();
        string vitok = Path.Combine(AppContext.BaseDirectory, "vitok");
        var (exit, stdout, stderr) = await MpiExec.Run(2, [vitok, .. Train("--set", "batch_size=7", "--distributed", "mpi", "-o", _dir.File("odd"))]);

        // Assert: exit 1 on both ranks, naming the fix.
        Assert.True(exit == 1, $"exit {exit}\n{stdout}\n{stderr}");
        Assert.Contains("batch_size 7 is not a multiple of the 2 ranks", stderr);
        Assert.Contains("--set batch_size=6", stderr);
    }
}
