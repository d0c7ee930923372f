using System.Text.Json.Nodes;
using ViTok.Diffusion;
using ViTok.Generation;
using ViTok.Tests.Support;
using ViTok.Demos;

namespace ViTok.Tests.Generation;

[Collection(TorchCollection.Name)]
public class GenerationDemoTests
{
    [Fact]
    public void TheDemoWritesTheGridAndTheThreeDistances()
    {
        // Arrange: a tiny random tokenizer, 256 training images, seconds of training, 24 samples per distance.
        Requirements.FashionMnist();
        using var tmp = new TempDir();
        string tok = GenerationFixtures.Tokenizer(tmp.File("tok.safetensors"));
        var options = new GenerationDemoOptions
        {
            Variant = "Bw32d1h2",
            Diffusion = new DiffusionConfig { Kind = "flow", SampleSteps = 3 },
            BatchSize = 16,
            TrainItems = 256,
            FdSamples = 24,
            CodecBatch = 64,
        };

        // Act
        var r = GenerationDemo.Run(tok, tmp.File("demo"), minutes: 0.05, options);

        // Assert
        var json = JsonNode.Parse(File.ReadAllText(tmp.File("demo/generation.json")))!;
        foreach (var key in new[] { "fd_model", "fd_noise", "fd_real_latents" })
            Assert.True(json[key]!.GetValue<double>() >= 0, key);
        Assert.Equal("fd_resnet18", json["metric"]!.GetValue<string>());
        Assert.Equal(r.FdModel, json["fd_model"]!.GetValue<double>());
        Assert.True(File.Exists(r.Grid));
        Assert.True(r.TrainSteps >= 1);
        Assert.Equal(24, r.Samples);
    }
}
