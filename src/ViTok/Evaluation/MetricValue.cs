namespace ViTok.Evaluation;

/// <summary>One reported number: its key (the metric's true name), value and a one-line description of how it was
/// computed.</summary>
public sealed record MetricValue(string Key, double Value, string Description);
