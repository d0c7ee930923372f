using ViTok.Evaluation;
using ViTok.IO;
using ViTok.Plots;
using ViTok.Tests.Support;

namespace ViTok.Tests.Plots;

[Collection(TorchCollection.Name)]
public class PicturesTests
{
    [Fact]
    public void LossCurveReadsFiniteLossesAndWritesAnRgbPng()
    {
        using var tmp = new TempDir();
        File.WriteAllLines(tmp.File("metrics.jsonl"),
        [
            """{"step":1,"loss":2.5,"reconstruction":2.0}""",
            """{"step":2,"loss":null,"reconstruction":null}""",
            """{"step":3,"loss":1.25,"reconstruction":1.0}""",
            """{"step":4,"lo""",
        ]);

        var (steps, loss) = LossCurve.Read(tmp.File("metrics.jsonl"), "loss");
        string? png = LossCurve.Write(tmp.Path);

        Assert.Equal([1.0, 3.0], steps);
        Assert.Equal([2.5, 1.25], loss);
        Assert.Equal(Path.Combine(tmp.Path, "loss.png"), png);
        var header = ImageIO.ReadHeader(png!);
        Assert.Equal(("png", 800, 450), (header.Format.ToLowerInvariant(), header.Width, header.Height));
    }

    [Fact]
    public void LossCurveOfAFolderWithoutLossesIsNull()
    {
        using var tmp = new TempDir();
        Assert.Null(LossCurve.Write(tmp.Path));
        File.WriteAllText(tmp.File("metrics.jsonl"), """{"step":1,"loss":null}""" + "\n");
        Assert.Null(LossCurve.Write(tmp.Path));
    }

    [Fact]
    public void LabelledGridUpscalesTilesByWholeFactorsAndKeepsTheirColours()
    {
        // Two rows of two 8×8 tiles: red and blue above, green and black below.
        var red = torch.tensor(new float[] { 1, -1, -1 }).reshape(3, 1, 1).expand(3, 8, 8);
        var blue = torch.tensor(new float[] { -1, -1, 1 }).reshape(3, 1, 1).expand(3, 8, 8);
        var green = torch.tensor(new float[] { -1, 1, -1 }).reshape(3, 1, 1).expand(3, 8, 8);
        var black = torch.full(3, 8, 8, -1f);

        var (rgb, h, w) = LabelledGrid.Render([torch.stack([red, blue]), torch.stack([green, black])], ["top", "bottom"], ["a", "b"], tileSide: 32);

        // Tiles are 32×32 (×4); with a font, a label column is on the left and a caption line below.
        int label = PlotFonts.FontFile is null ? 0 : w - (4 + 2 * (32 + 4));
        Assert.Equal(4 + 2 * (32 + 4) + label, w);
        Assert.Equal(4 + 2 * (32 + 4) + (PlotFonts.FontFile is null ? 0 : 18), h);
        byte[] Pixel(int y, int x) => rgb.AsSpan((y * w + x) * 3, 3).ToArray();
        Assert.Equal([255, 0, 0], Pixel(4 + 16, label + 4 + 16));
        Assert.Equal([0, 0, 255], Pixel(4 + 16, label + 4 + 36 + 16));
        Assert.Equal([0, 255, 0], Pixel(4 + 36 + 16, label + 4 + 16));
        Assert.Equal([0, 0, 0], Pixel(4 + 36 + 31, label + 4 + 36 + 31));
        Assert.Equal([255, 255, 255], Pixel(1, w - 1));
    }

    [Fact]
    public void RelativeErrorIsMseOverThePixelVarianceOfTheOriginal()
    {
        // Original alternates −1/1 (variance 1); the reconstruction is off by 0.1 everywhere (MSE 0.01).
        var x = torch.tensor(new float[] { -1, 1, -1, 1, -1, 1 }).reshape(1, 3, 1, 2);
        var flat = torch.full(1, 3, 1, 2, -0.9f);                                   // dark and flat: variance floored
        var both = torch.cat([x, flat]);
        var recon = torch.cat([torch.add(x, 0.1f), torch.full(1, 3, 1, 2, -1f)]);

        double[] rel = ReconstructionEvaluator.RelativeErrors(both, recon);

        Assert.Equal(0.01, rel[0], 6);
        Assert.Equal(0.01 / (4.0 / (255.0 * 255.0)), rel[1], 1);                     // float32 inputs: 0.1 is not exact                     // a tiny MSE, yet the worst
    }

    [Fact]
    public void UnderTrainedDemoResultsAreMarked()
    {
        var good = new ViTok.Demos.DemoResult(25.3, 0.85, 0.3, 256, 583, 216, 10000, 19.1, 0.61, 243, 23.5, 0.85, 256, "v", 4);
        var fewSteps = good with { Steps = 20 };
        var belowBicubic = good with { Psnr = 23.0 };

        Assert.False(good.UnderTrained);
        Assert.True(fewSteps.UnderTrained);
        Assert.True(belowBicubic.UnderTrained);
        Assert.StartsWith("UNDER-TRAINED: 20 training steps in 216 s", fewSteps.Verdict);
    }
}
