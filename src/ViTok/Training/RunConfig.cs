namespace ViTok.Training;

/// <summary>The optimisation and run keys both training recipes share (the tokenizer's <see cref="TrainConfig"/> and
/// the DiT's config derive from it): batch, steps, AdamW, the warmup + cosine schedule, clipping, EMA, seed, the
/// log/sample/checkpoint cadence, the bad-step guard, time limit, dtype and device. The keys stay flat in JSON
/// (<c>"lr": 1e-3</c>, not nested), so every existing config and run folder reads as before; they are checked by one
/// section, <see cref="TrainConfigLoader.CheckRunKeys"/>. Defaults are the tokenizer's (paper code, §3); a recipe
/// sets its own in its constructor.</summary>
public abstract record RunConfig
{
    /// <summary>Batch size (the global batch: with several processes each takes its slice).</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Total optimiser steps.</summary>
    public int Steps { get; init; } = 1000;

    /// <summary>Peak learning rate; null = the recipe's rule (<see cref="PeakLr"/>).</summary>
    public double? Lr { get; init; }

    /// <summary>Fraction of the steps spent in linear warmup (tokenizer: 3 % as the paper code; DiT: 10 %).</summary>
    public double WarmupRatio { get; init; } = 0.03;

    /// <summary>Floor of the cosine schedule (tokenizer: 1e-5 as the paper code; DiT: 3e-5).</summary>
    public double MinLr { get; init; } = 1e-5;

    /// <summary>AdamW β1.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>AdamW β2.</summary>
    public double Beta2 { get; init; } = 0.95;

    /// <summary>Weight decay on weight matrices only.</summary>
    public double WeightDecay { get; init; } = 1e-4;

    /// <summary>Gradient clipping at this global L2 norm. The tokenizer requires a value &gt; 0; the DiT accepts 0
    /// (off: the paper code sets 1.0 but never applies it; ViTok-v2 applies it).</summary>
    public double GradClip { get; init; } = 1.0;

    /// <summary>EMA decay of the weights that are sampled and exported (tokenizer: the decoder EMA of stage 2, paper
    /// 0.9999, 0 disables it; DiT: every weight).</summary>
    public double EmaDecay { get; init; } = 0.9999;

    /// <summary>Seed of every random choice (init, data order, augmentation, noise); every draw of a step derives from
    /// (seed, step), which makes resumes exact.</summary>
    public long Seed { get; init; }

    /// <summary>Steps between log lines.</summary>
    public int LogEvery { get; init; } = 10;

    /// <summary>Steps between checkpoints.</summary>
    public int CheckpointEvery { get; init; } = 500;

    /// <summary>Minutes of training after which a first checkpoint is written when <see cref="CheckpointEvery"/> has not
    /// come yet (also after a resume), so a crash never loses more than this; 0 = only at <c>checkpoint_every</c>.</summary>
    public double FirstCheckpointMinutes { get; init; } = 3;

    /// <summary>Steps between sample grids (tokenizer: reconstructions; DiT: generated samples).</summary>
    public int SampleEvery { get; init; } = 500;

    /// <summary>Checkpoints kept (older ones are deleted).</summary>
    public int KeepLast { get; init; } = 3;

    /// <summary>Consecutive non-finite steps after which the run stops.</summary>
    public int MaxBadSteps { get; init; } = 10;

    /// <summary>Compute dtype: f32, or bf16 (bf16 compute with fp32 master weights).</summary>
    public string Dtype { get; init; } = "f32";

    /// <summary>Device: cpu or cuda[:N].</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>Stop after this many minutes (0 = no limit); the run saves a checkpoint and ends cleanly.</summary>
    public double MaxMinutes { get; init; }

    /// <summary>Learning rate at the start of the warmup, rising linearly to the peak (0 = nanoGPT's warmup from 0;
    /// the authors' release starts at 1e-5). Range [0, 1).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public double WarmupStartLr { get; init; }

    /// <summary>Weight decay on every parameter (biases, norms and embeddings too), as the authors' release does;
    /// false = weight matrices and kernels only (paper §3.3).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool WeightDecayAll { get; init; }

    /// <summary>The learning rate actually used: <see cref="Lr"/> or the recipe's rule from the batch size.</summary>
    public abstract double PeakLr { get; }

    /// <summary>The JSON keys in the order each recipe's config.json has always listed them; keys not named follow
    /// in serialisation order.</summary>
    protected abstract IReadOnlyList<string> KeyOrder { get; }

    /// <summary>The config as JSON (snake_case, every key), keys in the recipe's documented order: what
    /// <c>config.json</c>, the log and the checkpoint metadata hold.</summary>
    public string ToJson(bool indented)
    {
        var options = indented ? IO.Json.Options : IO.Json.Compact;
        var node = System.Text.Json.Nodes.JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(this, GetType(), options))!.AsObject();
        var ordered = new System.Text.Json.Nodes.JsonObject();
        foreach (string key in KeyOrder.Where(node.ContainsKey).Concat(node.Select(kv => kv.Key).Where(k => !KeyOrder.Contains(k))).ToList())
        {
            var value = node[key];
            node.Remove(key);
            ordered[key] = value;
        }
        return ordered.ToJsonString(options);
    }
}
