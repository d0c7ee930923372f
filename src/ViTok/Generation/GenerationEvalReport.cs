namespace ViTok.Generation;

/// <summary>The result of <see cref="GenerationEvaluator"/>: the distance under its true name (<see cref="Metric"/>:
/// fd_resnet18 or fid) overall and per class (class name → distance), with the sample counts and sampler settings
/// behind it.</summary>
public sealed record GenerationEvalReport(string Metric, double Overall, IReadOnlyDictionary<string, double> PerClass, int Samples, int RealSamples,
    double Cfg, int Steps, string Sampler);
