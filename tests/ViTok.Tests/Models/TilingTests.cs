using ViTok.Models;
using ViTok.Models.Paper;
using ViTok.Tests.Support;

namespace ViTok.Tests.Models;

[Collection(TorchCollection.Name)]
public sealed class TilingTests
{
    [Fact]
    public void Origins_CoverTheAxisWithTheOverlap_LastTileFlush()
    {
        Assert.Equal([0L], Tiling.Origins(10, 16, 4));
        Assert.Equal([0L, 12, 24, 34], Tiling.Origins(50, 16, 4));
        Assert.Equal(12, Tiling.TileCount(50, 40, 16, 4));   // 4 × 3
    }

    [Fact]
    public void OneTile_EqualsTheUntiledPass()
    {
        torch.manual_seed(31);
        using var model = new PaperAutoencoder(TinyConfigs.Image());
        model.eval();
        var image = torch.rand(3, 16, 12) * 2 - 1;
        var z = Tiling.Encode(model, image, tile: 16, overlap: 4);
        using var latents = model.Encode(image.unsqueeze(0));
        TensorAssert.Close(latents.Z, z, 1e-6, "latents");
        var px = Tiling.Decode(model, z, 16, 12, tile: 16, overlap: 4);
        TensorAssert.Close(model.Decode(latents.Z, latents.Grid.Dims, asImage: true)[0], px, 1e-6, "pixels");
    }

    [Fact]
    public void ManyTiles_GiveTheUntiledShapes_AndReportProgress()
    {
        torch.manual_seed(32);
        using var model = new PaperAutoencoder(TinyConfigs.Image());
        model.eval();
        var ramp = torch.linspace(-0.8, 0.8, 40);
        var image = torch.stack([ramp.unsqueeze(1).expand(40, 40), ramp.unsqueeze(0).expand(40, 40), torch.zeros(40, 40)]);
        var progress = new List<(int, int)>();
        var z = Tiling.Encode(model, image, tile: 16, overlap: 8, progress: (d, n) => progress.Add((d, n)));
        Assert.Equal(new long[] { 1, 100, model.Config.Channels }, z.shape);
        Assert.Equal(Enumerable.Range(1, 16).Select(i => (i, 16)), progress);
        Assert.Equal(16, Tiling.TileCount(40, 40, 16, 8));
        var recon = Tiling.Reconstruct(model, image, tile: 16, overlap: 8);
        Assert.Equal(image.shape, recon.shape);
        Assert.True(recon.isfinite().all().item<bool>());
    }

    [Theory]
    [InlineData(50, 16, 4, 0)]
    [InlineData(29, 16, 4, 0)]      // the last pair shares more than the overlap
    [InlineData(64, 24, 4, 4)]      // margins
    [InlineData(17, 16, 8, 0)]
    [InlineData(100, 32, 0, 4)]     // no blend band: a hard cut in the middle of the shared part
    public void LayoutWeights_SumToOne_AndCoverTheAxis(long length, long window, long overlap, long margin)
    {
        var spans = Tiling.Layout(length, window, margin, overlap);
        var total = new double[length];
        foreach (var s in spans)
        {
            Assert.True(s.WindowStart >= 0 && s.WindowStart + s.WindowLength <= length, "window inside the axis");
            Assert.True(s.CoreStart >= s.WindowStart && s.CoreEnd <= s.WindowStart + s.WindowLength, "core inside the window");
            Assert.Equal(Math.Min(window, length), s.WindowLength);
            Assert.All(s.Weights, w => Assert.InRange(w, 0f, 1f));
            for (long x = 0; x < s.CoreLength; x++) total[s.CoreStart + x] += s.Weights[x];
        }
        Assert.All(total, t => Assert.Equal(1.0, t, 6));
        // Where two cores share at least the overlap, the first tile's weight is the raised-cosine fall over a centred band.
        if (spans.Count >= 3 && overlap > 0)
        {
            var (a, b) = (spans[0], spans[1]);
            long shared = a.CoreEnd - b.CoreStart, start = b.CoreStart + (shared - overlap) / 2;
            for (long i = 0; i < overlap; i++)
                Assert.Equal(0.5 + 0.5 * Math.Cos(Math.PI * (i + 0.5) / overlap), a.Weights[start + i - a.CoreStart], 5);
        }
    }

    [Theory]
    [InlineData(40, 28, 16, 4, 0, true)]
    [InlineData(40, 28, 16, 4, 0, false)]
    [InlineData(44, 36, 24, 4, 4, true)]
    [InlineData(33, 50, 16, 8, 0, true)]    // padded to the patch multiple
    public void APerTokenModel_TiledEqualsUntiled(int h, int w, int tile, int overlap, int margin, bool harmonise)
    {
        // Attention output projections zeroed: no token sees another, so a tile sees all a token depends on, and the
        // blend (weights summing to 1), the cropping, the margins and the harmonisation must give the untiled result.
        torch.manual_seed(33);
        using var model = new PaperAutoencoder(TinyConfigs.Image());
        model.eval();
        using (torch.no_grad())
            foreach (var (name, param) in model.named_parameters().Where(e => e.name.EndsWith("attn.proj.weight", StringComparison.Ordinal)))
                param.zero_();
        var image = torch.rand(3, h, w) * 2 - 1;
        using var whole = LatentCodec.EncodeImage(model, image, "image");
        var untiled = LatentCodec.DecodeImage(model, whole);
        var tiled = Tiling.Reconstruct(model, image, tile, overlap, margin, harmonise);
        TensorAssert.Close(untiled, tiled, 1e-5, "pixels");
        if (h % 4 == 0 && w % 4 == 0)
        {
            var z = Tiling.Encode(model, image, tile, overlap, margin, harmonise);
            Assert.Equal(new long[] { 1, h / 4 * (w / 4), model.Config.Channels }, z.shape);   // the untiled grid's shape
            TensorAssert.Close(whole.Z.unsqueeze(0), z, 1e-5, "latents");
        }
    }

    [Fact]
    public void Harmonisation_RemovesTheTilesGlobalContextOffsets()
    {
        // z = x + mean(window): unharmonised tiles disagree by their windows' mean colours; harmonised, the tiled result
        // differs from the untiled one by one constant colour only (the mean of the windows' means vs the image's mean).
        using var model = new GlobalMeanAutoencoder();
        var yy = torch.linspace(-1, 1, 64).unsqueeze(1).expand(64, 80);
        var xx = torch.linspace(-1, 1, 80).unsqueeze(0).expand(64, 80);
        var image = torch.stack([yy * 0.8, xx * 0.6, (yy * xx).Times(0.5)]);
        using var whole = model.Encode(image.unsqueeze(0));
        var untiled = model.Decode(whole.Z, whole.Grid)[0];
        var plain = Tiling.Reconstruct(model, image, tile: 24, overlap: 8, harmonise: false);
        var harmonised = Tiling.Reconstruct(model, image, tile: 24, overlap: 8, harmonise: true);
        double Spread(Tensor d) => (d - d.mean([1L, 2L], keepdim: true)).abs().max().item<float>();
        Assert.True(Spread(plain - untiled) > 0.1, $"unharmonised tiles should disagree (spread {Spread(plain - untiled)})");
        Assert.True(Spread(harmonised - untiled) < 1e-4, $"harmonised: tiled − untiled should be one colour, spread {Spread(harmonised - untiled)}");
        // The seam metric: gradient energy across the blend bands over that elsewhere, tiled at most 1.1 × untiled.
        var (seamPlain, seamUntiled, seamHarmonised) = (SeamRatio(plain, 24, 8), SeamRatio(untiled, 24, 8), SeamRatio(harmonised, 24, 8));
        Assert.True(seamPlain > 1.5 * seamUntiled, $"the metric should see the unharmonised seams ({seamPlain} vs {seamUntiled})");
        Assert.True(seamHarmonised <= 1.1 * seamUntiled, $"seams: tiled {seamHarmonised} vs untiled {seamUntiled}");
    }

    [Fact]
    public void TinyModel_SeamEnergy_WithinAFactorOfTheUntiled()
    {
        // A tiny paper model with global attention: tiles differ from the whole image, but no seam may show; the gradient
        // energy across the blend bands, relative to elsewhere, may exceed the untiled image's by at most 1.25×.
        torch.manual_seed(34);
        using var model = new PaperAutoencoder(TinyConfigs.Image());
        model.eval();
        var yy = torch.linspace(-1, 1, 64).unsqueeze(1).expand(64, 64);
        var xx = torch.linspace(-1, 1, 64).unsqueeze(0).expand(64, 64);
        var image = torch.stack([yy * 0.7, (xx * 3).sin() * 0.5, (yy * xx).Times(0.6)]);
        using var whole = LatentCodec.EncodeImage(model, image, "image");
        var untiled = LatentCodec.DecodeImage(model, whole);
        var tiled = Tiling.Reconstruct(model, image, tile: 24, overlap: 8);
        double t = SeamRatio(tiled, 24, 8), u = SeamRatio(untiled, 24, 8);
        Assert.True(t <= 1.25 * u, $"seam energy ratio tiled {t:F3} vs untiled {u:F3}");
    }

    // Mean squared difference of neighbouring pixels across the blend bands of a tile × tile layout with this overlap
    // (horizontal differences in the bands' columns, vertical ones in their rows) over the same elsewhere.
    private static double SeamRatio(Tensor image, long tile, long overlap)
    {
        long h = image.shape[1], w = image.shape[2];
        bool[] Bands(long length)
        {
            var band = new bool[length - 1];
            foreach (var s in Tiling.Layout(length, tile, 0, overlap))
                for (long x = 0; x < s.CoreLength; x++)
                    if (s.Weights[x] is > 0f and < 1f && s.CoreStart + x < length - 1) band[s.CoreStart + x] = true;
            return band;
        }
        var dx = (image[.., .., 1..] - image[.., .., ..^1]).pow(2).mean([0L]);             // [H, W−1]
        var dy = (image[.., 1.., ..] - image[.., ..^1, ..]).pow(2).mean([0L]);             // [H−1, W]
        var cols = torch.tensor(Bands(w)); var rows = torch.tensor(Bands(h));
        double inBand = (dx.index_select(1, cols.nonzero().flatten()).sum().item<float>() + dy.index_select(0, rows.nonzero().flatten()).sum().item<float>())
                        / (cols.sum().item<long>() * h + rows.sum().item<long>() * w);
        double outside = (dx.index_select(1, cols.logical_not().nonzero().flatten()).sum().item<float>() + dy.index_select(0, rows.logical_not().nonzero().flatten()).sum().item<float>())
                         / (cols.logical_not().sum().item<long>() * h + rows.logical_not().sum().item<long>() * w);
        return inBand / outside;
    }

    [Fact]
    public void ATokenBudgetFamily_IsRefused()
    {
        using var model = new ViTok.Tests.Evaluation.IdentityAutoencoder();          // fits any size itself
        var e = Assert.Throws<ViTokException>(() => Tiling.Encode(model, torch.zeros(3, 16, 16), tile: 16, overlap: 4));
        Assert.Contains("fixed patch grid", e.Message);
    }
}
