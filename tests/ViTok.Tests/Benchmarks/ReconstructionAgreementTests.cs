using ViTok.Benchmarks;
using ViTok.IO;
using ViTok.Tests.Support;

namespace ViTok.Tests.Benchmarks;

/// <summary>bf16 inference against f32 on real photos: the 8-bit reconstructions of both families agree to ≥ 40 dB.</summary>
[Collection(TorchCollection.Name)]
public class ReconstructionAgreementTests
{
    private static List<(string, Tensor)> Photos() =>
        [.. Directory.GetFiles(RepoPaths.Fixtures("vitok-v2", "pipeline"), "*.png").Where(p => !p.EndsWith(".recon.png", StringComparison.Ordinal)).Order()
            .Select(p => (p, ImageIO.Load(p)))];

    [Theory]
    [InlineData("v2")]
    [InlineData("paper")]
    public void Bf16ReconstructionsAgreeWithF32ToFortyDecibels(string family)
    {
        // Arrange: the tiny-v2 reference weights, or a seeded random tiny paper model
        var f32 = family == "v2"
            ? new BenchSettings { Family = "v2", Variant = "w64_d2_h4-w96_d3_h4/1x8x16", Checkpoint = RepoPaths.Fixtures("vitok-v2", "tiny-v2") }
            : new BenchSettings { Family = "paper", Variant = "Sw64d2h4-Bw64d2h4/4", Channels = 8, Seed = 3 };
        var bf16 = f32 with { Dtype = ScalarType.BFloat16 };
        var photos = Photos();

        try
        {
            // Act
            var same = ModelBench.ReconstructionAgreement(f32, f32, photos);
            var psnr = ModelBench.ReconstructionAgreement(f32, bf16, photos);

            // Assert: identical settings reproduce exactly; bf16 differs, but only slightly
            Assert.All(same, p => Assert.True(double.IsPositiveInfinity(p), $"f32 vs f32: {p} dB"));
            Assert.All(psnr, p => Assert.True(p >= 40 && double.IsFinite(p), $"bf16 vs f32: {p:F2} dB"));
        }
        finally
        {
            foreach (var (_, t) in photos) t.Dispose();
        }
    }
}
