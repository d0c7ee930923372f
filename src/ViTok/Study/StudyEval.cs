namespace ViTok.Study;

/// <summary>How each run of a study is evaluated after training (the project's <c>vitok eval</c> evaluator).</summary>
/// <param name="Data">Data source to evaluate on; null = the run's own training data.</param>
/// <param name="Split">Split of that source ("test" by default; sources without splits ignore it).</param>
/// <param name="Count">Items evaluated: the first N of the split (≥ 2 when an FD metric is asked for).</param>
/// <param name="Metrics">Metric keys, e.g. psnr, ssim, fd_resnet18 (see <c>vitok eval --help</c>).</param>
public sealed record StudyEval(string? Data, string Split, int Count, IReadOnlyList<string> Metrics);
