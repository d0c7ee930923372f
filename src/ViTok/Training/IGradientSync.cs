namespace ViTok.Training;

/// <summary>The data-parallel hooks the training loop calls (one implementation per engine, e.g. MPI in
/// <c>ViTok.Distributed</c>). Every rank runs the same loop on its slice of the global batch; after backward the loop
/// asks for the gradients averaged over ranks, so clipping, the non-finite-step skip and AdamW then act identically
/// on every rank. The single-process default is <see cref="SingleProcessSync"/>.</summary>
public interface IGradientSync
{
    /// <summary>This process's rank, 0 ≤ Rank &lt; WorldSize. Only rank 0 writes the run folder.</summary>
    int Rank { get; }

    /// <summary>Number of processes training together (1 for a single process).</summary>
    int WorldSize { get; }

    /// <summary>Replaces every non-null gradient by its sum over ranks divided by <see cref="WorldSize"/>, in place.
    /// Called after backward and before clipping, with the same parameter list in the same order on every rank.</summary>
    /// <exception cref="ViTokException">A rank failed or the collective timed out.</exception>
    void AverageGradients(IReadOnlyList<Parameter> parameters);

    /// <summary>Overwrites <paramref name="tensors"/> on every rank with rank 0's values, in place (weights and
    /// optimiser moments at start and after resume).</summary>
    /// <exception cref="ViTokException">A rank failed or the collective timed out.</exception>
    void Broadcast(IReadOnlyList<Tensor> tensors);

    /// <summary>The mean over ranks of each value (losses for the log), the same array on every rank.</summary>
    /// <exception cref="ViTokException">A rank failed or the collective timed out.</exception>
    double[] AverageValues(double[] values);

    /// <summary>Checks that every rank holds bit-identical <paramref name="tensors"/> (the weights at a checkpoint).
    /// Every rank must call it at the same point.</summary>
    /// <returns>Null when they agree (always for a single process), else a one-line description of the ranks that differ.</returns>
    /// <exception cref="ViTokException">A rank failed or the collective timed out.</exception>
    string? CheckIdentical(IReadOnlyList<Tensor> tensors) => null;
}
