namespace ViTok.Diffusion;

/// <summary>A diffusion formulation: how training corrupts clean latents and what the model must predict, and how
/// samples are drawn from the trained model.</summary>
public interface IDiffusionProcess
{
    /// <summary>"ddpm" or "flow".</summary>
    string Kind { get; }

    /// <summary>Sampling steps used when none are given.</summary>
    int DefaultSampleSteps { get; }

    /// <summary>The training loss (a scalar, with autograd through <paramref name="model"/>) for clean latents
    /// <paramref name="x0"/> [B, N, c] and labels <paramref name="y"/>; every random draw comes from
    /// <paramref name="generator"/>.</summary>
    Tensor TrainingLoss(Denoiser model, Tensor x0, Tensor y, Generator? generator);

    /// <summary>Turns <paramref name="noise"/> [B, N, c] into clean latents in <paramref name="steps"/> model calls
    /// (deterministic; under no_grad with a dispose scope per step; the result belongs to the caller's scope).
    /// <paramref name="progress"/> gets (step done, steps).</summary>
    Tensor Sample(Denoiser model, Tensor noise, Tensor y, int steps, Action<int, int>? progress = null);
}
