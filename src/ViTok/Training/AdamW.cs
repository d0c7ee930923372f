namespace ViTok.Training;

/// <summary>AdamW with decoupled weight decay per parameter group, exactly PyTorch's update rule, with its whole state
/// (moments, step, fp32 master weights) exposed as named tensors so a checkpoint restores it bit-exactly. With
/// <see cref="MasterWeights"/> the model may hold bf16 parameters while the update runs on fp32 copies.</summary>
public sealed class AdamW : IDisposable
{
    /// <summary>One named parameter and its optimiser state.</summary>
    private sealed class Slot(string name, Parameter param, bool decay)
    {
        public string Name { get; } = name;
        public Parameter Param { get; } = param;
        public bool Decay { get; } = decay;
        public Tensor? Master { get; set; }
        public Tensor? M { get; set; }
        public Tensor? V { get; set; }
    }

    private readonly List<Slot> _slots;
    private readonly double _beta1, _beta2, _eps, _weightDecay;

    /// <summary>Optimiser steps taken.</summary>
    public long Step { get; private set; }

    /// <summary>Current learning rate (set it from the schedule before each step).</summary>
    public double LearningRate { get; set; }

    /// <summary>Whether fp32 master copies are kept (parameters in a lower precision).</summary>
    public bool MasterWeights { get; }

    /// <summary>Creates the optimiser over named parameters; <paramref name="decay"/> says which get weight decay.</summary>
    public AdamW(IEnumerable<(string Name, Parameter Param)> parameters, Func<string, Parameter, bool> decay,
                 double lr, double beta1 = 0.9, double beta2 = 0.95, double weightDecay = 1e-4, double eps = 1e-8)
    {
        _slots = [.. parameters.Where(p => p.Param.requires_grad).Select(p => new Slot(p.Name, p.Param, decay(p.Name, p.Param)))];
        LearningRate = lr;
        _beta1 = beta1;
        _beta2 = beta2;
        _weightDecay = weightDecay;
        _eps = eps;
        MasterWeights = _slots.Any(s => s.Param.dtype != ScalarType.Float32);
        using var _ = torch.no_grad();
        foreach (var s in _slots)
        {
            s.Master = MasterWeights ? s.Param.detach().to(ScalarType.Float32).clone() : null;
            s.M = torch.zeros(s.Param.shape, ScalarType.Float32, s.Param.device);
            s.V = torch.zeros(s.Param.shape, ScalarType.Float32, s.Param.device);
        }
    }

    /// <summary>Parameters this optimiser updates.</summary>
    public IEnumerable<Parameter> Parameters => _slots.Select(s => s.Param);

    /// <summary>Names of the parameters that receive weight decay.</summary>
    public IEnumerable<string> DecayedNames => _slots.Where(s => s.Decay).Select(s => s.Name);

    /// <summary>Clears the gradients.</summary>
    public void ZeroGrad()
    {
        foreach (var s in _slots)
        {
            var g = s.Param.grad;
            if (g is not null) g.zero_();
        }
    }

    /// <summary>One update of every parameter that has a gradient.</summary>
    public void StepOnce()
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        Step++;
        double bc1 = 1 - Math.Pow(_beta1, Step);
        double bc2 = 1 - Math.Pow(_beta2, Step);
        // Native Scalars with explicit lifetimes (this step), never finalizer-owned temporaries (see ViTok.Scalars).
        using Scalar decayFactor = 1 - LearningRate * _weightDecay, beta1 = _beta1, oneMinusBeta1 = 1 - _beta1;
        using Scalar beta2 = _beta2, oneMinusBeta2 = 1 - _beta2, sqrtBc2 = Math.Sqrt(bc2), eps = _eps, stepSize = -LearningRate / bc1;
        foreach (var s in _slots)
        {
            var grad = s.Param.grad;
            if (grad is null) continue;
            var g = grad.to(ScalarType.Float32);
            var w = s.Master ?? s.Param;
            if (s.Decay && _weightDecay != 0) w.mul_(decayFactor);
            s.M!.mul_(beta1).add_(g, alpha: oneMinusBeta1);
            s.V!.mul_(beta2).addcmul_(g, g, value: oneMinusBeta2);
            var denom = s.V.sqrt().div(sqrtBc2).add_(eps, Scalars.One);
            w.addcdiv_(s.M, denom, value: stepSize);
            if (s.Master is not null) s.Param.copy_(s.Master);
        }
    }

    /// <summary>The state as named tensors (<c>NAME.exp_avg</c>, <c>NAME.exp_avg_sq</c>, <c>NAME.master</c>) plus the step.</summary>
    public Dictionary<string, Tensor> StateDict()
    {
        var d = new Dictionary<string, Tensor> { ["step"] = torch.tensor(Step) };
        foreach (var s in _slots)
        {
            d[s.Name + ".exp_avg"] = s.M!;
            d[s.Name + ".exp_avg_sq"] = s.V!;
            if (s.Master is not null) d[s.Name + ".master"] = s.Master;
        }
        return d;
    }

    /// <summary>The state tensors themselves, in a fixed order (per parameter: moments, then the fp32 master copy when
    /// kept), for a data-parallel broadcast that overwrites them in place; the step count is a plain number.</summary>
    public IEnumerable<Tensor> StateTensors =>
        _slots.SelectMany(s => s.Master is null ? new[] { s.M!, s.V! } : [s.M!, s.V!, s.Master]);

    /// <summary>Restores the state written by <see cref="StateDict"/>.</summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, string source)
    {
        using var _ = torch.no_grad();
        if (!state.TryGetValue("step", out var step)) throw new ViTokException($"{source}: optimiser state has no step.");
        Step = step.item<long>();
        foreach (var s in _slots)
        {
            if (!state.TryGetValue(s.Name + ".exp_avg", out var m) || !state.TryGetValue(s.Name + ".exp_avg_sq", out var v))
                throw new ViTokException($"{source}: optimiser state lacks '{s.Name}'; the checkpoint is of another model or stage.");
            s.M!.copy_(m);
            s.V!.copy_(v);
            if (s.Master is not null)
            {
                if (state.TryGetValue(s.Name + ".master", out var master)) s.Master.copy_(master);
                else s.Master.copy_(s.Param);
            }
        }
    }

    /// <summary>Frees the state tensors.</summary>
    public void Dispose()
    {
        foreach (var s in _slots)
        {
            s.M?.Dispose();
            s.V?.Dispose();
            s.Master?.Dispose();
        }
    }
}
