using ViTok.Models;
using ViTok.Models.Paper;
using ViTok.Models.V2;

namespace ViTok.Tests.Models;

public sealed class MemoryEstimateTests
{
    [Fact]
    public void WeightsAreParametersTimesDtypeBytes()
    {
        var c = PaperConfig.FromVariant("S-B/16");
        var (pe, pd) = PaperCost.Parameters(c);
        Assert.Equal((pe + pd) * 4, MemoryEstimate.ForPaper(c, 1, 256, 256, 1, 4).WeightBytes);
        Assert.Equal((pe + pd) * 2, MemoryEstimate.ForPaper(c, 1, 256, 256, 1, 2).WeightBytes);
        var v = V2Config.FromVariant("Bd2-Bd4/1x16x32");
        Assert.Equal((v.EncoderParameterCount + v.DecoderParameterCount) * 4, MemoryEstimate.ForV2(v, 256, 256, 1, 4).WeightBytes);
    }

    [Fact]
    public void ActivationsGrowWithBatchAndSize_AndCheckpointingSavesTrainingMemory()
    {
        foreach (var (small, large, big) in new[]
                 {
                     (MemoryEstimate.ForPaper(PaperConfig.FromVariant("S-B/16"), 1, 256, 256, 1, 4),
                      MemoryEstimate.ForPaper(PaperConfig.FromVariant("S-B/16"), 1, 256, 256, 4, 4),
                      MemoryEstimate.ForPaper(PaperConfig.FromVariant("S-B/16"), 1, 512, 512, 1, 4)),
                     (MemoryEstimate.ForV2(V2Config.FromVariant("Bd2-Bd4/1x16x32"), 256, 256, 1, 4),
                      MemoryEstimate.ForV2(V2Config.FromVariant("Bd2-Bd4/1x16x32"), 256, 256, 4, 4),
                      MemoryEstimate.ForV2(V2Config.FromVariant("Bd2-Bd4/1x16x32"), 512, 512, 1, 4)),
                 })
        {
            Assert.InRange((double)large.EncodeActivationBytes / small.EncodeActivationBytes, 3.5, 4.5);
            Assert.True(big.DecodeActivationBytes > 3.5 * small.DecodeActivationBytes);
            Assert.True(big.TrainCheckpointedActivationBytes < big.TrainActivationBytes);
            Assert.True(small.TrainPeakBytes > small.EncodePeakBytes + small.TrainStateBytes);
            Assert.Equal(small.WeightBytes * 5, small.TrainStateBytes);   // float32: gradients 1, AdamW moments 2, its step temporaries 2
        }
    }
}
