using System.Text.Json.Nodes;

namespace ViTok.Study;

/// <summary>The generation stage of a study (paper Finding 2, §4.2): after a tokenizer run is trained and evaluated,
/// its training data are encoded into latents (<c>runs/NAME/latents</c>, as <c>vitok encode-dataset</c>), a DiT is
/// trained on them (<c>runs/NAME/dit</c>, as <c>vitok train-dit</c>) and its samples are measured against the real
/// evaluation data (as <c>vitok eval-gen</c>); the row gets <c>gfd_resnet18</c> (a Fréchet distance of generated
/// samples on ImageNet ResNet18 features, not FID) next to the reconstruction metrics. Every step resumes.</summary>
/// <param name="Dit">The DiT training config (a <c>train-dit</c> config object without <c>latents</c>; its seed is the run's).</param>
/// <param name="EncodeCount">Training items encoded (the first N of the source order); 0 = all.</param>
/// <param name="Samples">Generated samples (class-balanced) and real items compared, ≥ 2 (≥ 1000 for a meaningful distance).</param>
/// <param name="Cfg">Guidance scale of the samples.</param>
/// <param name="SampleSteps">Sampler steps; null = the DiT config's.</param>
public sealed record StudyGeneration(JsonObject Dit, int EncodeCount, int Samples, double Cfg, int? SampleSteps)
{
    /// <summary>The row metric of the generation distance (ResNet18 features; never called FID).</summary>
    public const string Metric = "gfd_resnet18";
}
