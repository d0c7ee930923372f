using ViTok.Models;
using ViTok.Tests.Support;
using ViTok.Models.Paper;

namespace ViTok.Tests.Models;

[Collection(TorchCollection.Name)]
public class PaperAutoencoderTests
{
    [Theory]
    [InlineData(16, 16)]
    [InlineData(8, 20)]
    public void ImagesKeepTheirShapeForwardAndBackward(int h, int w)
    {
        // Arrange
        torch.manual_seed(0);
        using var model = new PaperAutoencoder(TinyConfigs.Image());
        var x = torch.rand(2, 3, h, w) * 2 - 1;

        // Act
        var (recon, z, mean, logVar) = model.Forward(x, samplePosterior: true);
        var loss = (recon - x).square().mean() + 1e-3 * PaperAutoencoder.KlDivergence(mean, logVar);
        loss.backward();

        // Assert
        Assert.Equal(x.shape, recon.shape);
        Assert.Equal(new long[] { 2, h / 4 * (w / 4), 4 }, z.shape);
        Assert.False(recon.isnan().any().item<bool>());
        Assert.All(model.parameters(), p => Assert.NotNull(p.grad));
        Assert.True(model.parameters().All(p => p.grad!.isfinite().all().item<bool>()));
    }

    [Fact]
    public void VideosKeepTheirShapeForwardAndBackward()
    {
        // Arrange
        torch.manual_seed(0);
        using var model = new PaperAutoencoder(TinyConfigs.Video());
        var x = torch.rand([2, 3, 4, 8, 12]) * 2 - 1;

        // Act
        var (recon, z, _, _) = model.Forward(x, samplePosterior: false);
        recon.square().mean().backward();

        // Assert: 2·2·3 tokens per clip.
        Assert.Equal(x.shape, recon.shape);
        Assert.Equal(new long[] { 2, 12, 4 }, z.shape);
        Assert.All(model.parameters(), p => Assert.NotNull(p.grad));
    }

    [Fact]
    public void EncodeIsDeterministicByDefaultAndSampledOnRequest()
    {
        torch.manual_seed(1);
        using var model = new PaperAutoencoder(TinyConfigs.Image());
        var x = torch.rand(1, 3, 8, 8) * 2 - 1;
        using var a = model.Encode(x);
        using var b = model.Encode(x);
        using var s1 = model.Encode(x, sample: true, seed: 7);
        using var s2 = model.Encode(x, sample: true, seed: 7);
        Assert.True(a.Z.equal(b.Z).all().item<bool>());
        Assert.True(a.Z.equal(a.Posterior.Mean).all().item<bool>());
        Assert.True(s1.Z.equal(s2.Z).all().item<bool>());
        Assert.False(s1.Z.equal(a.Z).all().item<bool>());
        using var recon = model.Decode(a.Z, a.Grid.Dims, a.Grid.IsImage);
        Assert.Equal(x.shape, recon.shape);
    }

    [Theory]
    [InlineData(new long[] { 1, 3, 10, 16 }, "input size 16x10 (WxH)", "16x12")]
    [InlineData(new long[] { 1, 3, 3, 8, 8 }, "input size 3 frames of 8x8 (WxH)", "4 frames of 8x8")]
    public void WrongSizesNameTheNearestValidSize(long[] shape, string given, string nearest)
    {
        using var model = new PaperAutoencoder(shape.Length == 4 ? TinyConfigs.Image() : TinyConfigs.Video());
        var e = Assert.Throws<ViTokException>(() => model.Forward(torch.zeros(shape), false));
        Assert.Contains(given, e.Message);
        Assert.Contains($"nearest valid size is {nearest}", e.Message);
    }

    [Fact]
    public void ImagesAreRejectedByVideoModels()
    {
        using var model = new PaperAutoencoder(TinyConfigs.Video());
        var e = Assert.Throws<ViTokException>(() => model.Encode(torch.zeros(1, 3, 8, 8)));
        Assert.Contains("q = 2", e.Message);
    }

    [Fact]
    public void KlMatchesItsFormula()
    {
        var mean = torch.tensor(new float[] { 0.5f, -1f, 0f, 2f }).reshape(1, 2, 2);
        var logVar = torch.tensor(new float[] { 0f, -0.5f, 1f, 0.2f }).reshape(1, 2, 2);
        double expected = new[] { (0.5, 0.0), (-1.0, -0.5), (0.0, 1.0), (2.0, 0.2) }
            .Select(t => 0.5 * (t.Item1 * t.Item1 + Math.Exp(t.Item2) - 1 - t.Item2)).Average();
        Assert.Equal(expected, PaperAutoencoder.KlDivergence(mean, logVar).item<float>(), 5);
    }

    [Fact]
    public void LogVarIsClampedToThePaperRange()
    {
        torch.manual_seed(2);
        using var model = new PaperAutoencoder(TinyConfigs.Image());
        using (torch.no_grad())
            foreach (var (name, p) in model.named_parameters())
                if (name.StartsWith("encoder_to_code")) p.fill_(1000f);
        var (_, logVar) = model.EncodeMoments(torch.ones([1, 3, 1, 8, 8]));
        Assert.Equal(20f, logVar.max().item<float>());
    }

    [Fact]
    public void ParameterFormulaEqualsTheModulesAndKeysMatchThePyTorchNames()
    {
        using var model = new PaperAutoencoder(TinyConfigs.Video());
        var (enc, dec) = PaperCost.Parameters(model.Config);
        Assert.Equal(model.parameters().Sum(p => p.numel()), enc + dec);
        Assert.Equal(model.EncoderParameters().Sum(p => p.Param.numel()), enc);
        var keys = model.state_dict().Keys.ToHashSet();
        string[] expected =
        [
            "tubelet_embed.proj.weight", "tubelet_embed.proj.bias",
            "encoder.blocks.0.norm1.weight", "encoder.blocks.0.attn.qkv.weight", "encoder.blocks.0.attn.proj.bias",
            "encoder.blocks.0.norm2.bias", "encoder.blocks.0.mlp.fc1.weight", "encoder.blocks.0.mlp.fc3.bias", "encoder.norm.weight",
            "encoder_to_code.weight", "code_to_decoder.bias", "decoder.blocks.1.mlp.fc2.weight", "decoder.norm.bias",
            "tubelet_decode.proj.weight", "tubelet_decode.proj.bias",
        ];
        Assert.All(expected, k => Assert.Contains(k, keys));
        Assert.DoesNotContain("encoder.blocks.0.attn.qkv.bias", keys);
        Assert.Equal(new long[] { 32, 3, 2, 4, 4 }, model.state_dict()["tubelet_embed.proj.weight"].shape);
        Assert.Equal(new long[] { 48, 3, 2, 4, 4 }, model.state_dict()["tubelet_decode.proj.weight"].shape);
    }

    [Fact]
    public void InitFollowsThePaperCode()
    {
        torch.manual_seed(5);
        using var model = new PaperAutoencoder(TinyConfigs.Image());
        var sd = model.state_dict();
        Assert.Equal(0.0, sd["encoder_to_code.bias"].abs().max().item<float>());
        Assert.Equal(1.0, sd["encoder.norm.weight"].min().item<float>());
        // xavier-uniform on the flattened [32, 3·4·4] embedding kernel: bound sqrt(6 / (48 + 32)).
        double bound = Math.Sqrt(6.0 / (48 + 32));
        double max = sd["tubelet_embed.proj.weight"].abs().max().item<float>();
        Assert.InRange(max, 0.8 * bound, bound);
        // qkv [96, 32]: bound sqrt(6 / 128).
        Assert.InRange(sd["encoder.blocks.0.attn.qkv.weight"].abs().max().item<float>(), 0.8 * Math.Sqrt(6.0 / 128), Math.Sqrt(6.0 / 128));
    }

    [Theory]
    [InlineData("S-B/16", 1, 256, 129.0e6, 34.8)]
    [InlineData("S-L/16", 1, 256, 426.8e6, 113.4)]
    public void PaperTableOneFigures(string variant, int frames, int size, double parameters, double gmacs)
    {
        var info = ModelInfo.ForPaper(PaperConfig.FromVariant(variant), frames, size, size);
        Assert.InRange(info.ParamsTotal, parameters * 0.99, parameters * 1.01);
        Assert.InRange(info.GmacsTotal, gmacs * 0.98, gmacs * 1.02);
    }

    [Theory]
    [InlineData("S-B/4x8", 160.8)]
    [InlineData("S-B/8x8", 73.2)]
    [InlineData("S-B/4x16", 34.8)]
    public void PaperVideoFigures(string variant, double gmacs)
    {
        var info = ModelInfo.ForPaper(PaperConfig.FromVariant(variant), 16, 128, 128);
        Assert.InRange(info.GmacsTotal, gmacs * 0.97, gmacs * 1.03);
    }

    [Fact]
    public void ReconstructImagePadsByEdgeReplicationAndCropsBack()
    {
        torch.manual_seed(6);
        using var model = new PaperAutoencoder(TinyConfigs.Image());
        var image = torch.rand(3, 10, 13) * 2 - 1;
        using var recon = model.ReconstructImage(image);
        Assert.Equal(new long[] { 3, 10, 13 }, recon.shape);
        // Equal to the reconstruction of the explicitly padded image, cropped.
        var padded = F.pad(image.unsqueeze(0), [0, 3, 0, 2], PaddingModes.Replicate);
        using var full = model.Reconstruct(padded);
        TensorAssert.Close(full[0, .., ..10, ..13], recon, 1e-6);
    }
}
