using ViTok.Training;

namespace ViTok.Demos;

/// <summary>Settings of the tokenizer demo: a small paper-family ViTok trained on Fashion-MNIST at 32×32 on the CPU for a
/// fixed time, then evaluated on the 10k test images against a bicubic baseline at the same floats per image.</summary>
public sealed record DemoOptions
{
    /// <summary>Training budget in minutes (the step-time calibration counts; the test-set evaluation comes after).</summary>
    public double Minutes { get; init; } = 5;

    /// <summary>Output folder.</summary>
    public string Out { get; init; } = "runs/demo";

    /// <summary>Paper-family variant (CPU-sized: width 64–96).</summary>
    public string Variant { get; init; } = "Sw64d2h4-Bw96d3h4/4";

    /// <summary>Latent channels c: 64 tokens × 4 = 256 floats per 32×32 RGB image (12× fewer than its 3072 values).</summary>
    public int Channels { get; init; } = 4;

    /// <summary>Batch size.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Peak learning rate (the paper's rule gives 1.25e-5 at batch 32, far too slow for minutes of training).</summary>
    public double Lr { get; init; } = 1.5e-3;

    /// <summary>η, the perceptual weight (the paper's 1.0 trades PSNR for perceptual quality; the demo is judged on PSNR/SSIM).</summary>
    public double PerceptualWeight { get; init; } = 0.1;

    /// <summary>β, the KL weight (paper: 1e-3).</summary>
    public double KlWeight { get; init; } = 1e-3;

    /// <summary>Seed.</summary>
    public long Seed { get; init; } = 0;

    /// <summary>Fashion-MNIST folder.</summary>
    public string Data { get; init; } = global::ViTok.Data.FashionMnist.DefaultFolder;

    /// <summary>Test images evaluated (the whole 10k test set by default).</summary>
    public int EvalItems { get; init; } = 10_000;

    /// <summary>Data-loading workers.</summary>
    public int Workers { get; init; } = 2;
}
