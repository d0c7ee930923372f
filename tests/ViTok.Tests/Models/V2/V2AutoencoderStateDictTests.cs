using System.Text;
using ViTok.Models;
using ViTok.Tests.Support;
using ViTok.Models.V2;

namespace ViTok.Tests.Models;

[Collection(TorchCollection.Name)]
public sealed class V2AutoencoderStateDictTests
{
    [Theory]
    [InlineData("350M-f16x64")]
    [InlineData("5B-f16x64")]
    public void StateDict_OnMeta_MatchesApprovedKeysAndShapes(string name)
    {
        // Arrange
        var config = V2Config.FromName(name);

        // Act: the meta device allocates no weights, so the 5B model builds in milliseconds.
        var model = new V2Autoencoder(config, V2Parts.Both, torch.META);
        var sd = model.state_dict();

        // Assert
        var sb = new StringBuilder();
        sb.AppendLine($"# {name} = {config}: encoder {config.EncoderParameterCount} parameters, decoder {config.DecoderParameterCount}");
        foreach (var (k, t) in sd.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            sb.AppendLine($"{k} [{string.Join(", ", t.shape)}]");
        Approvals.Verify($"V2AutoencoderStateDictTests.{name}", sb.ToString());
        Assert.Equal(config.EncoderDepth * 8 + 4 + config.DecoderDepth * 8 + 4, sd.Count);
    }

    [Fact]
    public void StateDict_350M_HasReferenceShapes()
    {
        // Shapes quoted by the reference digest (§3.1) for 350M-f16x64.
        var sd = new V2Autoencoder(V2Config.FromName("350M-f16x64"), V2Parts.Both, torch.META).state_dict();
        Assert.Equal(new long[] { 1024, 768 }, sd["patch_embed.weight"].shape);
        Assert.Equal(new long[] { 3072, 1024 }, sd["encoder_blocks.0.attn.qkv_proj.weight"].shape);
        Assert.Equal(new long[] { 5472, 1024 }, sd["encoder_blocks.3.ffn.fc1.weight"].shape);
        Assert.Equal(new long[] { 1024, 2736 }, sd["encoder_blocks.3.ffn.fc2.weight"].shape);
        Assert.Equal(new long[] { 64 }, sd["encoder_blocks.0.attn.norm_q.weight"].shape);
        Assert.Equal(new long[] { 64, 1024 }, sd["to_code.weight"].shape);
        Assert.Equal(new long[] { 768, 1024 }, sd["to_pixels.weight"].shape);
        Assert.Equal(36, sd.Keys.Count(k => k.StartsWith("patch_embed.") || k.StartsWith("encoder_blocks.") || k.StartsWith("to_code.")));
        Assert.Equal(196, sd.Keys.Count(k => k.StartsWith("decoder_embed.") || k.StartsWith("decoder_blocks.") || k.StartsWith("to_pixels.")));
    }

    [Fact]
    public void StateDict_5B_HasReferenceShapes()
    {
        var sd = new V2Autoencoder(V2Config.FromName("5B-f16x64"), V2Parts.Both, torch.META).state_dict();
        Assert.Equal(new long[] { 9216, 3072 }, sd["decoder_blocks.39.attn.qkv_proj.weight"].shape);
        Assert.Equal(new long[] { 16416, 3072 }, sd["decoder_blocks.0.ffn.fc1.weight"].shape);
        Assert.Equal(new long[] { 3072, 8208 }, sd["encoder_blocks.0.ffn.fc2.weight"].shape);
        Assert.Equal(new long[] { 128 }, sd["decoder_blocks.0.attn.norm_k.weight"].shape);
        Assert.Equal(new long[] { 3072, 768 }, sd["patch_embed.weight"].shape);
    }
}
