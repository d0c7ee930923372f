using ViTok.IO;
using ViTok.Models.Paper;
using ViTok.Models.V2;

namespace ViTok.Models;

/// <summary>Builds or loads an auto-encoder of either family: the single entry point of the trainer, the evaluator and
/// the CLI.</summary>
public static class Autoencoders
{
    /// <summary>A randomly initialised model (seed torch first). <paramref name="channels"/> applies to the paper family
    /// (v2 takes c from its variant).</summary>
    public static IAutoencoder Create(string family, string variant, int channels) => family switch
    {
        "paper" => new PaperAutoencoder(PaperConfig.FromVariant(variant, channels)),
        "v2" => new V2Autoencoder(V2Config.FromName(variant)),
        _ => throw new ViTokException($"unknown family '{family}'; expected paper or v2"),
    };

    /// <summary>Loads a checkpoint: a folder of ViTok-v2 weights (<c>encoder.safetensors</c>/<c>decoder.safetensors</c>),
    /// or a ViTok.NET file (model export or training state) of either family, dispatched on its metadata.</summary>
    public static IAutoencoder Load(string path, string? variant = null, Device? device = null, ScalarType dtype = ScalarType.Float32)
    {
        if (Directory.Exists(path)) return V2Autoencoder.FromDirectory(path, variant, null, dtype, device);
        if (!File.Exists(path)) throw new ViTokException($"{path}: no such checkpoint file or folder.");
        var meta = Safetensors.ReadHeader(path).Metadata;
        string family = meta.TryGetValue(PaperCheckpoint.FamilyKey, out var f) ? f
            : meta.ContainsKey("variant") || variant is not null ? "v2"
            : throw new ViTokException($"{path}: the file names no model family in its metadata. For ViTok-v2 weights pass the folder holding encoder.safetensors/decoder.safetensors, or --variant.");
        IAutoencoder model = family switch
        {
            "paper" => PaperCheckpoint.Load(path, device),
            "v2" => V2Autoencoder.FromFile(path, variant, dtype, device),
            _ => throw new ViTokException($"{path}: unknown model family '{family}'."),
        };
        model.Module.to(dtype);
        return model;
    }

    /// <summary>Reads family, variant and channels of a checkpoint without loading its weights.</summary>
    public static (string Family, string Variant, int Channels) Describe(string path, string? variant = null)
    {
        if (Directory.Exists(path))
        {
            using var m = V2Autoencoder.FromDirectory(path, variant, null, ScalarType.Float32, torch.META);
            return (m.Family, m.Variant, m.Channels);
        }
        var meta = Safetensors.ReadHeader(path).Metadata;
        if (meta.TryGetValue(PaperCheckpoint.FamilyKey, out var f) && f == PaperConfig.FamilyName)
        {
            var c = PaperCheckpoint.ReadConfig(path);
            return (c.Family, c.Variant, c.Channels);
        }
        var v2 = V2Config.FromName(variant ?? (meta.TryGetValue("variant", out var mv) ? mv : throw new ViTokException($"{path}: no variant in the metadata; pass --variant.")));
        return (v2.Family, v2.ToString(), v2.Channels);
    }
}
