namespace ViTok.Data;

/// <summary>Settings of a <see cref="DataLoader"/>. Batches depend only on the source, <see cref="Seed"/>,
/// <see cref="BatchSize"/>, <see cref="Shuffle"/>, <see cref="ShuffleBuffer"/> and <see cref="Shard"/>, never on
/// <see cref="Workers"/> or <see cref="Prefetch"/>.</summary>
public sealed record DataLoaderOptions
{
    /// <summary>Items per batch.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Decoding threads; 0 decodes on the consuming thread.</summary>
    public int Workers { get; init; } = 2;

    /// <summary>Decoded items held ahead of the consumer (the bounded queue); 0 = 2 × batch size.</summary>
    public int Prefetch { get; init; }

    /// <summary>Seed of the per-epoch shuffle and of every item's random transform.</summary>
    public ulong Seed { get; init; }

    /// <summary>Shuffle the order every epoch (map-style sources; streams shuffle shard order and a buffer).</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Size of the shuffle buffer of streaming sources.</summary>
    public int ShuffleBuffer { get; init; } = 256;

    /// <summary>Drop the last incomplete batch of an epoch.</summary>
    public bool DropLast { get; init; }

    /// <summary>The part of the data this process reads.</summary>
    public ShardSpec Shard { get; init; } = ShardSpec.Whole;

    /// <summary>Where each skipped item is written once (file and reason); null writes nowhere.</summary>
    public TextWriter? Log { get; init; }
}
