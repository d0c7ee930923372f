using System.Text.Json;
using ViTok.IO;
using ViTok.Models;

namespace ViTok.Models.Paper;

/// <summary>Paper-family checkpoints: one <c>.safetensors</c> file holding the state dict (keys equal to the PyTorch
/// module names) and, in <c>__metadata__</c>, <c>format</c>, <c>family</c> and the full model <c>config</c> as JSON, so
/// the file alone rebuilds the model.</summary>
public static class PaperCheckpoint
{
    /// <summary>Metadata key holding the model config JSON.</summary>
    public const string ConfigKey = "config";

    /// <summary>Metadata key holding the model family.</summary>
    public const string FamilyKey = "family";

    /// <summary>Metadata key holding the format tag.</summary>
    public const string FormatKey = "format";

    /// <summary>Format tag written into every checkpoint.</summary>
    public const string Format = "vitok.net/1";

    /// <summary>Writes the model's weights and config atomically; <paramref name="extra"/> adds metadata entries.</summary>
    public static void Save(PaperAutoencoder model, string path, IReadOnlyDictionary<string, string>? extra = null)
    {
        var meta = new Dictionary<string, string>(Metadata(model.Config));
        if (extra != null) foreach (var (k, v) in extra) meta[k] = v;
        Safetensors.Write(path, model.state_dict(), meta);
    }

    /// <summary>The metadata entries that rebuild a model of <paramref name="config"/>.</summary>
    public static IReadOnlyDictionary<string, string> Metadata(PaperConfig config) => new Dictionary<string, string>
    {
        [FormatKey] = Format,
        [FamilyKey] = PaperConfig.FamilyName,
        [ConfigKey] = JsonSerializer.Serialize(config, Json.Compact),
    };

    /// <summary>Reads the config stored in a checkpoint's metadata.</summary>
    public static PaperConfig ReadConfig(string path)
    {
        var header = Safetensors.ReadHeader(path);
        return ConfigFromMetadata(header.Metadata, path);
    }

    private static PaperConfig ConfigFromMetadata(IReadOnlyDictionary<string, string> meta, string path)
    {
        if (!meta.TryGetValue(ConfigKey, out var json))
            throw new ViTokException($"{path}: no model config in the safetensors metadata. It is not a ViTok.NET paper-family checkpoint; for ViTok-v2 weights pass the folder holding encoder.safetensors/decoder.safetensors.");
        if (meta.TryGetValue(FamilyKey, out var family) && family != PaperConfig.FamilyName)
            throw new ViTokException($"{path}: holds a '{family}' model, not a paper-family one.");
        try
        {
            return JsonSerializer.Deserialize<PaperConfig>(json, Json.Options)
                   ?? throw new ViTokException($"{path}: empty model config in the metadata.");
        }
        catch (JsonException e)
        {
            throw new ViTokException($"{path}: the model config in the metadata is not valid JSON ({e.Message}).", e);
        }
    }

    /// <summary>Rebuilds the model from a checkpoint with a strict key and shape check.</summary>
    public static PaperAutoencoder Load(string path, Device? device = null)
    {
        var (tensors, meta) = Safetensors.Read(path);
        try
        {
            var config = ConfigFromMetadata(meta, path);
            var model = new PaperAutoencoder(config);
            StateDict.LoadStrict(model, StateDictSections.ModelWeights(tensors, meta), path, $"variant {config.Variant}, c = {config.Channels}");
            if (device != null) model.to(device);
            model.eval();
            return model;
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }
}
