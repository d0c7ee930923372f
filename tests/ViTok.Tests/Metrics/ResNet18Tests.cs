using Microsoft.ML.OnnxRuntime;
using DenseTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;
using ViTok.IO;
using ViTok.Metrics;
using Xunit.Abstractions;

namespace ViTok.Tests.Metrics;

/// <summary>The TorchSharp rebuild of the packaged CNTK ResNet18 against ONNX Runtime running the original graphs,
/// on real photos (the golden metric crops, bilinearly resized to 224×224).</summary>
[Collection(Support.TorchCollection.Name)]
public class ResNet18Tests(ITestOutputHelper output)
{
    private static readonly string[] Photos = ["astronaut_jpeg_ref.png", "coffee_jpeg_ref.png", "chelsea_noise_test.png"];

    internal static Tensor LoadPhotos224()
    {
        using var scope = torch.NewDisposeScope();
        var images = torch.stack(Photos.Select(p => ImageIO.Load(GoldenMetrics.PathOf(p))));   // [3, 3, 128, 160]
        var x = F.interpolate(images, [224, 224], mode: InterpolationMode.Bilinear, align_corners: false);
        return x.MoveToOuterDisposeScope();
    }

    private static float[] RunOnnx(InferenceSession session, float[] input)
    {
        string name = session.InputMetadata.Keys.Single();
        var tensor = new DenseTensor(input, [1, 3, 224, 224]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(name, tensor)]);
        return results.Single().AsEnumerable<float>().ToArray();
    }

    [Fact]
    public void MatchesOnnxRuntimeOnRealPhotos()
    {
        // Arrange
        using var model = ResNet18.Load();
        using var images = LoadPhotos224();                                      // [3, 3, 224, 224] in [-1, 1]
        using var prepSession = new InferenceSession(ResNet18.DefaultPreprocessPath);
        using var netSession = new InferenceSession(ResNet18.DefaultModelPath);
        double prepDiff = 0, featDiff = 0, featScale = 0;

        for (int i = 0; i < images.shape[0]; i++)
        {
            using var scope = torch.NewDisposeScope();
            using var _ = torch.no_grad();
            var img = images[i].unsqueeze(0);
            float[] rgb255 = ((img + 1) * 127.5).contiguous().data<float>().ToArray();

            // Act: ONNX Runtime runs the package's two graphs; TorchSharp runs the rebuild.
            float[] prepOnnx = RunOnnx(prepSession, rgb255);
            float[] featOnnx = RunOnnx(netSession, prepOnnx);
            float[] prepTorch = model.Preprocess(img).contiguous().data<float>().ToArray();
            float[] featTorch = model.Features(img).contiguous().data<float>().ToArray();

            prepDiff = Math.Max(prepDiff, prepOnnx.Zip(prepTorch, (a, b) => Math.Abs(a - b)).Max());
            featDiff = Math.Max(featDiff, featOnnx.Zip(featTorch, (a, b) => Math.Abs(a - b)).Max());
            featScale = Math.Max(featScale, featOnnx.Max(Math.Abs));
            Assert.Equal(ResNet18.FeatureDim, featOnnx.Length);
        }

        // Assert
        output.WriteLine($"max |Δ| preprocess {prepDiff:E3}, features {featDiff:E3} (max |feature| {featScale:F3})");
        Assert.True(prepDiff <= 1e-4, $"preprocessing differs from ONNX Runtime by {prepDiff}");
        Assert.True(featDiff <= 1e-4, $"features differ from ONNX Runtime by {featDiff}");
        Assert.True(featScale > 0.1, "features are degenerate");
    }

    [Fact]
    public void FeaturesAreBatchedAndGradientsReachTheImage()
    {
        // Arrange
        using var model = ResNet18.Load();
        using var photos = LoadPhotos224();
        using var small = F.interpolate(photos, [96, 120], mode: InterpolationMode.Bilinear, align_corners: false);
        using var x = small.detach().requires_grad_(true);

        // Act: non-224 input is resized inside Features.
        using var f = model.Features(x);
        using var loss = f.square().sum();
        loss.backward();

        // Assert
        Assert.Equal(new long[] { 3, 512 }, f.shape);
        Assert.NotNull(x.grad);
        Assert.True(x.grad!.abs().sum().item<float>() > 0);
        Assert.All(model.parameters(), p => Assert.Null(p.grad));
    }

    [Fact]
    public void FeatureMapsHaveFiveStagesAtTheExpectedStrides()
    {
        // Arrange
        using var model = ResNet18.Load();
        using var x = torch.zeros(2, 3, 64, 96);

        // Act
        using var _ = torch.no_grad();
        var maps = model.FeatureMaps(x);

        // Assert
        Assert.Equal(new[] { "64x32x48", "64x16x24", "128x8x12", "256x4x6", "512x2x3" },
            maps.Select(m => $"{m.shape[1]}x{m.shape[2]}x{m.shape[3]}"));
        foreach (var m in maps) m.Dispose();
    }

    [Fact]
    public void AWrongOnnxFileIsReportedWithItsName()
    {
        // Arrange: the preprocessing graph is a valid ONNX file but not the network.
        string wrong = ResNet18.DefaultPreprocessPath;
        string garbage = Path.Combine(Path.GetTempPath(), $"resnet-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(garbage, [0x0a, 0xff, 0xff, 0x01]);

        // Act
        var e1 = Assert.Throws<ViTokException>(() => ResNet18.Load(wrong));
        var e2 = Assert.Throws<ViTokException>(() => ResNet18.Load(garbage));
        File.Delete(garbage);

        // Assert
        Assert.Contains(wrong, e1.Message);
        Assert.Contains(garbage, e2.Message);
    }

    [Fact]
    public void OnnxReaderSeesTheDocumentedGraph()
    {
        // Act
        var g = OnnxGraph.Read(ResNet18.DefaultModelPath);

        // Assert: facts measured with the onnx Python package (shared/notes/data-and-weights.md).
        Assert.Equal("CNTK", g.ProducerName);
        Assert.Equal(8, g.OpsetVersion);
        Assert.Equal(74, g.Nodes.Count);
        Assert.Equal(110, g.Initializers.Count);
        Assert.Equal(22, g.Nodes.Count(n => n.OpType == "Conv"));
        Assert.Equal(["Pooling395_Output_0"], g.Outputs);
        Assert.Equal(new long[] { 3, 3, 2, 2 }, g.Nodes.First(n => n.OpType == "Conv").Ints("pads"));
        long parameters = g.Initializers.Values.Sum(t => t.ElementCount);
        Assert.InRange(parameters, 15_900_000, 16_000_000);
    }
}
