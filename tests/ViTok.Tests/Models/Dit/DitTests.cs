using System.Text;
using ViTok.Models;
using ViTok.Tests.Support;
using ViTok.Models.Dit;

namespace ViTok.Tests.Models;

[Collection(TorchCollection.Name)]
public class DitTests
{
    [Theory]
    [InlineData("XL", "XL", 1152, 28, 16)]
    [InlineData("DiT-L", "L", 1024, 24, 16)]
    [InlineData("B", "B", 768, 12, 12)]
    [InlineData("S", "S", 384, 12, 6)]
    [InlineData("Bw128d4h4", "Bw128d4h4", 128, 4, 4)]
    [InlineData("XLd2", "XLd2", 1152, 2, 16)]
    [InlineData("Bd12w96h4", "Bw96h4", 96, 12, 4)]
    public void VariantsParseAndPrintCanonically(string text, string canonical, int width, int depth, int heads)
    {
        var v = DitVariant.Parse(text);
        Assert.Equal((width, depth, heads), (v.Width, v.Depth, v.Heads));
        Assert.Equal(canonical, v.ToString());
        Assert.Equal(v, DitVariant.Parse(v.ToString()));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("Q", "unknown size")]
    [InlineData("XL/2", "patch size 1")]
    [InlineData("Bw100h3", "not divisible")]
    [InlineData("Bh0", "positive")]
    [InlineData("Bw32h8", "at least 6")]
    [InlineData("Bdd4", "needs a number")]
    public void BadVariantsSayWhy(string text, string reason)
    {
        var e = Assert.Throws<ViTokException>(() => DitVariant.Parse(text));
        Assert.Contains(reason, e.Message);
    }

    [Theory]
    [InlineData("B")]
    [InlineData("XL")]
    public void StateDictOnMetaMatchesApprovedKeysAndShapes(string variant)
    {
        // Arrange / Act: the paper's ImageNet setting, 256 tokens of c = 16, 1000 classes.
        torch.set_default_device(torch.META);
        try
        {
            using var dit = new Dit(DitConfig.FromVariant(variant, 16, 1000));
            var sd = dit.state_dict();
            var sb = new StringBuilder();
            sb.AppendLine($"# DiT-{variant}, c = 16, 1000 classes: {dit.ParameterCount} parameters");
            foreach (var (k, t) in sd.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                if (!k.StartsWith("blocks.", StringComparison.Ordinal) || k.StartsWith("blocks.0.", StringComparison.Ordinal))
                    sb.AppendLine($"{k} [{string.Join(", ", t.shape)}]");

            // Assert
            Approvals.Verify($"DitTests.StateDict.{variant}", sb.ToString());
            if (variant == "XL") Assert.InRange(dit.ParameterCount, 665_000_000, 685_000_000); // the paper's "DiT-XL, 675M"
        }
        finally
        {
            torch.set_default_device(torch.CPU);
        }
    }

    [Fact]
    public void AdaLnZeroInitStartsAtAZeroPredictionAndEveryOutputDependsOnTheGridPosition()
    {
        // Arrange
        torch.manual_seed(11);
        using var dit = new Dit(DitConfig.FromVariant("Bw32d2h2", 4, 3));
        var x = torch.randn(2, 12, 4);
        var t = torch.tensor(new float[] { 3, 700 });
        var y = torch.tensor(new long[] { 1, 3 });

        // Act / Assert: zero output at init (adaLN-Zero + zero output layer).
        using (torch.no_grad()) Assert.Equal(0.0, dit.Forward(x, t, y, (1, 3, 4)).abs().max().item<float>());

        // With trained-like weights, RoPE makes the model position-aware: permuting the tokens does not simply
        // permute the prediction; and the grid shape (2D vs 3D RoPE) changes it.
        using (torch.no_grad()) foreach (var p in dit.parameters()) p.add_(torch.randn_like(p) * 0.1);
        using var _ = torch.no_grad();
        var perm = torch.randperm(12);
        var a = dit.Forward(x, t, y, (1, 3, 4)).index_select(1, perm);
        var b = dit.Forward(x.index_select(1, perm), t, y, (1, 3, 4));
        Assert.True(TensorAssert.MaxAbsDiff(a, b) > 1e-3);
        Assert.True(TensorAssert.MaxAbsDiff(dit.Forward(x, t, y, (1, 3, 4)), dit.Forward(x, t, y, (3, 2, 2))) > 1e-3);
        Assert.False(dit.Forward(x, t, y, (3, 2, 2)).isnan().any().item<bool>());
    }

    [Fact]
    public void WrongLatentShapeIsAClearError()
    {
        using var dit = new Dit(DitConfig.FromVariant("Bw32d1h2", 4, 0));
        var e = Assert.Throws<ViTokException>(() => dit.Forward(torch.zeros(1, 10, 4), torch.zeros(1), torch.zeros(1, ScalarType.Int64), (1, 3, 4)));
        Assert.Contains("[B, 12, 4]", e.Message);
    }
}
