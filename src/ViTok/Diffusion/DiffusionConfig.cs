namespace ViTok.Diffusion;

/// <summary>Which diffusion formulation the DiT is trained and sampled with (snake_case JSON). <c>ddpm</c> is the
/// paper's (§7): 1000 steps, linear β from 1e-4 to 0.02, ε-prediction, sampled with DDIM (250 steps). <c>flow</c> is
/// ViTok-v2's rectified flow: x_t = (1 − t)·x0 + t·ε, velocity target ε − x0, sampled with Euler (50 steps).</summary>
public sealed record DiffusionConfig
{
    /// <summary>ddpm or flow.</summary>
    public string Kind { get; init; } = "ddpm";

    /// <summary>DDPM: number of training timesteps.</summary>
    public int Timesteps { get; init; } = 1000;

    /// <summary>DDPM: first β of the linear schedule.</summary>
    public double BetaStart { get; init; } = 1e-4;

    /// <summary>DDPM: last β of the linear schedule.</summary>
    public double BetaEnd { get; init; } = 0.02;

    /// <summary>Sampling steps; null = 250 (DDIM) or 50 (Euler).</summary>
    public int? SampleSteps { get; init; }

    /// <summary>Builds the process, checking the settings.</summary>
    /// <exception cref="ViTokException">The kind is neither ddpm nor flow, or its settings are out of range.</exception>
    public IDiffusionProcess CreateProcess() => Kind switch
    {
        "ddpm" => new GaussianDiffusion(Timesteps, BetaStart, BetaEnd, SampleSteps ?? GaussianDiffusion.DefaultDdimSteps),
        "flow" => new RectifiedFlow(SampleSteps ?? RectifiedFlow.DefaultEulerSteps),
        _ => throw new ViTokException($"diffusion.kind '{Kind}': expected ddpm (the paper's DDPM with DDIM sampling) or flow (ViTok-v2's rectified flow)."),
    };
}
