using System.Diagnostics;

namespace ViTok.Training;

/// <summary>Splits wall-clock time into named phases for a profile: <see cref="Enter"/> closes the running phase and
/// opens the next, so the phases add up to the wall time between the first <see cref="Enter"/> and <see cref="Stop"/>.
/// The training loop and the tokenizer recipe mark <see cref="Data"/>, <see cref="Forward"/>, <see cref="Backward"/>,
/// <see cref="Optimiser"/> and <see cref="Other"/> when a clock is attached (<c>TrainingRun.Phases</c>); without one
/// nothing is measured. On CPU libtorch runs each operator before returning, so the stopwatch sees the work itself; on
/// CUDA give <c>synchronize</c> (wait for the device) or the phases shift to whoever waits first.</summary>
public sealed class PhaseClock
{
    /// <summary>Taking the next batch from the data stream (and handing it to the step).</summary>
    public const string Data = "data";

    /// <summary>The model's training pass and the loss terms.</summary>
    public const string Forward = "forward";

    /// <summary>Autograd's backward pass.</summary>
    public const string Backward = "backward";

    /// <summary>Gradient averaging, clipping and the AdamW update (and the EMA, when kept).</summary>
    public const string Optimiser = "optimiser";

    /// <summary>Everything else: the step's set-up, reading the figures, metrics, logging, progress, freeing.</summary>
    public const string Other = "other";

    private readonly Dictionary<string, long> _ticks = new(StringComparer.Ordinal);
    private readonly Action? _synchronize;
    private string? _current;
    private long _since;

    /// <summary>A stopped clock; <paramref name="synchronize"/> runs before every reading (e.g. wait for a GPU).</summary>
    public PhaseClock(Action? synchronize = null) => _synchronize = synchronize;

    /// <summary>Closes the running phase (if any) and starts <paramref name="phase"/>.</summary>
    public void Enter(string phase)
    {
        long now = Now();
        if (_current is not null) _ticks[_current] = _ticks.GetValueOrDefault(_current) + (now - _since);
        _current = phase;
        _since = now;
    }

    /// <summary>Closes the running phase; the clock stands until the next <see cref="Enter"/>.</summary>
    public void Stop()
    {
        if (_current is null) return;
        long now = Now();
        _ticks[_current] = _ticks.GetValueOrDefault(_current) + (now - _since);
        _current = null;
    }

    /// <summary>Forgets every phase's time (the running phase restarts now).</summary>
    public void Reset()
    {
        _ticks.Clear();
        _since = Stopwatch.GetTimestamp();
    }

    /// <summary>Seconds per phase so far (closed intervals only), in the order the phases first appeared.</summary>
    public IReadOnlyDictionary<string, double> Seconds =>
        _ticks.ToDictionary(kv => kv.Key, kv => kv.Value / (double)Stopwatch.Frequency, StringComparer.Ordinal);

    private long Now()
    {
        _synchronize?.Invoke();
        return Stopwatch.GetTimestamp();
    }
}
