using ViTok.Models.Paper;
using ViTok.Tests.Support;

namespace ViTok.Tests.Models;

[Collection(TorchCollection.Name)]
public class TubeletTests
{
    [Theory]
    [InlineData(1, 4)]
    [InlineData(2, 2)]
    public void EmbedEqualsTheStridedConvolutionItComputes(int q, int p)
    {
        // Arrange: a video whose sides are tubelet multiples, the module's own kernel.
        torch.manual_seed(1);
        using var embed = new TubeletEmbed(16, q, p);
        var x = torch.randn([2, 3, 2 * q, 3 * p, 5 * p]);
        var parameters = embed.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter);
        var (weight, bias) = (parameters["proj.weight"], parameters["proj.bias"]);
        torch.nn.init.normal_(bias);   // a non-zero bias, so its placement is checked too

        // Act
        var tokens = embed.call(x);
        var conv = F.conv3d(x, weight, bias, strides: [q, p, p]).flatten(2).transpose(1, 2);

        // Assert: [B, N, W] in raster order (t, row, col), the convolution's values.
        Assert.Equal(new long[] { 2, 2 * 3 * 5, 16 }, tokens.shape);
        Assert.True(torch.allclose(conv, tokens, rtol: 1e-5, atol: 1e-5));
    }

    [Theory]
    [InlineData(1, 4)]
    [InlineData(2, 2)]
    public void DecodeEqualsTheTransposedConvolutionItComputesWithTheSameGradients(int q, int p)
    {
        // Arrange
        torch.manual_seed(2);
        using var decode = new TubeletDecode(16, q, p);
        var parameters = decode.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter);
        var (weight, bias) = (parameters["proj.weight"], parameters["proj.bias"]);
        torch.nn.init.normal_(bias);
        (long T, long H, long W) grid = (2, 3, 5);
        var tokens = torch.randn(2, 30, 16);
        var upstream = torch.randn([2, 3, 2 * q, 3 * p, 5 * p]);

        // Act
        var pixels = decode.call(tokens, grid);
        (pixels * upstream).sum().backward();
        var weightGrad = weight.grad!.clone();
        weight.grad!.zero_();
        var g = tokens.reshape(2, 2, 3, 5, 16).permute(0, 4, 1, 2, 3);
        var conv = F.conv_transpose3d(g, weight, bias, strides: [q, p, p]);
        (conv * upstream).sum().backward();

        // Assert
        Assert.Equal(conv.shape, pixels.shape);
        Assert.True(torch.allclose(conv, pixels, rtol: 1e-5, atol: 1e-5));
        Assert.True(torch.allclose(weight.grad!, weightGrad, rtol: 1e-4, atol: 1e-4));
    }
}
