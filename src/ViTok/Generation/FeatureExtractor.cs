using ViTok.Metrics;

namespace ViTok.Generation;

/// <summary>The network behind a generation distance: <c>fd_resnet18</c> (the packaged ImageNet ResNet18, 512-d pooled
/// features; an FID-like statistic, never FID) or <c>fid</c> (pytorch-fid's InceptionV3 pool3, 2048-d, when its weights
/// are supplied). Videos are measured frame by frame.</summary>
public sealed class FeatureExtractor : IDisposable
{
    private readonly nn.Module _net;
    private readonly Func<Tensor, Tensor> _features;

    private FeatureExtractor(string key, nn.Module net, Func<Tensor, Tensor> features)
    {
        Key = key;
        _net = net;
        _features = features;
    }

    /// <summary>The metric key: fd_resnet18 or fid.</summary>
    public string Key { get; }

    /// <summary>ResNet18 features, or FID Inception features when <paramref name="fidWeights"/> is given.</summary>
    public static FeatureExtractor Create(string? fidWeights = null, Device? device = null)
    {
        if (fidWeights is not null)
        {
            var inception = FidInceptionV3.Load(fidWeights);
            if (device is not null) inception.to(device);
            return new FeatureExtractor("fid", inception, inception.Features);
        }
        var resnet = ResNet18.Load();
        if (device is not null) resnet.to(device);
        return new FeatureExtractor(ResNet18FrechetDistance.Key, resnet, resnet.Features);
    }

    /// <summary>Features [N·T, D] (float32, CPU) of images [N, 3, H, W] or clips [N, 3, T, H, W] in [-1, 1].</summary>
    public Tensor Features(Tensor pixels, int batchSize = 50)
    {
        using var scope = torch.NewDisposeScope();
        var frames = pixels.dim() == 5 ? pixels.permute(0, 2, 1, 3, 4).reshape(-1, 3, pixels.shape[3], pixels.shape[4]) : pixels;
        var device = _net.parameters().First().device;
        var parts = new List<Tensor>();
        for (long i = 0; i < frames.shape[0]; i += batchSize)
        {
            using var inner = torch.NewDisposeScope();
            using var _ = torch.no_grad();
            var f = _features(frames.narrow(0, i, Math.Min(batchSize, frames.shape[0] - i)).to(ScalarType.Float32).to(device));
            parts.Add(f.cpu().MoveToOuterDisposeScope());
        }
        return torch.cat(parts).MoveToOuterDisposeScope();
    }

    /// <summary>Fréchet distance between two feature sets.</summary>
    public static double Distance(Tensor a, Tensor b) => FrechetDistance.Compute(a, b);

    /// <summary>Frees the network.</summary>
    public void Dispose() => _net.Dispose();
}
