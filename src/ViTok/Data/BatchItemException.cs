namespace ViTok.Data;

/// <summary>A <see cref="ViTokException"/> about one item of a batch, by its index: code that knows where the batch
/// came from (a file per item) rethrows it naming the file, e.g. "photos/b.png: (1×4096) still needs ...".</summary>
public sealed class BatchItemException : ViTokException
{
    /// <summary>The error for item <paramref name="index"/>; the message is "image {index} {detail}".</summary>
    public BatchItemException(int index, string detail) : base($"image {index} {detail}")
    {
        Index = index;
        Detail = detail;
    }

    /// <summary>The item's index in its batch (0-based).</summary>
    public int Index { get; }

    /// <summary>The message without the "image N" prefix.</summary>
    public string Detail { get; }
}
