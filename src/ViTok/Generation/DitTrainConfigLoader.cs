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
    public static DitTrainConfig Load(string? path, IEnumerable<string> overrides) =>
        FromJson(TrainConfigLoader.ReadObject(path, overrides), path ?? "--set");

    /// <summary>Deserialises a resolved JSON object, reporting unknown keys and bad values.</summary>
    public static DitTrainConfig FromJson(JsonObject root, string source)
    {
        var c = TrainConfigLoader.Deserialize<DitTrainConfig>(root, source);
        void Fail(string why) => throw new ViTokException($"{source}: {why}");
        if (!DitVariant.TryParse(c.Variant, out _, out var err)) Fail($"variant: {err}");
        if (c.Diffusion.Kind is not ("ddpm" or "flow")) Fail($"diffusion.kind '{c.Diffusion.Kind}': expected ddpm or flow");
        c.Diffusion.CreateProcess();
        if (c.BatchSize <= 0 || c.Steps <= 0) Fail("batch_size and steps must be positive");
        if (c.ClassDropout is < 0 or >= 1) Fail("class_dropout must be in [0, 1)");
        if (c.LatentScale is <= 0) Fail("latent_scale must be positive (or null to measure it)");
        if (c.Dtype is not ("f32" or "bf16")) Fail($"dtype '{c.Dtype}': expected f32 or bf16");
        if (c.KeepLast < 1) Fail("keep_last must be at least 1");
        if (c.EmaDecay is < 0 or >= 1) Fail("ema_decay must be in [0, 1)");
        if (c.LogEvery <= 0 || c.CheckpointEvery <= 0 || c.SampleEvery <= 0) Fail("log_every, checkpoint_every and sample_every must be positive");
        return c;
    }
}
