using ViTok.Training;

namespace ViTok.Generation;

/// <summary>What one DiT training step reports: floats only, no tensors.</summary>
public sealed record DitStepStats(int Step, double Loss, double Lr, double GradNorm, double LatentsPerSecond, bool Skipped) : IStepStats;
