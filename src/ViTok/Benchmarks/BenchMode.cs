namespace ViTok.Benchmarks;

/// <summary>What <see cref="ModelBench"/> times per repeat.</summary>
public enum BenchMode
{
    /// <summary>Inference (no_grad): pixels to latents (<c>IAutoencoder.Encode</c>).</summary>
    Encode,

    /// <summary>Inference (no_grad): latents to pixels (<c>IAutoencoder.Decode</c>), latents made once beforehand.</summary>
    Decode,

    /// <summary>Inference (no_grad): encode then decode.</summary>
    Both,

    /// <summary>One iteration of the real training loop of the tokenizer recipe (stage 1: MSE + β·KL, AdamW,
    /// clipping, metrics line, log cadence), data from an in-memory tensor.</summary>
    TrainStep,
}
