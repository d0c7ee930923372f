namespace ViTok.Training;

/// <summary>Exponential moving average of a set of named parameters (DiT's update_ema): ema ← decay·ema + (1 − decay)·p,
/// kept in fp32.</summary>
public sealed class Ema : IDisposable
{
    private readonly Dictionary<string, Tensor> _shadow = new();

    /// <summary>Decay of the average, in [0, 1] (DiT: 0.9999): the share of the old average kept at each update.</summary>
    public double Decay { get; }

    /// <summary>Starts the average at the current values.</summary>
    public Ema(IEnumerable<(string Name, Parameter Param)> parameters, double decay)
    {
        Decay = decay;
        using var _ = torch.no_grad();
        foreach (var (name, p) in parameters) _shadow[name] = p.detach().to(ScalarType.Float32).clone();
    }

    /// <summary>One update from the current parameter values.</summary>
    public void Update(IEnumerable<(string Name, Parameter Param)> parameters) => Update(parameters, Decay);

    /// <summary>One update with an explicit decay (e.g. a warm-up decay below <see cref="Decay"/>).</summary>
    public void Update(IEnumerable<(string Name, Parameter Param)> parameters, double decay)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        using Scalar keep = decay, take = 1 - decay;   // explicit lifetimes (see ViTok.Scalars)
        foreach (var (name, p) in parameters)
            if (_shadow.TryGetValue(name, out var s)) s.mul_(keep).add_(p.detach().to(ScalarType.Float32), alpha: take);
    }

    /// <summary>The averaged values by parameter name.</summary>
    public IReadOnlyDictionary<string, Tensor> Values => _shadow;

    /// <summary>Restores averaged values (from a checkpoint).</summary>
    public void Load(IReadOnlyDictionary<string, Tensor> values, string prefix)
    {
        using var _ = torch.no_grad();
        foreach (var (name, s) in _shadow)
            if (values.TryGetValue(prefix + name, out var v)) s.copy_(v);
    }

    /// <summary>Frees the shadow tensors.</summary>
    public void Dispose()
    {
        foreach (var t in _shadow.Values) t.Dispose();
    }

    /// <summary>Puts the averaged values into <paramref name="parameters"/> until the returned object is disposed,
    /// which restores the raw values (for sampling and export with the EMA weights).</summary>
    public IDisposable SwapInto(IEnumerable<(string Name, Parameter Param)> parameters) => new Swap(this, parameters);

    private sealed class Swap : IDisposable
    {
        private readonly List<(Parameter P, Tensor Saved)> _saved = [];

        public Swap(Ema ema, IEnumerable<(string Name, Parameter Param)> parameters)
        {
            using var _ = torch.no_grad();
            foreach (var (name, p) in parameters)
            {
                if (!ema._shadow.TryGetValue(name, out var value)) continue;
                _saved.Add((p, p.detach().clone().DetachFromDisposeScope()));
                p.copy_(value);
            }
        }

        public void Dispose()
        {
            using var _ = torch.no_grad();
            foreach (var (p, saved) in _saved)
            {
                p.copy_(saved);
                saved.Dispose();
            }
        }
    }
}
