namespace ViTok.IO;

/// <summary>Sections of a combined state dict (a training state holds <c>model.*</c>, <c>opt.*</c>, <c>ema.*</c>, …
/// in one safetensors file, marked by the metadata entry <c>kind</c> = <see cref="TrainStateKind"/>).</summary>
public static class StateDictSections
{
    /// <summary>Metadata value of <c>kind</c> that marks a tokenizer training-state file.</summary>
    public const string TrainStateKind = "train-state";

    /// <summary>Tensors under a prefix, with the prefix removed.</summary>
    public static Dictionary<string, Tensor> Section(IReadOnlyDictionary<string, Tensor> all, string prefix) =>
        all.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);

    /// <summary>The model weights of a checkpoint: plain files as they are; training states' <c>model.*</c> with the
    /// decoder EMA (<c>ema.*</c>), when present, replacing the raw decoder weights (the EMA is what is evaluated and
    /// exported).</summary>
    public static Dictionary<string, Tensor> ModelWeights(Dictionary<string, Tensor> all, IReadOnlyDictionary<string, string> meta)
    {
        if (!meta.TryGetValue("kind", out var kind) || kind != TrainStateKind) return all;
        var weights = Section(all, "model.");
        foreach (var (k, t) in Section(all, "ema."))
            if (weights.TryGetValue(k, out var w)) weights[k] = t.to(w.dtype);
        return weights;
    }
}
