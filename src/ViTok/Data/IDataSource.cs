namespace ViTok.Data;

/// <summary>What every data source tells about itself. A source is either map-style (<see cref="IDataset"/>: items
/// by index) or streaming (<see cref="IStreamDataset"/>: tar shards read front to back).</summary>
public interface IDataSource
{
    /// <summary>Where the items come from (folder, file, generator description), for messages.</summary>
    string Location { get; }

    /// <summary>The kind of source: images, video, fashion-mnist, moving-fashion-mnist, photo-crops, shards or synthetic.</summary>
    string Kind { get; }

    /// <summary>Class names, index = label; empty when the source has no classes.</summary>
    IReadOnlyList<string> Classes { get; }

    /// <summary>Files found where the source looked that it does not take (other kinds, links not followed), each
    /// with its reason; empty for sources that are not folders.</summary>
    IReadOnlyList<IgnoredFile> Ignored => [];
}
