using System.Globalization;
using System.Text.Json;
using ViTok.Diffusion;
using ViTok.IO;
using ViTok.Models;

using ViTok.Data;
using ViTok.Training;
using AdamW = ViTok.Training.AdamW;
using ViTok.Models.Dit;

namespace ViTok.Generation;

/// <summary>DiT training-state checkpoints: one safetensors file with the model (<c>model.*</c>), the optimiser
/// (<c>opt.*</c>) and the EMA (<c>ema.*</c>); in the metadata the generator's metadata (<see cref="DitCheckpoint"/>),
/// <c>kind</c> = <see cref="DitCheckpoint.TrainStateKind"/>, the resolved run config, the step, the data position and
/// the bad-step counter. Every random draw of a step derives from (seed, step), so this is the whole RNG state.</summary>
public static class DitTrainState
{
    /// <summary>Everything a resume needs besides the tensors.</summary>
    public sealed record Info(DitTrainConfig Config, int Step, LoaderPosition Position, int BadInRow, LatentSpace Space);

    /// <summary>Writes a state file atomically (refusing non-finite values).</summary>
    public static void Save(string path, Dit model, DiffusionConfig diffusion, AdamW opt, Ema ema, Info info)
    {
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (k, t) in model.state_dict()) tensors["model." + k] = t;
        var optState = opt.StateDict();
        foreach (var (k, t) in optState) tensors["opt." + k] = t;
        foreach (var (k, t) in ema.Values) tensors["ema." + k] = t;
        try
        {
            foreach (var (k, t) in tensors)
                if (t.is_floating_point() && !t.isfinite().all().item<bool>())
                    throw new InvalidOperationException($"refusing to write a checkpoint holding non-finite values ({k})");
            var meta = DitCheckpoint.Metadata(model.Config, diffusion, info.Space);
            meta["kind"] = DitCheckpoint.TrainStateKind;
            meta["train_config"] = JsonSerializer.Serialize(info.Config, Json.Compact);
            meta["step"] = info.Step.ToString(CultureInfo.InvariantCulture);
            meta["data_epoch"] = info.Position.Epoch.ToString(CultureInfo.InvariantCulture);
            meta["data_index"] = info.Position.Index.ToString(CultureInfo.InvariantCulture);
            meta["bad_in_row"] = info.BadInRow.ToString(CultureInfo.InvariantCulture);
            Safetensors.Write(path, tensors, meta);
        }
        finally
        {
            optState["step"].Dispose();
        }
    }

    /// <summary>Reads the run info of a state file.</summary>
    public static Info ReadInfo(string path)
    {
        var meta = Safetensors.ReadHeader(path).Metadata;
        if (!meta.TryGetValue("kind", out var kind) || kind != DitCheckpoint.TrainStateKind)
            throw new ViTokException($"{path}: not a DiT training state (resume needs a run folder written by vitok train-dit).");
        var config = JsonSerializer.Deserialize<DitTrainConfig>(meta["train_config"], Json.Options)!;
        return new Info(config, int.Parse(meta["step"], CultureInfo.InvariantCulture),
            new LoaderPosition(int.Parse(meta["data_epoch"], CultureInfo.InvariantCulture), long.Parse(meta["data_index"], CultureInfo.InvariantCulture)),
            int.Parse(meta["bad_in_row"], CultureInfo.InvariantCulture), LatentSpace.FromJson(meta["latent_space"], path));
    }
}
