namespace ViTok.Training;

/// <summary>Loss terms and weights (paper §3.2, Eq. 1): L = L_rec + β·KL + η·perceptual + λ·GAN.</summary>
public sealed record LossConfig
{
    /// <summary>Pixel loss: l2 (paper), l1 or charbonnier (ε = 1e-3, ViTok-v2).</summary>
    public string Reconstruction { get; init; } = "l2";

    /// <summary>η, the perceptual weight (paper: 1.0).</summary>
    public double PerceptualWeight { get; init; } = 1.0;

    /// <summary>Perceptual network: resnet18 (the ImageNet ResNet18 distance) or lpips (needs lpips_weights).</summary>
    public string Perceptual { get; init; } = "resnet18";

    /// <summary>Folder holding <c>vgg16-397923af.pth</c> and <c>vgg.pth</c> for real LPIPS.</summary>
    public string? LpipsWeights { get; init; }

    /// <summary>β, the KL weight (paper family: 1e-3; ignored by the deterministic v2 family).</summary>
    public double KlWeight { get; init; } = 1e-3;

    /// <summary>λ, the adversarial weight in stage 2. The paper's ablation (A.2) finds 0.05 best; its §2.3 says 1.0.</summary>
    public double GanWeight { get; init; } = 0.05;

    /// <summary>Stage-2 step (fraction of the run) at which the generator's adversarial term starts.</summary>
    public double GanStart { get; init; } = 0.05;

    /// <summary>Length (fraction of the run) of the generator's linear adversarial ramp.</summary>
    public double GanWarmup { get; init; } = 0.25;
}
