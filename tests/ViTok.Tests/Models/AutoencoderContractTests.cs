using ViTok.Models;
using ViTok.Models.Paper;
using ViTok.Models.V2;
using ViTok.Tests.Support;

namespace ViTok.Tests.Models;

/// <summary>The <see cref="IAutoencoder"/> contract: the posterior (mode, sample, KL), encode → decode against each
/// family's reconstruction, and a third family going through <see cref="LatentCodec"/> by the interface alone.</summary>
[Collection(TorchCollection.Name)]
public sealed class AutoencoderContractTests
{
    private static readonly V2Config TinyV2 = V2Config.FromVariant("Bw32d1h2-Bw32d2h2/1x4x8");

    [Fact]
    public void PaperPosteriorModeIsTheMeanAndZ()
    {
        // Arrange
        torch.manual_seed(41);
        using var model = new PaperAutoencoder(TinyConfigs.Image());
        IAutoencoder ae = model;
        var x = torch.rand(2, 3, 8, 12) * 2 - 1;

        // Act
        using var latents = ae.Encode(x);
        using var mode = latents.Posterior.Mode();
        using var family = model.Encode(x);

        // Assert
        Assert.Equal(new long[] { 2, 6, 4 }, latents.Z.shape);
        Assert.Equal(new TokenGrid(1, 2, 3, true), latents.Grid);
        Assert.Equal((1L, 8L, 12L), latents.ProcessedSize);
        Assert.Equal(ScalarType.Float32, latents.Z.dtype);
        Assert.True(mode.equal(latents.Posterior.Mean).all().item<bool>());
        Assert.True(latents.Z.equal(latents.Posterior.Mean).all().item<bool>());
        Assert.True(latents.Posterior.Mean.equal(family.Posterior.Mean).all().item<bool>(), "the family's Encode and the contract share the encoder");
        Assert.True(latents.Posterior.LogVar!.equal(family.Posterior.LogVar!).all().item<bool>());
        Assert.False(latents.Posterior.IsDeterministic);
    }

    [Fact]
    public void SamplesHaveThePosteriorsMomentsAndRepeatWithASeed()
    {
        // Arrange: μ = 0.5, σ = 0.5 (log σ² = ln 0.25) over 40,000 elements.
        var mean = torch.full([1, 20000, 2], 0.5);
        var logVar = torch.full([1, 20000, 2], Math.Log(0.25));
        using var posterior = new DiagonalGaussian(mean, logVar);

        // Act
        using var g1 = new Generator(123);
        using var g2 = new Generator(123);
        using var g3 = new Generator(124);
        var a = posterior.Sample(g1);
        var b = posterior.Sample(g2);
        var c = posterior.Sample(g3);

        // Assert: the standard error of the mean is 0.5/√40000 = 0.0025, of the std about 0.0018.
        Assert.Equal(mean.shape, a.shape);
        Assert.InRange(a.mean().item<float>(), 0.49, 0.51);
        Assert.InRange(a.std().item<float>(), 0.49, 0.51);
        Assert.True(a.equal(b).all().item<bool>(), "same seed, same sample");
        Assert.False(a.equal(c).all().item<bool>(), "another seed, another sample");
    }

    [Fact]
    public void DeterministicPosteriorSamplesItsMeanAndHasNoKl()
    {
        // Arrange
        torch.manual_seed(42);
        using var model = new V2Autoencoder(TinyV2);
        IAutoencoder ae = model;

        // Act
        using var latents = ae.Encode(torch.rand(1, 3, 8, 8) * 2 - 1);
        using var sample = latents.Posterior.Sample();

        // Assert
        Assert.True(latents.Posterior.IsDeterministic);
        Assert.Null(latents.Posterior.Kl());
        Assert.True(sample.equal(latents.Posterior.Mean).all().item<bool>());
        Assert.Null(ae.TrainForward(torch.rand(1, 3, 8, 8) * 2 - 1, null).Kl);
    }

    [Fact]
    public void KlEqualsTheFormulaTheFamiliesUsed()
    {
        // Arrange: the paper family's formula as it stood before the contract, written out here.
        torch.manual_seed(43);
        var mean = torch.randn(2, 5, 3);
        var logVar = torch.randn(2, 5, 3);
        var old = ((mean.pow(2) + logVar.exp() - 1 - logVar) * 0.5).mean();
        double byHand = Enumerable.Range(0, 30).Select(i =>
        {
            double m = mean.flatten()[i].item<float>(), lv = logVar.flatten()[i].item<float>();
            return 0.5 * (m * m + Math.Exp(lv) - 1 - lv);
        }).Average();

        // Act
        using var posterior = new DiagonalGaussian(mean, logVar);
        var kl = posterior.Kl()!;

        // Assert
        Assert.Equal(old.item<float>(), kl.item<float>());
        Assert.Equal(byHand, kl.item<float>(), 5);
        Assert.Equal(kl.item<float>(), PaperAutoencoder.KlDivergence(mean, logVar).item<float>());
    }

    [Fact]
    public void PaperTrainForwardKlIsThePosteriorsKl()
    {
        // Arrange
        torch.manual_seed(44);
        using var model = new PaperAutoencoder(TinyConfigs.Image());
        IAutoencoder ae = model;
        var x = torch.rand(2, 3, 8, 8) * 2 - 1;

        // Act
        var (_, kl) = ae.TrainForward(x, null);
        using var latents = ae.Encode(x);

        // Assert
        Assert.Equal(latents.Posterior.Kl()!.item<float>(), kl!.item<float>());
    }

    [Fact]
    public void PaperEncodeThenDecodeIsTheReconstruction()
    {
        // Arrange
        torch.manual_seed(45);
        using var image = new PaperAutoencoder(TinyConfigs.Image());
        using var video = new PaperAutoencoder(TinyConfigs.Video());
        var images = torch.rand(2, 3, 8, 12) * 2 - 1;
        var clips = torch.rand([2, 3, 4, 8, 8]) * 2 - 1;

        foreach (var (model, x) in new[] { (image, images), (video, clips) })
        {
            IAutoencoder ae = model;

            // Act
            using var latents = ae.Encode(x);
            using var decoded = ae.Decode(latents.Z, latents.Grid);

            // Assert: bit for bit.
            Assert.Equal(x.shape, decoded.shape);
            TensorAssert.Close(model.Reconstruct(x), decoded, 0.0, model.Variant);
        }
    }

    [Fact]
    public void V2EncodeThenDecodeIsTheReconstruction()
    {
        // Arrange: 10×14 is not a multiple of p = 4; the family pads inside and the canvas is cropped.
        torch.manual_seed(46);
        using var model = new V2Autoencoder(TinyV2);
        IAutoencoder ae = model;
        var x = torch.rand(2, 3, 10, 14) * 2 - 1;

        // Act
        using var latents = ae.Encode(x);
        using var canvas = ae.Decode(latents.Z, latents.Grid);
        var decoded = canvas.narrow(2, 0, latents.ProcessedSize.Height).narrow(3, 0, latents.ProcessedSize.Width);

        // Assert
        Assert.Equal(new TokenGrid(1, 3, 4, true), latents.Grid);
        Assert.Equal(new long[] { 2, 3, 12, 16 }, canvas.shape);
        TensorAssert.Close(ae.Reconstruct(x), decoded, 0.0, "v2");
    }

    [Fact]
    public void V2TokenBudgetShrinksAndPadsTheSequenceLikeTheFamilyPipeline()
    {
        // Arrange: 40×40 needs 100 tokens; the budget of 16 shrinks it to 16×16 (4×4 tokens).
        torch.manual_seed(47);
        using var model = new V2Autoencoder(TinyV2);
        var image = torch.rand(3, 40, 40) * 2 - 1;

        // Act
        using var latents = ((IAutoencoder)model).Encode(image.unsqueeze(0), tokenBudget: 20);
        using var one = LatentCodec.EncodeImage(model, image, "x.png", maxTokens: 20);
        using var recon = LatentCodec.DecodeImage(model, one);
        var family = model.Reconstruct([image], maxTokens: 20)[0];

        // Assert
        Assert.Equal(new long[] { 1, 20, 8 }, latents.Z.shape);
        Assert.Equal(new TokenGrid(1, 4, 4, true), latents.Grid);
        Assert.Equal((1L, 16L, 16L), latents.ProcessedSize);
        Assert.Equal(0f, latents.Z[0].narrow(0, 16, 4).abs().sum().item<float>());
        Assert.Equal((4, 4, 40, 40, 16, 16), (one.Rows, one.Cols, one.OriginalHeight, one.OriginalWidth, one.ProcessedHeight, one.ProcessedWidth));
        Assert.True(one.Z.equal(latents.Z[0].narrow(0, 0, 16)).all().item<bool>());
        TensorAssert.Close(family, recon, 1e-5, "adapter vs the family's padded-batch pipeline");
        Assert.Throws<ArgumentException>(() => ((IAutoencoder)new PaperAutoencoder(TinyConfigs.Image())).Encode(image.unsqueeze(0), tokenBudget: 20));
    }

    [Fact]
    public void PaperImageAdapterPadsCropsAndMatchesTheFamilyPath()
    {
        // Arrange: 9×10 pads to 12×12 by edge replication.
        torch.manual_seed(48);
        using var model = new PaperAutoencoder(TinyConfigs.Image());
        var image = torch.rand(3, 9, 10) * 2 - 1;

        // Act
        using var latents = LatentCodec.EncodeImage(model, image, "x.png");
        using var decoded = LatentCodec.DecodeImage(model, latents);
        using var padded = model.Reconstruct(F.pad(image.unsqueeze(0), [0, 2, 0, 3], PaddingModes.Replicate));

        // Assert
        Assert.Equal((3, 3, 9, 10, 9, 10), (latents.Rows, latents.Cols, latents.OriginalHeight, latents.OriginalWidth, latents.ProcessedHeight, latents.ProcessedWidth));
        Assert.Equal(new long[] { 9, 4 }, latents.Z.shape);
        TensorAssert.Close(padded[0, .., ..9, ..10], decoded, 0.0, "paper image");
    }

    [Fact]
    public void AThirdFamilyWorksThroughTheAdapterByTheInterfaceAlone()
    {
        // Arrange: a 5×7 image; the toy family needs multiples of 2, so the adapter pads to 6×8 and crops back.
        using var model = new ToyAutoencoder();
        var image = torch.arange(Scalars.Of(0), Scalars.Of(105), Scalars.One, dtype: ScalarType.Float32).reshape(3, 5, 7).div(105.0);

        // Act
        using var latents = LatentCodec.EncodeImage(model, image, "toy.png");
        using var decoded = LatentCodec.DecodeImage(model, latents);
        using var batch = LatentCodec.EncodeBatch(model, torch.zeros(2, 3, 4, 6));
        var contract = LatentFile.ContractOf(model);

        // Assert: what the toy family computes by hand on the edge-replicated image.
        var padded = F.pad(image.unsqueeze(0), [0, 1, 0, 1], PaddingModes.Replicate);                  // [1, 3, 6, 8]
        var expected = F.avg_pool2d(padded, 2).repeat_interleave(2, 2).repeat_interleave(2, 3)[0, .., ..5, ..7];
        Assert.Equal((3, 4, 5, 7, 5, 7), (latents.Rows, latents.Cols, latents.OriginalHeight, latents.OriginalWidth, latents.ProcessedHeight, latents.ProcessedWidth));
        Assert.Equal(new long[] { 12, 3 }, latents.Z.shape);
        TensorAssert.Close(expected, decoded, 1e-6, "toy");
        Assert.Equal(new TokenGrid(1, 2, 3, true), batch.Grid);
        Assert.Equal("none (patch mean)", contract.Normalization);
        Assert.Equal("toy", contract.Family);
        var e = Assert.Throws<ViTokException>(() => LatentCodec.ReconstructVideo(model, torch.zeros(3, 2, 4, 4)));
        Assert.Contains("takes images, not videos", e.Message);
    }

    [Fact]
    public void PaperVideoAdapterChunksPadsAndCropsBack()
    {
        // Arrange: 5 frames of 6×7 with q = 2, p = 4 and chunks of 4 frames: two chunks, padded to 4 frames of 8×8.
        torch.manual_seed(49);
        using var model = new PaperAutoencoder(TinyConfigs.Video());
        var clip = torch.rand(3, 5, 6, 7) * 2 - 1;

        // Act
        using var recon = LatentCodec.ReconstructVideo(model, clip, chunkFrames: 4);
        using var first = model.Reconstruct(F.pad(clip.narrow(1, 0, 4).unsqueeze(0), [0, 1, 0, 2, 0, 0], PaddingModes.Replicate));

        // Assert
        Assert.Equal(clip.shape, recon.shape);
        TensorAssert.Close(first[0, .., ..4, ..6, ..7], recon.narrow(1, 0, 4), 0.0, "first chunk");
    }

    [Fact]
    public void NoTensorsLeakThroughTheContractAndTheAdapter()
    {
        // Arrange
        torch.manual_seed(50);
        using var paper = new PaperAutoencoder(TinyConfigs.Image());
        using var video = new PaperAutoencoder(TinyConfigs.Video());
        using var v2 = new V2Autoencoder(TinyV2);
        var image = torch.rand(3, 9, 10) * 2 - 1;
        var clip = torch.rand(3, 5, 6, 7) * 2 - 1;
        var batch = torch.rand(2, 3, 8, 8) * 2 - 1;
        var stats = DisposeScopeManager.Statistics;
        void Iteration()
        {
            foreach (IAutoencoder ae in new IAutoencoder[] { paper, v2 })
            {
                using (var latents = ae.Encode(batch))
                using (ae.Decode(latents.Z, latents.Grid)) { }
                using (var one = LatentCodec.EncodeImage(ae, image, "x.png", maxTokens: 20))
                using (LatentCodec.DecodeImage(ae, one)) { }
                using (var latents = LatentCodec.EncodeBatch(ae, batch))
                using (latents.Posterior.Sample()) { }
            }
            using (LatentCodec.ReconstructVideo(video, clip, chunkFrames: 4)) { }
            using (LatentCodec.ReconstructVideo(video, clip, chunkFrames: 4, overlapFrames: 2)) { }
        }

        // Act
        Iteration();
        stats.Reset();
        long before = stats.ThreadTotalLiveCount;
        Iteration();
        Iteration();
        long after = stats.ThreadTotalLiveCount;

        // Assert
        Assert.Equal(before, after);
    }
}
