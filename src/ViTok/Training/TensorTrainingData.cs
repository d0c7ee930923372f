using ViTok.Data;

namespace ViTok.Training;

/// <summary>Training batches drawn from an in-memory tensor of items [N, ...] in a per-epoch shuffled order that is a
/// function of (seed, epoch) alone. Used for small data and tests.</summary>
public sealed class TensorTrainingData : ITrainingData
{
    private readonly Tensor _items;
    private readonly Tensor? _labels;
    private readonly int _batch;
    private readonly long _seed;
    private long[] _order = [];
    private long _orderEpoch = -1;

    /// <summary>Wraps <paramref name="items"/> (kept, not copied) and optional labels.</summary>
    public TensorTrainingData(Tensor items, Tensor? labels, int batchSize, long seed)
    {
        if (items.shape[0] < batchSize)
            throw new ViTokException($"the data hold {items.shape[0]} items, fewer than one batch (batch_size = {batchSize}); set batch_size to at most {items.shape[0]} or add data.");
        _items = items;
        _labels = labels;
        _batch = batchSize;
        _seed = seed;
    }

    /// <inheritdoc />
    public LoaderPosition Position { get; private set; }

    /// <inheritdoc />
    public void Seek(LoaderPosition position) => Position = position;

    /// <inheritdoc />
    public (Tensor Input, Tensor? Labels) Next()
    {
        long n = _items.shape[0];
        if (Position.Index + _batch > n) Position = new LoaderPosition(Position.Epoch + 1, 0);
        if (_orderEpoch != Position.Epoch)
        {
            var rng = new Random((int)((_seed * 1_000_003 + Position.Epoch * 7_919) & 0x7fffffff));
            _order = [.. Enumerable.Range(0, (int)n).Select(i => (long)i)];
            rng.Shuffle(_order);
            _orderEpoch = Position.Epoch;
        }
        using var idx = torch.tensor(_order[(int)Position.Index..(int)(Position.Index + _batch)]);
        Position = Position with { Index = Position.Index + _batch };
        return (_items.index_select(0, idx), _labels?.index_select(0, idx));
    }

    /// <inheritdoc />
    public string Describe() => $"in-memory tensor data: {_items.shape[0]} items of [{string.Join(", ", _items.shape[1..])}]";

    /// <summary>Nothing to free: the tensors belong to the caller.</summary>
    public void Dispose() { }
}
