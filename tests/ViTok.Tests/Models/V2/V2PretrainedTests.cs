using ViTok.Models;
using ViTok.Models.V2;

namespace ViTok.Tests.Models;

public sealed class V2PretrainedTests
{
    [Theory]
    [InlineData("350M-f16x16", "Ld4-Ld24/1x16x16")]
    [InlineData("350M-f16x32", "Ld4-Ld24/1x16x32")]
    [InlineData("350M-f16x64", "Ld4-Ld24/1x16x64")]
    [InlineData("5B-f16x16", "Td4-T/1x16x16")]
    [InlineData("5B-f16x32", "Td4-T/1x16x32")]
    [InlineData("5B-f16x64", "Td4-T/1x16x64")]
    [InlineData("5B-f32x64", "Td4-T/1x32x64")]
    [InlineData("5B-f32x128", "Td4-T/1x32x128")]
    [InlineData("5B-f32x256", "Td4-T/1x32x256")]
    public void Registry_HoldsEveryReleasedName(string name, string variant)
    {
        var m = V2Pretrained.TryGet(name);
        Assert.NotNull(m);
        Assert.Equal(variant, m.Variant);
        Assert.Equal($"philippehansen/ViTok-v2-{name}", m.HuggingFaceRepo);
        Assert.Equal(variant, m.Config.ToString());
    }

    [Fact]
    public void Registry_HasExactlyNineModelsAndFindsRepoNames()
    {
        Assert.Equal(9, V2Pretrained.All.Count);
        Assert.Equal("5B-f32x64", V2Pretrained.TryGet("ViTok-v2-5B-f32x64")?.Name);
        Assert.Equal("5B-f32x64", V2Pretrained.TryGet("philippehansen/ViTok-v2-5B-f32x64")?.Name);
        Assert.Null(V2Pretrained.TryGet("ViTok-v3"));
    }
}
