using System.Text.Json;
using ViTok.Diffusion;
using ViTok.Models;
using ViTok.IO;
using ViTok.Models.Paper;
using ViTok.Models.Dit;

namespace ViTok.Generation;

/// <summary>DiT checkpoints: one <c>.safetensors</c> file with the state dict (DiT's key names) and, in
/// <c>__metadata__</c>, <c>format</c>, <c>family</c> = dit, the model <c>config</c>, the <c>diffusion</c> formulation and
/// the <c>latent_space</c> (tokenizer contract and path, grid, classes, latent scale), so the file alone samples.
/// Training states of <c>vitok train-dit</c> (<c>kind</c> = <see cref="TrainStateKind"/>) load their EMA weights.</summary>
public static class DitCheckpoint
{
    /// <summary>Metadata <c>kind</c> of a DiT training state.</summary>
    public const string TrainStateKind = "dit-train-state";

    /// <summary>A loaded generator: the model (eval mode), its diffusion formulation and latent space.</summary>
    public sealed record Contents(Dit Model, DiffusionConfig Diffusion, LatentSpace Space) : IDisposable
    {
        /// <summary>Frees the model.</summary>
        public void Dispose() => Model.Dispose();
    }

    /// <summary>The metadata entries that rebuild a generator.</summary>
    public static Dictionary<string, string> Metadata(DitConfig config, DiffusionConfig diffusion, LatentSpace space) => new()
    {
        [PaperCheckpoint.FormatKey] = PaperCheckpoint.Format,
        [PaperCheckpoint.FamilyKey] = DitConfig.FamilyName,
        [PaperCheckpoint.ConfigKey] = JsonSerializer.Serialize(config, Json.Compact),
        ["diffusion"] = JsonSerializer.Serialize(diffusion, Json.Compact),
        ["latent_space"] = space.ToJson(),
    };

    /// <summary>Writes a model atomically.</summary>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> weights, DitConfig config, DiffusionConfig diffusion, LatentSpace space,
        IReadOnlyDictionary<string, string>? extra = null)
    {
        var meta = Metadata(config, diffusion, space);
        if (extra != null) foreach (var (k, v) in extra) meta[k] = v;
        Safetensors.Write(path, weights, meta);
    }

    /// <summary>Reads config, formulation and latent space without the weights.</summary>
    /// <exception cref="ViTokException">The file is missing, is not a DiT checkpoint, or its metadata is damaged.</exception>
    public static (DitConfig Config, DiffusionConfig Diffusion, LatentSpace Space) ReadInfo(string path)
    {
        if (!File.Exists(path)) throw new ViTokException($"{path}: no such DiT checkpoint.");
        var meta = Safetensors.ReadHeader(path).Metadata;
        if (!meta.TryGetValue(PaperCheckpoint.FamilyKey, out var family) || family != DitConfig.FamilyName)
            throw new ViTokException($"{path}: not a DiT checkpoint (family '{(family ?? "none")}'); pass the model.safetensors or a checkpoint of a `vitok train-dit` run.");
        try
        {
            var config = JsonSerializer.Deserialize<DitConfig>(meta[PaperCheckpoint.ConfigKey], Json.Options)!;
            var diffusion = JsonSerializer.Deserialize<DiffusionConfig>(meta["diffusion"], Json.Options)!;
            return (config, diffusion, LatentSpace.FromJson(meta["latent_space"], path));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException)
        {
            throw new ViTokException($"{path}: damaged DiT metadata ({e.Message}).", e);
        }
    }

    /// <summary>Loads a generator with a strict key and shape check (EMA weights of a training state).</summary>
    public static Contents Load(string path, Device? device = null, ScalarType dtype = ScalarType.Float32)
    {
        var (config, diffusion, space) = ReadInfo(path);
        var (tensors, meta) = Safetensors.Read(path);
        try
        {
            var weights = tensors;
            if (meta.TryGetValue("kind", out var kind) && kind == TrainStateKind)
            {
                var ema = StateDictSections.Section(tensors, "ema.");
                weights = ema.Count > 0 ? ema : StateDictSections.Section(tensors, "model.");
            }
            var model = new Dit(config);
            StateDict.LoadStrict(model, weights, path, $"DiT {config.Variant}, c = {config.Channels}, {config.NumClasses} classes");
            model.to(dtype);
            if (device is not null) model.to(device);
            model.eval();
            return new Contents(model, diffusion, space);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }
}
