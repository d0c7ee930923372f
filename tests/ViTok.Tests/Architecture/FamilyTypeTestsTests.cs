using System.Text.RegularExpressions;
using ViTok.Tests.Support;

namespace ViTok.Tests.Architecture;

/// <summary>Callers go through <c>IAutoencoder</c> and <c>LatentCodec</c>: outside the family wings
/// (<c>Models/Paper</c>, <c>Models/V2</c>) and the loader that builds models (<c>Models/Autoencoders.cs</c>), no source
/// file tests an auto-encoder's concrete type or branches on its family tag.</summary>
public sealed partial class FamilyTypeTestsTests
{
    [GeneratedRegex(@"\b(is|as)\s+(not\s+)?(PaperAutoencoder|V2Autoencoder)\b|\bcase\s+(PaperAutoencoder|V2Autoencoder)\b|\.Family\s*[!=]=\s*(PaperConfig\.FamilyName|V2Config\.\w+|""paper""|""v2"")")]
    private static partial Regex TypeTest();

    // The loader builds a family's model from its files; the ONNX exporter picks the family's emitter (one emitter per
    // module, so a new family brings its own): the two places that must know the concrete family.
    private static readonly string[] Allowed = ["src/ViTok/Models/Paper/", "src/ViTok/Models/V2/", "src/ViTok/Models/Autoencoders.cs", "src/ViTok/Export/OnnxExport.cs"];

    [Fact]
    public void NoCallerTestsTheConcreteFamily()
    {
        // Arrange
        string root = RepoPaths.Root;
        var files = Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(f => !f.Contains("/obj/") && !f.Contains("/bin/") && !Allowed.Any(f.StartsWith));

        // Act
        var hits = files.SelectMany(f => File.ReadLines(Path.Combine(root, f)).Select((line, i) => (f, i, line)))
            .Where(t => TypeTest().IsMatch(t.line))
            .Select(t => $"{t.f}:{t.i + 1}: {t.line.Trim()}")
            .ToList();

        // Assert
        Assert.True(hits.Count == 0, "type tests on the model family outside the wings (use IAutoencoder's capabilities):\n  " + string.Join("\n  ", hits));
    }

    [Fact]
    public void ThePatternFindsATypeTest()
    {
        Assert.Matches(TypeTest(), "if (ae is not PaperAutoencoder paper)");
        Assert.Matches(TypeTest(), "            case V2Autoencoder v2:");
        Assert.Matches(TypeTest(), "if (model.Family != PaperConfig.FamilyName) return;");
        Assert.DoesNotMatch(TypeTest(), "if (contract.Family != ae.Family)");
    }
}
