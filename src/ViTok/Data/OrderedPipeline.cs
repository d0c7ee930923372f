namespace ViTok.Data;

/// <summary>Runs a function over an input sequence on N worker threads and hands the results back in input order.
/// Inputs are pulled one at a time under a lock (so a streaming reader stays single-threaded and deterministic);
/// at most <c>capacity</c> results wait ahead of the consumer, which bounds memory. With 0 workers everything runs
/// on the consumer's thread.</summary>
internal sealed class OrderedPipeline<TIn> : IDisposable
{
    private readonly object _gate = new();
    private readonly IEnumerator<TIn> _inputs;
    private readonly Func<TIn, ItemOutcome> _work;
    private readonly ItemOutcome?[] _slots;
    private readonly Thread[] _threads;
    private readonly CancellationToken _ct;
    private long _claimed;
    private long _taken;
    private long _total = -1;
    private bool _stopping;
    private Exception? _inputError;

    public OrderedPipeline(IEnumerable<TIn> inputs, Func<TIn, ItemOutcome> work, int workers, int capacity, CancellationToken ct)
    {
        _inputs = inputs.GetEnumerator();
        _work = work;
        _slots = new ItemOutcome?[Math.Max(1, capacity)];
        _ct = ct;
        _threads = new Thread[Math.Max(0, workers)];
        for (int i = 0; i < _threads.Length; i++)
        {
            _threads[i] = new Thread(WorkerLoop) { IsBackground = true, Name = $"vitok-data-{i}" };
            _threads[i].Start();
        }
    }

    /// <summary>The next result in input order; false once the input is exhausted and every result handed out.</summary>
    public bool TryTake(out ItemOutcome result)
    {
        if (_threads.Length == 0) return TakeInline(out result);
        lock (_gate)
        {
            while (true)
            {
                if (_taken == _total)
                {
                    if (_inputError is not null) throw new InvalidOperationException($"reading the data failed: {_inputError.Message}", _inputError);
                    result = null!;
                    return false;
                }
                int slot = (int)(_taken % _slots.Length);
                if (_slots[slot] is { } r)
                {
                    _slots[slot] = null;
                    _taken++;
                    Monitor.PulseAll(_gate);
                    result = r;
                    return true;
                }
                _ct.ThrowIfCancellationRequested();
                Monitor.Wait(_gate, 100);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.PulseAll(_gate);
        }
        // A worker inside a long decode finishes it on its own (ffmpeg calls have deadlines); do not block on it.
        foreach (var t in _threads) t.Join(TimeSpan.FromSeconds(2));
        lock (_gate) _inputs.Dispose();
    }

    private bool TakeInline(out ItemOutcome result)
    {
        _ct.ThrowIfCancellationRequested();
        if (!_inputs.MoveNext())
        {
            result = null!;
            return false;
        }
        result = _work(_inputs.Current);
        return true;
    }

    private void WorkerLoop()
    {
        while (true)
        {
            TIn item;
            long seq;
            lock (_gate)
            {
                while (!_stopping && _total < 0 && _claimed - _taken >= _slots.Length) Monitor.Wait(_gate);
                if (_stopping || _total >= 0) return;
                try
                {
                    if (!_inputs.MoveNext())
                    {
                        _total = _claimed;
                        Monitor.PulseAll(_gate);
                        return;
                    }
                    item = _inputs.Current;
                }
                catch (Exception e)
                {
                    _inputError = e;
                    _total = _claimed;
                    Monitor.PulseAll(_gate);
                    return;
                }
                seq = _claimed++;
            }
            var r = _work(item);
            lock (_gate)
            {
                _slots[(int)(seq % _slots.Length)] = r;
                Monitor.PulseAll(_gate);
            }
        }
    }
}
