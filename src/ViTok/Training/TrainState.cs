using System.Globalization;
using System.Text.Json;
using ViTok.Data;
using ViTok.IO;

namespace ViTok.Training;

/// <summary>The one training-state format of every recipe: one safetensors file holding the tracked sections of a
/// <see cref="TrainingRun{TConfig, TStats}"/> under their prefixes (tokenizer: <c>model.*</c>, <c>opt.*</c>,
/// <c>ema.*</c>, <c>disc.*</c>, <c>disc_opt.*</c>; DiT: <c>model.*</c>, <c>opt.*</c>, <c>ema.*</c>) and, in the metadata,
/// the recipe's model metadata, <c>kind</c> (<see cref="Kind"/> for a tokenizer, <c>dit-train-state</c> for a DiT: what
/// model the file holds), <c>train_config</c> (the resolved run config), <c>step</c>, <c>data_epoch</c>,
/// <c>data_index</c> and <c>bad_in_row</c>. All randomness of a step derives from (seed, step) and the data position,
/// so these are the whole RNG state. This is the layout both trainers wrote before they shared a loop, so older run
/// folders of either resume as they are.</summary>
public static class TrainState
{
    /// <summary>Metadata value of <c>kind</c> that marks a tokenizer training-state file.</summary>
    public const string Kind = StateDictSections.TrainStateKind;

    /// <summary>Writes a state file atomically: <paramref name="tensors"/> (prefixed names) and
    /// <paramref name="metadata"/> (the model's metadata and <c>kind</c>) with the run entries added: the config, the
    /// steps done, the position of the next batch and the non-finite steps in a row.</summary>
    /// <exception cref="InvalidOperationException">A floating-point tensor holds a non-finite value (nothing is
    /// written: a checkpoint is never poisoned).</exception>
    public static void Save<TConfig>(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata,
        TConfig config, int step, LoaderPosition position, int badInRow) where TConfig : RunConfig
    {
        foreach (var (k, t) in tensors)
            if (t.is_floating_point() && !t.isfinite().all().item<bool>())
                throw new InvalidOperationException($"refusing to write a checkpoint holding non-finite values ({k})");
        var meta = new Dictionary<string, string>(metadata)
        {
            ["train_config"] = config.ToJson(indented: false),
            ["step"] = step.ToString(CultureInfo.InvariantCulture),
            ["data_epoch"] = position.Epoch.ToString(CultureInfo.InvariantCulture),
            ["data_index"] = position.Index.ToString(CultureInfo.InvariantCulture),
            ["bad_in_row"] = badInRow.ToString(CultureInfo.InvariantCulture),
        };
        Safetensors.Write(path, tensors, meta);
    }

    /// <summary>Reads the run entries of a state file whose <c>kind</c> is <paramref name="kind"/>.</summary>
    /// <param name="path">The state file.</param>
    /// <param name="kind">The <c>kind</c> the recipe writes.</param>
    /// <param name="what">What the recipe calls such a file in the refusal (e.g. "training-state checkpoint").</param>
    /// <param name="verb">The command that writes such run folders (e.g. <c>vitok train</c>).</param>
    /// <exception cref="ViTokException">The file is not a training state of this recipe.</exception>
    public static TrainStateInfo<TConfig> ReadInfo<TConfig>(string path, string kind, string what, string verb)
    {
        var meta = Safetensors.ReadHeader(path).Metadata;
        if (!meta.TryGetValue("kind", out var k) || k != kind)
            throw new ViTokException($"{path}: not a {what} (resume needs a run folder written by {verb}).");
        var config = JsonSerializer.Deserialize<TConfig>(meta["train_config"], Json.Options)!;
        return new TrainStateInfo<TConfig>(config, int.Parse(meta["step"], CultureInfo.InvariantCulture),
            new LoaderPosition(int.Parse(meta["data_epoch"], CultureInfo.InvariantCulture), long.Parse(meta["data_index"], CultureInfo.InvariantCulture)),
            int.Parse(meta["bad_in_row"], CultureInfo.InvariantCulture), meta);
    }

    /// <summary>Tensors under a prefix, with the prefix removed (<see cref="StateDictSections.Section"/>).</summary>
    public static Dictionary<string, Tensor> Section(IReadOnlyDictionary<string, Tensor> all, string prefix) => StateDictSections.Section(all, prefix);
}
