using ViTok.Tests.Support;
using ViTok.Models.V2;

namespace ViTok.Tests.Cli;

[Collection(TorchCollection.Name)]
public sealed class PretrainedCommandTests
{
    [Fact]
    public void List_PrintsEveryNameVariantCountAndAddress()
    {
        // Act
        var (exit, text, _) = CliRunner.Run("pretrained", "list");

        // Assert
        Assert.Equal(0, exit);
        Assert.Matches(@"350M-f16x64\s+Ld4-Ld24/1x16x64\s+51\.26 M\s+303\.29 M\s+https://huggingface\.co/philippehansen/ViTok-v2-350M-f16x64", text);
        Assert.Matches(@"5B-f16x64\s+Td4-T/1x16x64\s+456\.\d\d M\s+4\.54 B", text);
        foreach (var m in ViTok.Models.V2.V2Pretrained.All)
            Assert.Contains(m.Name, text);
    }
}
