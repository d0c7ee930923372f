using ViTok.Data;

namespace ViTok.Training;

/// <summary>An endless, seeded stream of training batches whose order and augmentation depend only on the seed and
/// the position, so a run resumed at a saved <see cref="Position"/> sees exactly the batches it would have seen.</summary>
public interface ITrainingData : IDisposable
{
    /// <summary>The next batch: images [B, 3, H, W] or clips [B, 3, T, H, W] in [-1, 1] (new tensors; the caller
    /// disposes them) and labels [B] (or null).</summary>
    (Tensor Input, Tensor? Labels) Next();

    /// <summary>Position of the next batch.</summary>
    LoaderPosition Position { get; }

    /// <summary>Moves to a saved position.</summary>
    void Seek(LoaderPosition position);

    /// <summary>A one-line description (source, item count, skipped files) for the log.</summary>
    string Describe();
}
