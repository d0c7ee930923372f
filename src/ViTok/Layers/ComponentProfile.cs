using System.Diagnostics;

namespace ViTok.Layers;

/// <summary>Wall time per model component (attention projections, the attention kernel, MLP GEMMs, the MLP's gate,
/// norms, RoPE) on the current thread: layers wrap their parts in <see cref="Time"/>, and while a profile is
/// <see cref="Start">started</see> on the thread each part's exclusive time (its own, less that of parts timed inside
/// it) is added to its component. With no profile started, <see cref="Time"/> costs one thread-static read. CPU
/// kernels run synchronously, so the wall clock around a call is that call's compute; on CUDA the timers would see
/// only launches unless the caller synchronises (the bench profiles CPU runs). Overhead: two
/// <see cref="Stopwatch.GetTimestamp"/> calls per timed part (about 11 parts per transformer block, well under a
/// microsecond against milliseconds of work).</summary>
public sealed class ComponentProfile
{
    /// <summary>q/k/v and output projections of attention (their GEMMs).</summary>
    public const string AttentionProjections = "attn_proj";

    /// <summary>The attention kernel itself (scaled dot-product attention, layout changes around it).</summary>
    public const string AttentionCore = "attn_core";

    /// <summary>The MLP's two GEMMs (fc1, fc2).</summary>
    public const string MlpGemm = "mlp_gemm";

    /// <summary>The MLP's gate (SiLU(gate) · value).</summary>
    public const string MlpGate = "mlp_gate";

    /// <summary>RMSNorm / LayerNorm, including q/k norms.</summary>
    public const string Norm = "norm";

    /// <summary>Rotary position embedding: applying the rotation (and building its table).</summary>
    public const string Rope = "rope";

    /// <summary>Residual adds and LayerScale.</summary>
    public const string Residual = "residual";

    /// <summary>Everything else of the timed wall time (embeddings, masks, patchify, output projections, framework).</summary>
    public const string Other = "other";

    /// <summary>The components in report order (<see cref="Other"/> last).</summary>
    public static readonly IReadOnlyList<string> Components = [AttentionProjections, AttentionCore, MlpGemm, MlpGate, Norm, Rope, Residual, Other];

    [ThreadStatic] private static ComponentProfile? t_current;

    private readonly Dictionary<string, double> _seconds = new(StringComparer.Ordinal);
    private readonly Stack<(string Component, long Start, double Children)> _open = new();

    /// <summary>The profile collecting on this thread, or null.</summary>
    public static ComponentProfile? Current => t_current;

    /// <summary>Starts collecting on this thread into a new profile (replacing any other) and returns it.</summary>
    public static ComponentProfile Start() => t_current = new ComponentProfile();

    /// <summary>Stops collecting on this thread (the profile keeps its figures).</summary>
    public static void Stop() => t_current = null;

    /// <summary>Exclusive seconds per component so far (components never entered are absent).</summary>
    public IReadOnlyDictionary<string, double> Seconds => _seconds;

    /// <summary>Times the enclosed part as <paramref name="component"/> until the returned timer is disposed (a no-op
    /// when no profile is started on this thread). Timers nest; each part's time excludes its inner parts.</summary>
    public static ComponentTimer Time(string component)
    {
        var p = t_current;
        if (p is null) return default;
        p._open.Push((component, Stopwatch.GetTimestamp(), 0.0));
        return new ComponentTimer(p);
    }

    /// <summary>Shares (0–1) of <paramref name="totalSeconds"/> per component in <see cref="Components"/> order;
    /// <see cref="Other"/> is the rest of the total.</summary>
    public IReadOnlyDictionary<string, double> Shares(double totalSeconds)
    {
        var shares = new Dictionary<string, double>(StringComparer.Ordinal);
        double timed = 0;
        foreach (var c in Components)
        {
            if (c == Other) continue;
            double s = _seconds.GetValueOrDefault(c);
            timed += s;
            shares[c] = totalSeconds > 0 ? s / totalSeconds : 0;
        }
        shares[Other] = totalSeconds > 0 ? Math.Max(0, totalSeconds - timed) / totalSeconds : 0;
        return shares;
    }

    internal void Close()
    {
        var (component, start, children) = _open.Pop();
        double elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        _seconds[component] = _seconds.GetValueOrDefault(component) + elapsed - children;
        if (_open.TryPop(out var parent)) _open.Push(parent with { Children = parent.Children + elapsed });
    }
}
