using ViTok.IO;
using ViTok.Metrics;
using ViTok.Tests.Support;

namespace ViTok.Tests.Metrics;

/// <summary>The TorchScript call path of the FVD detector, on tiny stand-ins for StyleGAN-V's i3d_torchscript.pt
/// (tools/make_detector_fixture.py).</summary>
[Collection(TorchCollection.Name)]
public class FvdI3dTests
{
    private static string Fixture(string name) => RepoPaths.Fixtures("torchscript", name);

    [Fact]
    public void CallsForwardWithTheStyleGanVFlagsAndGetsTheFeatures()
    {
        // Arrange
        using var detector = FvdI3d.Load(Fixture("tiny_detector.pt"));
        using var input = Npy.Read(Fixture("detector_input.npy"));
        using var expected = Npy.Read(Fixture("detector_features.npy"));

        // Act
        using var features = detector.Detect(input);

        // Assert: rescale = False, resize = False, return_features = True (the softmax head would give [2, 3]).
        Assert.Equal(new object[] { false, false, true }, detector.FlagArguments);
        Assert.Equal(new long[] { 2, 6 }, features.shape);
        TensorAssert.Close(expected, features, atol: 1e-5);
    }

    [Fact]
    public void PlacesTheFlagsByNameWhenForwardOrdersThemDifferently()
    {
        using var detector = FvdI3d.Load(Fixture("tiny_detector_reordered.pt"));
        using var input = Npy.Read(Fixture("detector_input.npy"));
        using var expected = Npy.Read(Fixture("detector_features.npy"));

        using var features = detector.Detect(input);

        // forward(x, return_features, rescale, resize)
        Assert.Equal(new object[] { true, false, false }, detector.FlagArguments);
        TensorAssert.Close(expected, features, atol: 1e-5);
    }

    [Fact]
    public void FeaturesResizesClipsTo224()
    {
        // Arrange: constant clips survive the trilinear resize unchanged, so the features equal those of the raw clip.
        using var detector = FvdI3d.Load(Fixture("tiny_detector.pt"));
        using var clips = torch.linspace(-0.8, 0.8, 6).view(2, 3, 1, 1, 1).expand(2, 3, 4, 16, 16).contiguous();

        // Act
        using var resized = detector.Features(clips);
        using var direct = detector.Detect(clips);

        // Assert
        Assert.Equal(new long[] { 2, 6 }, resized.shape);
        TensorAssert.Close(direct, resized, atol: 1e-5);
    }

    [Fact]
    public void MissingOrForeignFilesAreReportedWithTheirNames()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"no-{Guid.NewGuid():N}", FvdI3d.WeightsFileName);
        string stateDict = RepoPaths.Fixtures("pytorch", "tiny_zip.pth");

        var e1 = Assert.Throws<ViTokException>(() => FvdI3d.Load(missing).Dispose());
        var e2 = Assert.Throws<ViTokException>(() => FvdI3d.Load(stateDict).Dispose());

        Assert.Contains(missing, e1.Message);
        Assert.Contains(FvdI3d.WeightsFileName, e1.Message);
        Assert.Contains(stateDict, e2.Message);
    }
}
