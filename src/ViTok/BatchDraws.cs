namespace ViTok;

/// <summary>Random draws of a training step that stay the same under data parallelism. Inside
/// <see cref="Slice"/> (set by the training loop on each rank), a draw whose first dimension is the rank's slice of the
/// batch is made for the whole global batch from the step's generator and cut to the rank's rows, so rank r of N
/// gets exactly the values a single process would draw for those items, and the generator advances as in a single
/// process. Outside a slice (one process, sampling, evaluation) these are the plain torch draws.</summary>
public static class BatchDraws
{
    [ThreadStatic] private static (long Offset, long Local, long Global)? _slice;

    /// <summary>Until disposed, batch draws on this thread are made for <paramref name="global"/> rows and cut to rows
    /// [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="local"/>).</summary>
    /// <exception cref="ArgumentException">The slice is not within the global batch.</exception>
    public static IDisposable Slice(long offset, long local, long global)
    {
        if (offset < 0 || local < 1 || offset + local > global)
            throw new ArgumentException($"slice [{offset}, {offset + local}) is not within a batch of {global}");
        var previous = _slice;
        _slice = (offset, local, global);
        return new Restore(previous);
    }

    /// <summary>Standard normal values of <paramref name="shape"/> ([B, ...], B the local batch).</summary>
    public static Tensor Randn(long[] shape, ScalarType dtype, Device device, Generator? generator) =>
        Draw(shape, s => torch.randn(s, dtype, device, generator: generator));

    /// <summary>Uniform [0, 1) values of <paramref name="shape"/> ([B, ...], B the local batch).</summary>
    public static Tensor Rand(long[] shape, ScalarType dtype, Device device, Generator? generator) =>
        Draw(shape, s => torch.rand(s, dtype, device, generator: generator));

    /// <summary>Integers in [<paramref name="low"/>, <paramref name="high"/>) of <paramref name="shape"/> ([B, ...]).</summary>
    public static Tensor Randint(long low, long high, long[] shape, Device device, Generator? generator) =>
        Draw(shape, s => torch.randint(low, high, s, ScalarType.Int64, device, generator: generator));

    private static Tensor Draw(long[] shape, Func<long[], Tensor> draw)
    {
        if (_slice is not { } slice || shape.Length == 0 || shape[0] != slice.Local) return draw(shape);
        long[] global = [slice.Global, .. shape[1..]];
        using var all = draw(global);
        return all.narrow(0, slice.Offset, slice.Local).contiguous();
    }

    private sealed class Restore((long, long, long)? previous) : IDisposable
    {
        public void Dispose() => _slice = previous;
    }
}
