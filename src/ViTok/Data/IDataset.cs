using ViTok.IO;

namespace ViTok.Data;

/// <summary>A map-style source: <see cref="Count"/> items addressed by index. <see cref="Get"/> must be safe to call
/// from several threads at once and deterministic given the index and the generator it is handed.</summary>
public interface IDataset : IDataSource
{
    /// <summary>Number of items (files, records or clips), readable or not.</summary>
    int Count { get; }

    /// <summary>The file or item name behind <paramref name="index"/>, for skip lists.</summary>
    string SourceOf(int index);

    /// <summary>Decodes and transforms item <paramref name="index"/>, drawing every random choice from
    /// <paramref name="rng"/>. Throws <see cref="BadItemException"/> for an unreadable item.</summary>
    Sample Get(int index, DataRng rng);
}
