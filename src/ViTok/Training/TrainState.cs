using System.Globalization;
using System.Text.Json;
using ViTok.IO;
using ViTok.Models;

using ViTok.Data;

namespace ViTok.Training;

/// <summary>Training-state checkpoints: one safetensors file with the model (<c>model.*</c>), the optimiser
/// (<c>opt.*</c>), the decoder EMA (<c>ema.*</c>), the discriminator and its optimiser (<c>disc.*</c>,
/// <c>disc_opt.*</c>), and in the metadata the model config, the resolved run config, the step, the data position and
/// the bad-step counter. All randomness of a step is derived from (seed, step), so these are the whole RNG state.</summary>
public static class TrainState
{
    /// <summary>Metadata value of <c>kind</c> that marks a training-state file.</summary>
    public const string Kind = StateDictSections.TrainStateKind;

    /// <summary>Everything a resume needs besides the tensors.</summary>
    public sealed record Info(TrainConfig Config, int Step, LoaderPosition Position, int BadInRow);

    /// <summary>Writes a state file atomically.</summary>
    public static void Save(string path, IAutoencoder model, AdamW opt, Ema? ema, Discriminator? disc, AdamW? discOpt, Info info)
    {
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (k, t) in model.Module.state_dict()) tensors["model." + k] = t;
        foreach (var (k, t) in opt.StateDict()) tensors["opt." + k] = t;
        if (ema != null) foreach (var (k, t) in ema.Values) tensors["ema." + k] = t;
        if (disc != null) foreach (var (k, t) in disc.state_dict()) tensors["disc." + k] = t;
        if (discOpt != null) foreach (var (k, t) in discOpt.StateDict()) tensors["disc_opt." + k] = t;
        foreach (var (k, t) in tensors)
            if (t.is_floating_point() && !t.isfinite().all().item<bool>())
                throw new InvalidOperationException($"refusing to write a checkpoint holding non-finite values ({k})");
        var meta = new Dictionary<string, string>(model.ModelMetadata())
        {
            ["kind"] = Kind,
            ["train_config"] = JsonSerializer.Serialize(info.Config, Json.Compact),
            ["step"] = info.Step.ToString(CultureInfo.InvariantCulture),
            ["data_epoch"] = info.Position.Epoch.ToString(CultureInfo.InvariantCulture),
            ["data_index"] = info.Position.Index.ToString(CultureInfo.InvariantCulture),
            ["bad_in_row"] = info.BadInRow.ToString(CultureInfo.InvariantCulture),
        };
        Safetensors.Write(path, tensors, meta);
        // tensors from opt.StateDict() "step" is a fresh scalar: free it.
        tensors["opt.step"].Dispose();
        if (discOpt != null) tensors["disc_opt.step"].Dispose();
    }

    /// <summary>Reads the run info of a state file.</summary>
    public static Info ReadInfo(string path)
    {
        var meta = Safetensors.ReadHeader(path).Metadata;
        if (!meta.TryGetValue("kind", out var kind) || kind != Kind)
            throw new ViTokException($"{path}: not a training-state checkpoint (resume needs a run folder written by vitok train).");
        var config = JsonSerializer.Deserialize<TrainConfig>(meta["train_config"], Json.Options)!;
        return new Info(config, int.Parse(meta["step"], CultureInfo.InvariantCulture),
            new LoaderPosition(int.Parse(meta["data_epoch"], CultureInfo.InvariantCulture), long.Parse(meta["data_index"], CultureInfo.InvariantCulture)),
            int.Parse(meta["bad_in_row"], CultureInfo.InvariantCulture));
    }

    /// <summary>Tensors under a prefix, with the prefix removed (<see cref="StateDictSections.Section"/>).</summary>
    public static Dictionary<string, Tensor> Section(IReadOnlyDictionary<string, Tensor> all, string prefix) => StateDictSections.Section(all, prefix);
}
