using ViTok.Models;
using ViTok.Models.Paper;
using ViTok.Tests.Support;

namespace ViTok.Tests.Models;

[Collection(TorchCollection.Name)]
public sealed class VideoChunkTests
{
    [Fact]
    public void OneChunkCoveringTheClip_EqualsTheUnchunkedPath()
    {
        // Arrange: 5 frames (padded to 6 for q = 2) fit one chunk of 8.
        torch.manual_seed(61);
        using var model = new PaperAutoencoder(TinyConfigs.Video());                                 // q = 2, p = 4
        var clip = torch.rand(3, 5, 6, 7) * 2 - 1;

        // Act
        using var overlapped = LatentCodec.ReconstructVideo(model, clip, chunkFrames: 8, overlapFrames: 2);
        using var plain = LatentCodec.ReconstructVideo(model, clip, chunkFrames: 8, overlapFrames: 0);

        // Assert
        Assert.Equal(clip.shape, overlapped.shape);
        Assert.True(overlapped.equal(plain).all().item<bool>());
    }

    [Fact]
    public void TwoOverlappingChunks_AreBlendedWithTheRaisedCosineRamp()
    {
        // Arrange: 6 frames, chunks of 4 overlapping by 2: chunk A = frames 0..3, chunk B = frames 2..5.
        torch.manual_seed(62);
        using var model = new PaperAutoencoder(TinyConfigs.Video());
        var clip = torch.rand(3, 6, 8, 8) * 2 - 1;
        var calls = new List<(int, int)>();

        // Act
        using var recon = LatentCodec.ReconstructVideo(model, clip, chunkFrames: 4, overlapFrames: 2, progress: (d, n) => calls.Add((d, n)));

        // Assert: weights A [1, 1, w1, w0], B [w0, w1, 1, 1] with w0 = ½ − ½cos(π/4), w1 = ½ − ½cos(3π/4) (w0 + w1 = 1).
        using var a = model.Reconstruct(clip.narrow(1, 0, 4).unsqueeze(0))[0];
        using var b = model.Reconstruct(clip.narrow(1, 2, 4).unsqueeze(0))[0];
        double w0 = 0.5 - 0.5 * Math.Cos(Math.PI / 4), w1 = 0.5 - 0.5 * Math.Cos(3 * Math.PI / 4);
        var expected = torch.cat([a.narrow(1, 0, 2),
                                  (a.narrow(1, 2, 1) * w1 + b.narrow(1, 0, 1) * w0) / (w0 + w1),
                                  (a.narrow(1, 3, 1) * w0 + b.narrow(1, 1, 1) * w1) / (w0 + w1),
                                  b.narrow(1, 2, 2)], 1);
        TensorAssert.Close(expected, recon, 1e-5, "blend");
        Assert.Equal([(1, 2), (2, 2)], calls);
    }

    [Fact]
    public void SeveralChunks_KeepTheShape_AreFinite_AndReportProgress()
    {
        // Arrange: 11 frames (padded to 12), chunks of 4 overlapping by 2: origins 0, 2, 4, 6, 8.
        torch.manual_seed(63);
        using var model = new PaperAutoencoder(TinyConfigs.Video());
        var clip = torch.rand(3, 11, 9, 10) * 2 - 1;
        var calls = new List<(int, int)>();

        // Act
        using var recon = LatentCodec.ReconstructVideo(model, clip, chunkFrames: 4, overlapFrames: 2, progress: (d, n) => calls.Add((d, n)));

        // Assert
        Assert.Equal(clip.shape, recon.shape);
        Assert.True(recon.isfinite().all().item<bool>());
        Assert.Equal(Enumerable.Range(1, 5).Select(d => (d, 5)), calls);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(-2)]
    public void AnOverlapThatIsNotATubeletMultipleOrOverHalfTheChunk_IsAOneLineError(int overlap)
    {
        // Arrange
        using var model = new PaperAutoencoder(TinyConfigs.Video());
        var clip = torch.zeros(3, 6, 8, 8);

        // Act
        var e = Assert.Throws<ViTokException>(() => LatentCodec.ReconstructVideo(model, clip, chunkFrames: 6, overlapFrames: overlap));

        // Assert
        Assert.Contains("--chunk-overlap", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
