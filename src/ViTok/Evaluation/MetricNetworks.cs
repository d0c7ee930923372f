using ViTok.Losses;
using ViTok.Metrics;

namespace ViTok.Evaluation;

/// <summary>The frozen networks behind the metrics, loaded on first use and kept for later evaluations (an evaluator
/// called every K training steps loads them once). All run in float32 on <see cref="Device"/>.</summary>
internal sealed class MetricNetworks : IDisposable
{
    private readonly EvalOptions _options;
    private ResNet18? _resnet;
    private ResNet18PerceptualDistance? _perceptual;
    private FidInceptionV3? _inception;
    private LpipsVgg16? _lpips;
    private FvdI3d? _i3d;

    public MetricNetworks(EvalOptions options) => _options = options;

    /// <summary>Where the networks live: the device of the first model evaluated.</summary>
    public Device Device { get; private set; } = CPU;

    /// <summary>Chooses the device before anything is loaded; later calls with another device are ignored.</summary>
    public void Place(Device device)
    {
        if (_resnet is null && _inception is null && _lpips is null && _i3d is null) Device = device;
    }

    public ResNet18 ResNet => _resnet ??= Keep((ResNet18)ResNet18.Load(_options.ResNet18Model, _options.ResNet18Preprocess).to(Device));

    /// <summary>The perceptual distance at the items' own size (resized to 32² when smaller, the least ResNet18's five
    /// stages take).</summary>
    public ResNet18PerceptualDistance Perceptual(long height, long width)
    {
        int? resize = height < 32 || width < 32 ? 32 : null;
        if (_perceptual is null || _perceptualResize != resize)
        {
            _perceptual = new ResNet18PerceptualDistance(ResNet, resize);
            _perceptualResize = resize;
        }
        return _perceptual;
    }

    private int? _perceptualResize;

    public FidInceptionV3 Inception => _inception ??= Keep((FidInceptionV3)FidInceptionV3.Load(_options.FidWeights!).to(Device));

    public LpipsVgg16 Lpips => _lpips ??= LoadLpips();

    public FvdI3d I3d => _i3d ??= FvdI3d.Load(_options.I3dWeights!, Device);

    public void Dispose()
    {
        // The perceptual wrappers hold the ResNet18 as a child module; the network itself is disposed once, here.
        _resnet?.Dispose();
        _inception?.Dispose();
        _lpips?.Dispose();
        _i3d?.Dispose();
    }

    private LpipsVgg16 LoadLpips()
    {
        string folder = _options.LpipsWeights!;
        if (!Directory.Exists(folder))
            throw new ViTokException($"{folder}: no such folder. --lpips-weights takes a folder holding torchvision's " +
                                     "vgg16-397923af.pth and LPIPS's v0.1 vgg.pth.");
        return Keep((LpipsVgg16)LpipsVgg16.Load(Path.Combine(folder, "vgg16-397923af.pth"), Path.Combine(folder, "vgg.pth")).to(Device));
    }

    // A network loaded while a caller's dispose scope is open would lose its buffers when that scope ends: detach
    // every parameter and buffer, the networks live until Dispose.
    private static T Keep<T>(T module) where T : nn.Module
    {
        foreach (var p in module.parameters()) p.DetachFromDisposeScope();
        foreach (var b in module.buffers()) b.DetachFromDisposeScope();
        return module;
    }
}
