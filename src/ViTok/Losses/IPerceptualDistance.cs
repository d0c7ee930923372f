namespace ViTok.Losses;

/// <summary>A differentiable perceptual distance between image batches [B, 3, H, W] in [-1, 1].</summary>
public interface IPerceptualDistance : IDisposable
{
    /// <summary>The metric's true name (e.g. <c>perceptual_resnet18</c>, <c>lpips</c>).</summary>
    string Name { get; }

    /// <summary>Per-image distances [B]; gradients flow to both inputs.</summary>
    Tensor Distance(Tensor x, Tensor y);
}
