namespace ViTok.Training;

/// <summary>The <see cref="IGradientSync"/> of a single process: rank 0 of 1, every hook a no-op.</summary>
public sealed class SingleProcessSync : IGradientSync
{
    /// <summary>The one instance.</summary>
    public static SingleProcessSync Instance { get; } = new();

    private SingleProcessSync() { }

    /// <inheritdoc />
    public int Rank => 0;

    /// <inheritdoc />
    public int WorldSize => 1;

    /// <inheritdoc />
    public void AverageGradients(IReadOnlyList<Parameter> parameters) { }

    /// <inheritdoc />
    public void Broadcast(IReadOnlyList<Tensor> tensors) { }

    /// <inheritdoc />
    public double[] AverageValues(double[] values) => values;
}
