namespace ViTok.Data;

/// <summary>A batch made on the consuming thread: pixels [B, 3, H, W] or [B, 3, T, H, W] in [-1, 1] and int64 labels
/// [B]. The loader disposes it when the next batch is requested; clone what must outlive the iteration.</summary>
public sealed class Batch : IDisposable
{
    internal Batch(Tensor pixels, Tensor labels, int[] labelValues, string[] sources, int epoch, LoaderPosition next)
    {
        Pixels = pixels;
        Labels = labels;
        LabelValues = labelValues;
        Sources = sources;
        Epoch = epoch;
        Next = next;
    }

    /// <summary>Float pixels [B, 3, H, W] (images) or [B, 3, T, H, W] (clips).</summary>
    public Tensor Pixels { get; }

    /// <summary>Int64 labels [B] (-1 where the source has none).</summary>
    public Tensor Labels { get; }

    /// <summary>The labels as managed values.</summary>
    public IReadOnlyList<int> LabelValues { get; }

    /// <summary>Where each item came from.</summary>
    public IReadOnlyList<string> Sources { get; }

    /// <summary>Number of items B.</summary>
    public int Count => LabelValues.Count;

    /// <summary>The epoch the batch belongs to.</summary>
    public int Epoch { get; }

    /// <summary>The position to resume from to get the batch after this one.</summary>
    public LoaderPosition Next { get; }

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        Pixels.Dispose();
        Labels.Dispose();
    }
}
