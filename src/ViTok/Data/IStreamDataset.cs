using ViTok.IO;

namespace ViTok.Data;

/// <summary>A streaming source made of parts (tar shards) that are read front to back without unpacking. The
/// loader reads raw items on one thread, in a deterministic order, and decodes them on its workers.</summary>
public interface IStreamDataset : IDataSource
{
    /// <summary>Number of parts (shard files).</summary>
    int PartCount { get; }

    /// <summary>Reads the raw items of part <paramref name="part"/> in file order. A damaged part is recorded in
    /// <paramref name="skips"/> and ends early; it never throws for bad data.</summary>
    IEnumerable<RawItem> ReadPart(int part, SkipLog skips);

    /// <summary>Decodes and transforms one raw item. Throws <see cref="BadItemException"/> for an unreadable item.</summary>
    Sample Decode(RawItem item, DataRng rng);
}
