using ViTok.Data;
using ViTok.Export;
using ViTok.Models.Paper;
using ViTok.Models.V2;
using ViTok.Tests.Support;
using Xunit.Abstractions;

namespace ViTok.Tests.Export;

/// <summary>Exported graphs run in ONNX Runtime and give TorchSharp's outputs (max abs ≤ 1e-4) for both families,
/// several batch sizes and grid shapes, and a v2 padded batch with masks.</summary>
[Collection(TorchCollection.Name)]
public sealed class OnnxExportTests(ITestOutputHelper output) : IDisposable
{
    private const double Tolerance = 1e-4;
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static double MaxAbs(Tensor a, Tensor b) => (a.to(ScalarType.Float32) - b.to(ScalarType.Float32)).abs().max().item<float>();

    private static PaperAutoencoder Paper(PaperConfig config, int seed)
    {
        torch.manual_seed(seed);
        var model = new PaperAutoencoder(config);
        using var noGrad = torch.no_grad();
        // The init leaves norms at (1, 0) and biases at 0: perturb every parameter so each one matters.
        foreach (var (_, p) in model.named_parameters()) p.add_(torch.randn_like(p) * 0.05);
        model.eval();
        return model;
    }

    private static V2Autoencoder V2(int seed)
    {
        torch.manual_seed(seed);
        var model = new V2Autoencoder(V2Config.FromVariant("Bw32d1h2-Bw32d2h2/1x4x8"));
        using var noGrad = torch.no_grad();
        // LayerScale starts at 1e-4 (blocks ≈ identity): set it and the norms to O(1) values.
        foreach (var (name, p) in model.named_parameters())
            if (name.EndsWith("gamma") || name.Contains("norm")) p.uniform_(0.5, 1.5);
        model.eval();
        return model;
    }

    private void CheckPaper(PaperAutoencoder model, OnnxCodec codec, long b, long t, long h, long w)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var video = torch.rand([b, 3, t, h, w]) * 2 - 1;
        var (mean, logVar) = model.EncodeMoments(video);                                   // [B, L, c]
        var grid = model.GridOf(video);
        var (oMean, oLogVar) = codec.EncodePaper(video);                                  // [B, t, h, w, c]
        Assert.Equal(new[] { b, grid.T, grid.H, grid.W, model.Config.Channels }, oMean.shape);
        var recon = model.Decode(mean, grid, asImage: false);
        var oRecon = codec.DecodePaper(mean.reshape(b, grid.T, grid.H, grid.W, -1));
        Assert.Equal(recon.shape, oRecon.shape);
        double dm = MaxAbs(mean, oMean.reshape(mean.shape)), dl = MaxAbs(logVar, oLogVar.reshape(logVar.shape)), dr = MaxAbs(recon, oRecon);
        output.WriteLine($"paper {model.Config.Variant} B={b} T={t} {h}x{w}: mean {dm:E2}, logvar {dl:E2}, pixels {dr:E2}");
        Assert.True(dm <= Tolerance && dl <= Tolerance && dr <= Tolerance, $"max abs mean {dm}, logvar {dl}, pixels {dr}");
    }

    [Fact]
    public void PaperImageModel_OnnxMatchesTorchSharp_AcrossBatchAndGridSizes()
    {
        using var model = Paper(TinyConfigs.Image(), 1601);
        var files = OnnxExport.Export(model, _dir.Path);
        Assert.Equal(["encoder.onnx", "decoder.onnx"], files.Select(Path.GetFileName));
        using var codec = OnnxCodec.Open(_dir.Path);
        CheckPaper(model, codec, 1, 1, 16, 16);   // square
        CheckPaper(model, codec, 3, 1, 12, 20);   // non-square
        CheckPaper(model, codec, 2, 1, 32, 8);    // tall
    }

    [Fact]
    public void PaperVideoModel_OnnxMatchesTorchSharp()
    {
        using var model = Paper(TinyConfigs.Video(), 1602);
        OnnxExport.Export(model, _dir.Path);
        using var codec = OnnxCodec.Open(_dir.Path);
        CheckPaper(model, codec, 2, 4, 8, 12);
        CheckPaper(model, codec, 1, 2, 16, 8);
    }

    [Theory]
    [InlineData(17)]
    [InlineData(18)]
    public void V2Model_OnnxMatchesTorchSharp_OnPaddedAndDenseBatches(int opset)
    {
        using var model = V2(1603);
        OnnxExport.Export(model, _dir.Path, opset: opset);
        using var codec = OnnxCodec.Open(_dir.Path);
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(1604);
        // A padded batch (9, 12 and 16 real tokens of 16) with different grids, then a dense non-square one, then B = 1.
        var cases = new (Tensor[] Images, int Budget)[]
        {
            ([torch.rand(3, 12, 12) * 2 - 1, torch.rand(3, 8, 24) * 2 - 1, torch.rand(3, 16, 16) * 2 - 1], 16),
            ([torch.rand(3, 8, 20) * 2 - 1, torch.rand(3, 8, 20) * 2 - 1], 10),
            ([torch.rand(3, 20, 12) * 2 - 1], 15),
        };
        foreach (var (images, budget) in cases)
        {
            using var batch = NaFlex.Patchify(images, 4, budget, resize: false);
            var z = model.Encode(batch);
            var oz = codec.EncodeV2(batch);
            var patches = model.Decode(z, batch);
            var op = codec.DecodeV2(z, batch);
            double dz = MaxAbs(z, oz), dp = MaxAbs(patches, op);
            output.WriteLine($"v2 opset {opset} B={images.Length} budget {budget} padded={!batch.PatchMask.all().item<bool>()}: z {dz:E2}, patches {dp:E2}");
            Assert.True(dz <= Tolerance && dp <= Tolerance, $"max abs z {dz}, patches {dp}");
        }
    }

    [Fact]
    public void ExternalData_IsWrittenAndLoaded()
    {
        using var model = Paper(TinyConfigs.Image(), 1605);
        var files = OnnxExport.Export(model, _dir.Path, OnnxPart.Decoder, externalThreshold: 0);
        Assert.Equal(["decoder.onnx", "decoder.onnx.data"], files.Select(Path.GetFileName));
        Assert.True(new FileInfo(files[0]).Length < 64 * 1024, "the weights stay out of the graph file");
        using var codec = OnnxCodec.Open(_dir.Path);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var z = torch.randn([2, 1, 3, 5, model.Config.Channels]);
        var expected = model.Decode(z.reshape(2, 15, -1), (1, 3, 5), asImage: false);
        Assert.True(MaxAbs(expected, codec.DecodePaper(z)) <= Tolerance);
    }

    [Fact]
    public void Metadata_CarriesTheLatentContract()
    {
        using var model = V2(1606);
        OnnxExport.Export(model, _dir.Path, OnnxPart.Encoder);
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(Path.Combine(_dir.Path, "encoder.onnx"));
        var meta = session.ModelMetadata.CustomMetadataMap;
        Assert.All(OnnxExport.MetadataKeys, k => Assert.True(meta.ContainsKey(k), k));
        Assert.Equal("v2", meta["vitok.family"]);
        Assert.Equal("8", meta["vitok.channels"]);
        Assert.Equal("encoder", meta["vitok.part"]);
        Assert.Equal(["batch", "tokens", ""], session.InputMetadata["patches"].SymbolicDimensions);
        Assert.False(File.Exists(Path.Combine(_dir.Path, "decoder.onnx")));
    }

    [Fact]
    public void UnsupportedOpset_IsAUserError()
    {
        using var model = V2(1607);
        var e = Assert.Throws<ViTokException>(() => OnnxExport.Export(model, _dir.Path, opset: 13));
        Assert.Contains("--opset", e.Message);
    }
}
