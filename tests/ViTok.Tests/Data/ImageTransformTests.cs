using ViTok.Data;
using ViTok.Tests.Support;

namespace ViTok.Tests.Data;

[Collection(TorchCollection.Name)]
public sealed class ImageTransformTests
{
    [Theory]
    [InlineData(200, 300, 100)] // downscale, landscape
    [InlineData(301, 180, 64)]  // downscale, portrait, odd sizes
    [InlineData(20, 30, 48)]    // upscale
    public void Eval_MatchesTorchAntialiasedBilinearThenCentreCrop(int h, int w, int size)
    {
        // Arrange
        var rgb = ImageFixtures.RandomRgb(h, w, h + w);
        var tf = ImageTransform.ForEval(size);
        int rh = h <= w ? size : size * h / w, rw = h <= w ? size * w / h : size;
        int top = (int)Math.Round((rh - size) / 2.0), left = (int)Math.Round((rw - size) / 2.0);

        // Act
        var got = tf.Apply(rgb, h, w, new DataRng(0), out var plan);
        using var img = torch.tensor(rgb, ScalarType.Byte).reshape(h, w, 3).permute(2, 0, 1).to(ScalarType.Float32).unsqueeze(0);
        using var resized = F.interpolate(img, [rh, rw], null, InterpolationMode.Bilinear, false, false, true);
        using var reference = resized[0, .., top..(top + size), left..(left + size)].round().clamp(0, 255).div(127.5).sub(1).contiguous();
        var expected = reference.data<float>().ToArray();

        // Assert: same geometry; values within one 8-bit level (float summation order differs).
        Assert.Equal((size, size, rh, rw, top, left), (plan.OutHeight, plan.OutWidth, plan.ResizeHeight, plan.ResizeWidth, plan.OutTop, plan.OutLeft));
        float maxDiff = got.Zip(expected, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(maxDiff <= 1.0f / 127.5f + 1e-5f, $"max |diff| {maxDiff * 127.5f:0.###} levels");
    }

    [Fact]
    public void Train_CropsStayInsideTheScaleAndRatioRanges()
    {
        // Arrange
        var tf = ImageTransform.ForTraining(64);
        int flips = 0, n = 2000;

        // Act / Assert
        for (int i = 0; i < n; i++)
        {
            var p = tf.Plan(300, 400, DataRng.For(3, 0, i));
            double area = (double)p.SrcHeight * p.SrcWidth / (300 * 400), ratio = (double)p.SrcWidth / p.SrcHeight;
            Assert.InRange(area, 0.79, 1.0);
            Assert.InRange(ratio, 0.74, 1.35);
            Assert.InRange(p.SrcTop, 0, 300 - p.SrcHeight);
            Assert.InRange(p.SrcLeft, 0, 400 - p.SrcWidth);
            Assert.Equal((64, 64), (p.OutHeight, p.OutWidth));
            flips += p.Flip ? 1 : 0;
        }
        Assert.InRange(flips, n * 0.45, n * 0.55);
    }

    [Fact]
    public void Train_IsDeterministicPerRngSeed()
    {
        // Arrange
        var tf = ImageTransform.ForTraining(32);
        var rgb = ImageFixtures.RandomRgb(50, 60, 9);

        // Act
        var a = tf.Apply(rgb, 50, 60, DataRng.For(1, 2, 3), out var pa);
        var b = tf.Apply(rgb, 50, 60, DataRng.For(1, 2, 3), out var pb);
        var c = tf.Apply(rgb, 50, 60, DataRng.For(1, 2, 4), out var pc);

        // Assert
        Assert.Equal(pa, pb);
        Assert.Equal(a, b);
        Assert.NotEqual(pa, pc);
    }

    [Fact]
    public void Flip_MirrorsTheCopy()
    {
        // Arrange: a plan that copies the image and flips it.
        var rgb = ImageFixtures.RandomRgb(4, 5, 4);
        var plan = CropPlan.Identity(4, 5) with { Flip = true };
        var dst = new float[3 * 20];

        // Act
        ImageTransform.Apply(rgb, 4, 5, plan, dst, 20);

        // Assert
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 5; x++)
                for (int c = 0; c < 3; c++)
                    Assert.Equal(rgb[(y * 5 + 4 - x) * 3 + c] / 127.5f - 1f, dst[c * 20 + y * 5 + x]);
    }

    [Fact]
    public void ApplyClip_UsesOneCropAndFlipForAllFrames()
    {
        // Arrange: three identical frames.
        var frame = ImageFixtures.RandomRgb(40, 50, 5);
        byte[] clip = [.. frame, .. frame, .. frame];
        var tf = ImageTransform.ForTraining(24);

        // Act
        var got = tf.ApplyClip(clip, 3, 40, 50, DataRng.For(0, 0, 11), out var plan);
        var single = tf.Apply(frame, 40, 50, DataRng.For(0, 0, 11), out var singlePlan);

        // Assert: layout [3, T, S, S]; every frame equals the single-image result with the same plan.
        Assert.Equal(singlePlan, plan);
        int plane = 24 * 24;
        for (int c = 0; c < 3; c++)
            for (int t = 0; t < 3; t++)
                Assert.Equal(single.AsSpan(c * plane, plane).ToArray(), got.AsSpan((c * 3 + t) * plane, plane).ToArray());
    }
}
