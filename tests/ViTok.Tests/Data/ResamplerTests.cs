using ViTok.Data;
using ViTok.IO;
using ViTok.Tests.Support;

namespace ViTok.Tests.Data;

[Collection(TorchCollection.Name)]
public sealed class ResamplerTests
{
    [Fact]
    public void Bicubic_MatchesPyTorch113()
    {
        // Arrange: vectors from PyTorch 1.13 F.interpolate(mode='bicubic', antialias=True, align_corners=False),
        // written by tools/v2_reference.py resize (down-, up- and mixed scaling).
        var (t, _) = Safetensors.Read(RepoPaths.Fixtures("vitok-v2", "resize-bicubic-aa.safetensors"));
        var input = t["input"];
        int checkedCount = 0;
        foreach (var (name, expected) in t.Where(kv => kv.Key.StartsWith("out_")))
        {
            // Act
            var actual = Resampler.Bicubic(input, (int)expected.shape[2], (int)expected.shape[3]);

            // Assert
            float diff = (actual - expected).abs().max().item<float>();
            Assert.True(diff < 1e-5, $"{name}: max abs diff {diff}");
            checkedCount++;
        }
        Assert.Equal(6, checkedCount);
    }

    [Fact]
    public void Bicubic_KeepsSingleImagesAndBatchesAlike()
    {
        // Arrange
        torch.manual_seed(5);
        var batch = torch.rand(2, 3, 20, 30);

        // Act
        var one = Resampler.Bicubic(batch[1], 8, 12);
        var both = Resampler.Bicubic(batch, 8, 12);
        var plain = Resampler.Bicubic(batch, 8, 12, antialias: false);

        // Assert: [C, H, W] in, [C, H, W] out, the same numbers as the batch; antialias changes a downscale.
        Assert.Equal(new long[] { 3, 8, 12 }, one.shape);
        Assert.True(one.equal(both[1]).all().item<bool>());
        Assert.True((plain - both).abs().max().item<float>() > 1e-3);
    }
}
