using ViTok.Data;
using ViTok.IO;
using ViTok.Models;
using ViTok.Tests.Support;
using Xunit.Abstractions;
using ViTok.Models.V2;

namespace ViTok.Tests.Models;

/// <summary>Parity with the reference PyTorch ViTok-v2 (golden vectors from vitok-release, float32, CPU, SDPA).</summary>
[Collection(TorchCollection.Name)]
public sealed class V2AutoencoderParityTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-4;

    [Fact]
    public void Golden_TinyV2_MatchesReference() => CheckGoldenCase(RepoPaths.Fixtures("vitok-v2", "tiny-v2"));

    [RequiresSharedFact("golden/vitok-v2/tiny-v2-square")]
    public void Golden_TinyV2Square_MatchesReference() => CheckGoldenCase(RepoPaths.Shared("golden", "vitok-v2", "tiny-v2-square"));

    private void CheckGoldenCase(string dir)
    {
        // Arrange
        torch.manual_seed(0);
        var (v, meta) = Safetensors.Read(Path.Combine(dir, "vectors.safetensors"));
        var model = V2Autoencoder.FromDirectory(dir, meta["variant"]);
        int maxTokens = int.Parse(meta["max_tokens"]);
        var images = v.Keys.Where(k => k.StartsWith("image_")).OrderBy(k => k, StringComparer.Ordinal).Select(k => v[k]).ToList();
        var golden = new PatchBatch(v["patches"], v["patch_mask"], v["row_idx"], v["col_idx"], v["orig_height"], v["orig_width"],
                                    model.Config.PatchSize);
        var real = v["patch_mask"].unsqueeze(-1);

        // Act
        using var ours = NaFlex.Patchify(images, model.Config.PatchSize, maxTokens);
        var z = model.Encode(golden);
        var decoded = model.Decode(v["z"], golden);
        var canvas = NaFlex.Unpatchify(decoded, golden);
        var recon = model.Reconstruct(images, maxTokens);

        // Assert
        Assert.True(ours.Patches.equal(v["patches"]).all().item<bool>(), "patchify: patches");
        Assert.True(ours.PatchMask.equal(v["patch_mask"]).all().item<bool>(), "patchify: patch_mask");
        Assert.True(ours.RowIdx.equal(v["row_idx"]).all().item<bool>() && ours.ColIdx.equal(v["col_idx"]).all().item<bool>(), "patchify: indices");
        Assert.True(ours.OrigHeight.equal(v["orig_height"]).all().item<bool>() && ours.OrigWidth.equal(v["orig_width"]).all().item<bool>());
        double dz = MaxDiff(z, v["z"], real), dd = MaxDiff(decoded, v["decoded_patches"], real);
        double dr = (canvas - v["reconstruction"]).abs().max().item<float>();
        double de = recon.Select((r, i) => (r - v["reconstruction"][i, .., ..(int)r.shape[1], ..(int)r.shape[2]]).abs().max().item<float>()).Max();
        output.WriteLine($"{Path.GetFileName(dir)}: max |Δ| z {dz:E2}, decoded patches {dd:E2}, reconstruction {dr:E2}, end to end {de:E2}");
        Assert.True(dz < Tolerance, $"z differs by {dz}");
        Assert.True(dd < Tolerance, $"decoded patches differ by {dd}");
        Assert.True(dr < Tolerance, $"reconstruction differs by {dr}");
        Assert.True(de < Tolerance, $"end-to-end reconstruction differs by {de}");
        Assert.Equal(0f, z.masked_select(real.logical_not().expand_as(z)).abs().sum().item<float>());
        Assert.Equal(0f, decoded.masked_select(real.logical_not().expand_as(decoded)).abs().sum().item<float>());
    }

    [Fact]
    public void PaddedMixedBatch_EqualsEachImageAlone()
    {
        // Arrange
        var dir = RepoPaths.Fixtures("vitok-v2", "tiny-v2");
        var model = V2Autoencoder.FromDirectory(dir, "w64_d2_h4-w96_d3_h4/1x8x16");
        torch.manual_seed(51);
        Tensor[] images = [torch.rand(3, 40, 56) * 2 - 1, torch.rand(3, 64, 48) * 2 - 1, torch.rand(3, 21, 13) * 2 - 1];

        // Act
        using var batch = NaFlex.Patchify(images, 8, 64);
        var zBatch = model.Encode(batch);
        var pBatch = model.Decode(zBatch, batch);

        // Assert: alone = the image's own tokens only (budget = its token count, so no padding at all).
        double worst = 0;
        for (int i = 0; i < images.Length; i++)
        {
            int n = (int)batch.PatchMask[i].sum().item<long>();
            using var alone = NaFlex.Patchify([images[i]], 8, n);
            var z = model.Encode(alone);
            var p = model.Decode(z, alone);
            worst = Math.Max(worst, (z[0] - zBatch[i, ..n]).abs().max().item<float>());
            worst = Math.Max(worst, (p[0] - pBatch[i, ..n]).abs().max().item<float>());
        }
        output.WriteLine($"padded batch vs alone: max |Δ| {worst:E2}");
        Assert.True(worst <= 1e-5, $"padded batch differs from single images by {worst}");
    }

    [Fact]
    public void ReconstructPipeline_8Bit_MatchesPyTorchReference()
    {
        // Arrange: PNGs and their 8-bit reconstructions by tools/v2_reference.py (PyTorch 1.13, tiny-v2 weights,
        // budget 64; chelsea needs the token-budget downscale 90×135 → 48×72).
        var model = V2Autoencoder.FromDirectory(RepoPaths.Fixtures("vitok-v2", "tiny-v2"), "w64_d2_h4-w96_d3_h4/1x8x16");
        string[] names = ["astronaut-61x45", "chelsea-90x135", "coffee-30x44"];
        var images = names.Select(n => ImageIO.Load(RepoPaths.Fixtures("vitok-v2", "pipeline", n + ".png"))).ToList();

        // Act
        var recon = model.Reconstruct(images, maxTokens: 64);

        // Assert
        long total = 0, offByOne = 0, worse = 0;
        for (int i = 0; i < names.Length; i++)
        {
            var (expected, h, w) = ImageIO.LoadRgb8(RepoPaths.Fixtures("vitok-v2", "pipeline", names[i] + ".recon.png"));
            Assert.Equal((h, w), ((int)recon[i].shape[1], (int)recon[i].shape[2]));
            byte[] actual = ImageIO.ToRgb8(recon[i]);
            for (int k = 0; k < actual.Length; k++)
            {
                int d = Math.Abs(actual[k] - expected[k]);
                if (d == 1) offByOne++;
                else if (d > 1) worse++;
            }
            total += actual.Length;
        }
        output.WriteLine($"8-bit pipeline: {offByOne} of {total} values off by 1, {worse} off by more");
        Assert.Equal((48, 72), ((int)recon[1].shape[1], (int)recon[1].shape[2]));
        Assert.Equal(0, worse);
        Assert.True(offByOne <= total / 1000, $"{offByOne} of {total} values are off by 1 (allowed 0.1 %)");
    }

    private static double MaxDiff(Tensor a, Tensor b, Tensor realMask) =>
        (a - b).abs().masked_select(realMask.expand_as(a)).max().item<float>();
}
