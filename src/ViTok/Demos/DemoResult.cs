using ViTok.Training;

namespace ViTok.Demos;

/// <summary>What the tokenizer demo measured on the test set (model and bicubic baselines, 8-bit quantised).</summary>
public sealed record DemoResult(
    double Psnr,
    double Ssim,
    double PerceptualResNet18,
    long LatentFloats,
    int Steps,
    double TrainSeconds,
    int EvalItems,
    double BaselineBicubicPsnr,
    double BaselineBicubicSsim,
    long BaselineBicubicFloats,
    double BaselineBicubicGreyPsnr,
    double BaselineBicubicGreySsim,
    long BaselineBicubicGreyFloats,
    string Variant,
    int Channels)
{
    /// <summary>True when the model had fewer than <see cref="TokenizerDemo.MinSteps"/> steps or does not beat the
    /// best bicubic baseline: its numbers then measure the time budget (or a busy machine), not the method.</summary>
    public bool UnderTrained => Steps < TokenizerDemo.MinSteps || Psnr <= Math.Max(BaselineBicubicPsnr, BaselineBicubicGreyPsnr);

    /// <summary>The one-line verdict the CLI and report print.</summary>
    public string Verdict => UnderTrained
        ? $"UNDER-TRAINED: {Steps} training steps in {TrainSeconds:F0} s are too few for this model (the 5-minute default reaches about 580 on a " +
          "quiet 2-core machine) and its PSNR is compared below as a measure of this budget, not of the method; give more --minutes or a quieter machine."
        : $"trained {Steps} steps in {TrainSeconds:F0} s; ViTok beats both bicubic baselines at the same floats per image.";
}
