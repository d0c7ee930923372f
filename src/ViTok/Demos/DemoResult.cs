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
    int Channels);
