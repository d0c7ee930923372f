namespace ViTok.Losses;

/// <summary>Builds the perceptual network a loss config names: the ImageNet ResNet18 distance (default, weights shipped
/// with the NuGet package) or real LPIPS (VGG16 + linear heads v0.1, from user-supplied files).</summary>
public static class PerceptualLosses
{
    /// <summary>The network, on <paramref name="device"/>, or null when <paramref name="weight"/> is 0.</summary>
    /// <exception cref="ViTokException">The kind is unknown.</exception>
    public static IPerceptualDistance? Create(string kind, double weight, string? lpipsWeights, int imageSize, Device device)
    {
        if (weight <= 0) return null;
        IPerceptualDistance net = kind switch
        {
            // Below 32 pixels the ResNet's five stages do not fit: compare at 32.
            "resnet18" => ResNet18PerceptualDistance.Load(resize: imageSize < 32 ? 32 : null),
            "lpips" => LoadLpips(lpipsWeights),
            _ => throw new ViTokException($"unknown perceptual network '{kind}'; expected resnet18 or lpips"),
        };
        ((nn.Module)net).to(device);
        return net;
    }

    private static LpipsVgg16 LoadLpips(string? folder)
    {
        if (folder is null)
            throw new ViTokException("loss.perceptual = lpips needs loss.lpips_weights: a folder holding vgg16-397923af.pth and vgg.pth (LPIPS v0.1 linear layers).");
        string vgg = Path.Combine(folder, "vgg16-397923af.pth"), lin = Path.Combine(folder, "vgg.pth");
        foreach (var f in new[] { vgg, lin })
            if (!File.Exists(f)) throw new ViTokException($"{f}: not found. LPIPS needs vgg16-397923af.pth (torchvision) and vgg.pth (LPIPS v0.1) in {folder}.");
        return LpipsVgg16.Load(vgg, lin);
    }
}
