using TorchSharp.PyBridge;
using ViTok.Data;
using ViTok.Evaluation;
using ViTok.IO;
using ViTok.Metrics;
using ViTok.Models;
using ViTok.Tests.Support;
using ViTok.Models.Paper;

namespace ViTok.Tests.Evaluation;

[Collection(TorchCollection.Name)]
public sealed class ReconstructionEvaluatorTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    // The paper's quantisation written out independently of the library.
    private static Tensor Quantise(Tensor x) => ((x.clamp(-1, 1) + 1) / 2 * 255).round() / 255 * 2 - 1;

    private string ImageFolder(int count, int size)
    {
        torch.manual_seed(11);
        for (int i = 0; i < count; i++)
        {
            // Smooth random images: a coarse random field upsampled, so that every metric sees structure.
            using var coarse = torch.rand(1, 3, 4, 4) * 2 - 1;
            using var image = F.interpolate(coarse, [size, size], mode: InterpolationMode.Bilinear, align_corners: false)[0];
            ImageIO.SavePng(image, _dir.File($"images/img{i:00}.png"));
        }
        return Path.Combine(_dir.Path, "images");
    }

    [Fact]
    public void AnIdentityModelScoresPerfectly()
    {
        // Arrange
        Requirements.FashionMnist();
        var source = DataSources.Open("fashion-mnist", new DataSourceOptions { TestSplit = true, Transform = ImageTransform.ForEval(32) });
        using var model = new IdentityAutoencoder();
        using var evaluator = new ReconstructionEvaluator(new EvalOptions
        {
            Count = 12,
            BatchSize = 5,
            Metrics = [EvalMetrics.Psnr, EvalMetrics.Ssim, EvalMetrics.FdResNet18, EvalMetrics.PerceptualResNet18],
        });

        // Act
        var r = evaluator.Evaluate(model, source);

        // Assert
        Assert.Equal(12, r.Count);
        Assert.Equal((0, 32, 32), (r.Frames, r.Height, r.Width));
        Assert.Equal(double.PositiveInfinity, r.Metric(EvalMetrics.Psnr));
        Assert.Equal(1.0, r.Metric(EvalMetrics.Ssim)!.Value, 12);
        Assert.InRange(r.Metric(EvalMetrics.FdResNet18)!.Value, -1e-6, 1e-6);
        Assert.InRange(r.Metric(EvalMetrics.PerceptualResNet18)!.Value, 0, 1e-9);
        Assert.Null(r.Metric(EvalMetrics.Fid));
    }

    [Theory]
    [InlineData(false, false, false, false, "psnr ssim fd_resnet18 perceptual_resnet18")]
    [InlineData(false, true, true, true, "psnr ssim fid inception_score lpips perceptual_resnet18")]
    [InlineData(true, false, false, false, "psnr ssim fd_resnet18 perceptual_resnet18")]
    [InlineData(true, false, false, true, "psnr ssim fvd perceptual_resnet18")]
    [InlineData(true, true, false, true, "psnr ssim fid inception_score fvd perceptual_resnet18")]
    [InlineData(true, true, false, false, "psnr ssim fid inception_score fd_resnet18 perceptual_resnet18")]
    public void TheDefaultMetricsFollowTheSuppliedWeights(bool video, bool fid, bool lpips, bool i3d, string expected)
    {
        var o = new EvalOptions { FidWeights = fid ? "f" : null, LpipsWeights = lpips ? "l" : null, I3dWeights = i3d ? "i" : null };
        var notes = new List<string>();

        var metrics = EvalMetrics.Resolve(o, video, 32, 32, paired: true, notes);

        Assert.Equal(expected, string.Join(" ", metrics));
        Assert.Empty(notes);
    }

    [Fact]
    public void SuppliedInceptionWeightsGiveFidAndTheInceptionScore()
    {
        // Arrange: a random-weight FID Inception file (the real one is user-supplied) and an identity model.
        torch.manual_seed(13);
        string fidPath = _dir.File("weights/pt_inception.pth");
        using (var inception = new FidInceptionV3()) inception.save_py(fidPath);
        string folder = ImageFolder(2, 32);
        using var model = new IdentityAutoencoder();
        using var evaluator = new ReconstructionEvaluator(new EvalOptions
        {
            FidWeights = fidPath,
            InceptionScoreSplits = 2,
            Metrics = [EvalMetrics.Fid, EvalMetrics.InceptionScore],
        });

        // Act
        var r = evaluator.Evaluate(model, DataSources.Open(folder));

        // Assert: PSNR joins (it ranks the grid); FID of identical sets is 0; IS is finite and at least 1.
        Assert.Equal([EvalMetrics.Psnr, EvalMetrics.Fid, EvalMetrics.InceptionScore, EvalMetrics.InceptionScore + "_std"],
            r.Metrics.Select(m => m.Key));
        Assert.InRange(r.Metric(EvalMetrics.Fid)!.Value, -1e-6, 1e-6);
        double isc = r.Metric(EvalMetrics.InceptionScore)!.Value;
        Assert.True(double.IsFinite(isc) && isc >= 1.0 - 1e-12, $"IS {isc}");
        Assert.Contains("2 splits", r.Metrics.Single(m => m.Key == EvalMetrics.InceptionScore).Description);
    }

    [Fact]
    public void AnLpipsFolderWithoutItsFilesIsReported()
    {
        string folder = ImageFolder(1, 16);
        string empty = Path.Combine(_dir.Path, "no-weights");
        Directory.CreateDirectory(empty);
        using var model = new IdentityAutoencoder();
        using var evaluator = new ReconstructionEvaluator(new EvalOptions { LpipsWeights = empty, Metrics = [EvalMetrics.Lpips] });

        var e = Assert.Throws<ViTokException>(() => evaluator.Evaluate(model, DataSources.Open(folder)));

        Assert.Contains(Path.Combine(empty, "vgg16-397923af.pth"), e.Message);
    }

    [Fact]
    public void RepeatedEvaluationsLeaveNoTensorsBehind()
    {
        // Arrange: one evaluator reused, as a trainer evaluating every K steps would.
        string folder = ImageFolder(2, 32);
        torch.manual_seed(1);
        using var model = new PaperAutoencoder(PaperConfig.FromVariant("Sw32d1h2-Bw32d1h2/4", 4));
        model.train();
        using var evaluator = new ReconstructionEvaluator(new EvalOptions
        {
            BatchSize = 1,
            Workers = 0,
            Metrics = [EvalMetrics.Psnr, EvalMetrics.Ssim, EvalMetrics.FdResNet18, EvalMetrics.PerceptualResNet18],
        });
        var stats = DisposeScopeManager.Statistics;
        var first = evaluator.Evaluate(model, DataSources.Open(folder));

        // Act
        stats.Reset();
        long before = stats.ThreadTotalLiveCount;
        var r = evaluator.Evaluate(model, DataSources.Open(folder));
        long after = stats.ThreadTotalLiveCount;

        // Assert: nothing leaked, the caller's training mode is restored, and the numbers repeat exactly.
        Assert.Equal(before, after);
        Assert.True(model.training);
        Assert.Equal(2, r.Count);
        Assert.Equal(first.Metrics.Select(m => m.Value), r.Metrics.Select(m => m.Value));
    }

    [Fact]
    public void ImagesOfTheWrongSizeForThePatchAreAUsageError()
    {
        // Arrange: 30×30 images, patch 4.
        string folder = ImageFolder(2, 30);
        torch.manual_seed(0);
        using var model = new PaperAutoencoder(PaperConfig.FromVariant("Sw32d1h2-Bw32d1h2/4", 4));
        using var evaluator = new ReconstructionEvaluator(new EvalOptions { Metrics = [EvalMetrics.Psnr] });

        // Act
        var e = Assert.Throws<ViTokException>(() => evaluator.Evaluate(model, DataSources.Open(folder)));

        // Assert
        Assert.Contains("--size", e.Message);
        Assert.Contains("patch size 4", e.Message);
    }

    [Fact]
    public void AMetricWithoutItsWeightsIsAUsageError()
    {
        string folder = ImageFolder(2, 16);
        using var model = new IdentityAutoencoder();
        using var evaluator = new ReconstructionEvaluator(new EvalOptions { Metrics = [EvalMetrics.Fid] });

        var e = Assert.Throws<ViTokException>(() => evaluator.Evaluate(model, DataSources.Open(folder)));

        Assert.Contains("--fid-weights", e.Message);
    }

    [Fact]
    public void ClipsAreScoredFrameWiseWithFvdFromTheTorchScriptDetector()
    {
        // Arrange: a tiny q = 2 model on four Moving Fashion-MNIST clips of 4 frames at 32².
        Requirements.FashionMnist();
        torch.manual_seed(5);
        using var model = new PaperAutoencoder(PaperConfig.FromVariant("Sw32d1h2-Bw32d1h2/2x4", 4));
        model.eval();
        var sourceOptions = new DataSourceOptions
        {
            Kind = "moving-fashion-mnist",
            TestSplit = true,
            Count = 4,
            Clip = new ClipOptions { Frames = 4, Start = ClipStart.Even },
            Transform = ImageTransform.ForEval(32),
        };
        var options = new EvalOptions
        {
            BatchSize = 3,
            GridItems = 1,
            I3dWeights = RepoPaths.Fixtures("torchscript", "tiny_detector.pt"),
            Metrics = [EvalMetrics.Psnr, EvalMetrics.Ssim, EvalMetrics.FdResNet18, EvalMetrics.Fvd, EvalMetrics.PerceptualResNet18],
        };
        using var evaluator = new ReconstructionEvaluator(options);

        // Act
        var r = evaluator.Evaluate(model, DataSources.Open("moving-fashion-mnist", sourceOptions));
        string report = _dir.File("video/report.md");
        string? grid = EvalReport.Write(r, report);

        // Assert: counts and frame-wise metrics.
        Assert.Equal(4, r.Count);
        Assert.Equal((4, 32, 32), (r.Frames, r.Height, r.Width));
        Assert.Contains("16 vs 16 frames", r.Metrics.Single(m => m.Key == EvalMetrics.FdResNet18).Description);
        Assert.Contains("4 vs 4 clips", r.Metrics.Single(m => m.Key == EvalMetrics.Fvd).Description);
        double fvd = r.Metric(EvalMetrics.Fvd)!.Value;
        Assert.True(double.IsFinite(fvd) && fvd > 0, $"fvd {fvd}");
        Assert.Equal(model.Gmacs(4, 32, 32), r.Gmacs);

        // PSNR and SSIM as a direct computation over the frames of the same clips.
        var loader = new ViTok.Data.DataLoader(DataSources.Open("moving-fashion-mnist", sourceOptions), new DataLoaderOptions { BatchSize = 4, Shuffle = false, Workers = 0 });
        using (var scope = torch.NewDisposeScope())
        {
            Tensor? clips = null;
            foreach (var batch in loader.Epoch(0))
            {
                clips = Quantise(batch.Pixels);                                                      // [4, 3, 4, 32, 32]
                break;
            }
            var recon = Quantise(model.Reconstruct(clips!));
            var framesA = clips!.permute(0, 2, 1, 3, 4);                                             // [4, 4, 3, 32, 32]
            var framesB = recon.permute(0, 2, 1, 3, 4);
            Assert.Equal(Psnr.PerImage(framesA, framesB).mean().item<double>(), r.Metric(EvalMetrics.Psnr)!.Value, 9);
            Assert.Equal(Ssim.PerImage(framesA, framesB).mean().item<double>(), r.Metric(EvalMetrics.Ssim)!.Value, 9);
        }

        // The report and a grid of two rows (original frames, reconstructed frames) per kept clip.
        Assert.True(File.Exists(report));
        Assert.NotNull(grid);
        var header = ImageIO.ReadHeader(grid!);
        int rows = 2 * (r.Best.Count + r.Worst.Count);
        Assert.Equal(2, r.Best.Count + r.Worst.Count);
        Assert.Equal((4 * 34 + 2, rows * 34 + 2), (header.Width, header.Height));
        Assert.True(r.Best[0].Psnr >= r.Worst[0].Psnr);
    }

    [Fact]
    public void ComparingASetWithItselfGivesAZeroDistance()
    {
        // Arrange: the generated-vs-reference path (gFID etc.) on one folder twice.
        string folder = ImageFolder(6, 32);
        using var evaluator = new ReconstructionEvaluator(new EvalOptions { Metrics = [EvalMetrics.FdResNet18] });

        // Act
        var r = evaluator.CompareSets(DataSources.Open(folder), DataSources.Open(folder));

        // Assert
        Assert.Equal(6, r.Count);
        Assert.Equal(6, r.ReferenceCount);
        Assert.Null(r.Variant);
        Assert.InRange(r.Metric(EvalMetrics.FdResNet18)!.Value, -1e-6, 1e-6);
        Assert.Throws<ViTokException>(() => new ReconstructionEvaluator(new EvalOptions { Metrics = [EvalMetrics.Psnr] })
            .CompareSets(DataSources.Open(folder), DataSources.Open(folder)));
    }
}
