using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ViTok.IO;
using ViTok.Models;
using ViTok.Training;
using ViTok.Models.Dit;

namespace ViTok.Generation;

/// <summary>Builds a <see cref="DitTrainConfig"/> from the record defaults, an optional JSON file and dotted
/// <c>key=value</c> overrides (<see cref="TrainConfigLoader.Apply"/>). Unknown keys are errors that name the key.</summary>
public static class DitTrainConfigLoader
{
    /// <summary>Loads and resolves a config.</summary>
    /// <exception cref="ViTokException">A bad file, key or value.</exception>
    public static DitTrainConfig Load(string? path, IEnumerable<string> overrides) => TrainConfigLoader.Load(path, overrides, FromJson);

    /// <summary>Deserialises a resolved JSON object, reporting unknown keys and bad values.</summary>
    /// <exception cref="ViTokException">A bad key or value.</exception>
    public static DitTrainConfig FromJson(JsonObject root, string source)
    {
        var c = TrainConfigLoader.Deserialize<DitTrainConfig>(root, source);
        var r = new ConfigRanges(source);
        r.Require(DitVariant.TryParse(c.Variant, out _, out var err), $"variant: {err}")
         .OneOf("diffusion.kind", c.Diffusion.Kind, "ddpm", "flow")
         .Int("diffusion.timesteps", c.Diffusion.Timesteps, 1, 100_000)
         .Real("diffusion.beta_start", c.Diffusion.BetaStart, 0, 1, minOpen: true, maxOpen: true)
         .Real("diffusion.beta_end", c.Diffusion.BetaEnd, 0, 1, minOpen: true, maxOpen: true)
         .Require(c.Diffusion.BetaStart <= c.Diffusion.BetaEnd, $"diffusion.beta_start = {c.Diffusion.BetaStart} is above diffusion.beta_end = {c.Diffusion.BetaEnd}: expected beta_start <= beta_end.")
         .NotEmpty("latents", c.Latents);
        TrainConfigLoader.CheckRunKeys(r, c, gradClipMayBeOff: true)
         .Real("class_dropout", c.ClassDropout, 0, 1, maxOpen: true)
         .Real("sample_cfg", c.SampleCfg, 0, 100)
         .Int("samples_per_class", c.SamplesPerClass, 1, 64);
        if (c.LatentScale is double scale) r.Real("latent_scale", scale, 0, double.PositiveInfinity, minOpen: true);
        if (c.Diffusion.SampleSteps is int n) r.Int("diffusion.sample_steps", n, 1, 100_000);
        c.Diffusion.CreateProcess();
        return c;
    }
}
