using System.CommandLine;
using ViTok.Cli.Commands;

namespace ViTok.Tests.Cli;

public sealed class PretrainedCommandTests
{
    [Fact]
    public void List_PrintsEveryNameVariantCountAndAddress()
    {
        // Arrange
        var root = new RootCommand { PretrainedCommand.Create() };
        var output = new StringWriter();

        // Act
        int code = root.Parse("pretrained list").Invoke(new InvocationConfiguration { Output = output });

        // Assert
        string text = output.ToString();
        Assert.Equal(0, code);
        Assert.Matches(@"350M-f16x64\s+Ld4-Ld24/1x16x64\s+51\.26 M\s+303\.29 M\s+https://huggingface\.co/philippehansen/ViTok-v2-350M-f16x64", text);
        Assert.Matches(@"5B-f16x64\s+Td4-T/1x16x64\s+456\.\d\d M\s+4\.54 B", text);
        foreach (var m in ViTok.Models.V2Pretrained.All)
            Assert.Contains(m.Name, text);
    }
}
