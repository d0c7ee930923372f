using ViTok.Data;

namespace ViTok.Generation;

/// <summary>Settings of <see cref="LatentDatasetEncoder"/>: where the shards go, how many source items each holds, which
/// shards this process writes (<c>--shard i/N</c>: shards j with j mod N = i), batching, and the padding applied
/// before encoding.</summary>
public sealed record EncodeDatasetOptions
{
    /// <summary>Output folder of the shards.</summary>
    public string Output { get; init; } = "latents";

    /// <summary>Source items per shard file.</summary>
    public int ShardSize { get; init; } = 4096;

    /// <summary>The shards this process writes.</summary>
    public ShardSpec Shard { get; init; } = ShardSpec.Whole;

    /// <summary>Items per tokenizer call.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Data-loading threads.</summary>
    public int Workers { get; init; } = 2;

    /// <summary>Pad every image (frame) centred to this square side with black (−1), e.g. Fashion-MNIST 28 → 32; 0 = no
    /// padding.</summary>
    public int PadTo { get; init; }

    /// <summary>Encode only the first this many items of the source order (0 = all).</summary>
    public long Limit { get; init; }

    /// <summary>A description of the source transform (resize, crop), stored with the latents.</summary>
    public string Preprocessing { get; init; } = "none";
}
