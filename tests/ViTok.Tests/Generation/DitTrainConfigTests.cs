using ViTok.Training;
using ViTok.Tests.Support;
using ViTok.Generation;

namespace ViTok.Tests.Training;

public class DitTrainConfigTests
{
    [Fact]
    public void DefaultsAreThePapersRecipe()
    {
        var c = new DitTrainConfig();
        Assert.Equal(("L", "ddpm", 256, 1e-4, 0.9999, 0.1), (c.Variant, c.Diffusion.Kind, c.BatchSize, c.PeakLr, c.EmaDecay, c.ClassDropout));
        Assert.Equal(250, c.Diffusion.CreateProcess().DefaultSampleSteps);
        Assert.Equal(50, (c.Diffusion with { Kind = "flow" }).CreateProcess().DefaultSampleSteps);
    }

    [Fact]
    public void TheShippedCpuConfigLoadsAndOverridesApply()
    {
        var c = DitTrainConfigLoader.Load(Path.Combine(RepoPaths.Root, "configs", "dit-cpu.json"), ["steps=10", "diffusion.kind=ddpm"]);
        Assert.Equal(("Bw128d6h4", 10, "ddpm", 25), (c.Variant, c.Steps, c.Diffusion.Kind, c.Diffusion.SampleSteps));
    }

    [Theory]
    [InlineData("stepz=3", "stepz")]
    [InlineData("diffusion.kind=score", "diffusion.kind = 'score' is out of range: expected ddpm or flow.")]
    [InlineData("variant=B/2", "patch size 1")]
    [InlineData("class_dropout=1", "class_dropout")]
    [InlineData("latent_scale=0", "latent_scale")]
    public void BadKeysAndValuesAreNamed(string assignment, string expected)
    {
        var e = Assert.Throws<ViTokException>(() => DitTrainConfigLoader.Load(null, [assignment]));
        Assert.Contains(expected, e.Message);
    }
}
