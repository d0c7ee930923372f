namespace ViTok.Generation;

/// <summary>What an <see cref="LatentDatasetEncoder"/> run did: shards written and skipped (already complete), items
/// encoded, and the latent space (null when this process had nothing to write).</summary>
public sealed record EncodeDatasetReport(int ShardsWritten, int ShardsSkipped, long ItemsEncoded, LatentSpace? Space);
