namespace ViTok.Diffusion;

/// <summary>A model's prediction for noisy latents x [B, N, c] at times t [B] (on the 0 … 1000 scale) with labels
/// y [B]: ε for <see cref="GaussianDiffusion"/>, the velocity for <see cref="RectifiedFlow"/>.</summary>
public delegate Tensor Denoiser(Tensor x, Tensor t, Tensor y);
