namespace ViTok.Training;

/// <summary>What one training step reports: floats only, no tensors.</summary>
public sealed record StepStats(
    int Step,
    double Loss,
    double Reconstruction,
    double Kl,
    double Perceptual,
    double GanGenerator,
    double GanDiscriminator,
    double Lr,
    double GradNorm,
    double ImagesPerSecond,
    bool Skipped) : IStepStats;
