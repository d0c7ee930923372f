namespace ViTok.Diffusion;

/// <summary>The paper's Gaussian diffusion (§7; DiT/ADM's <c>gaussian_diffusion.py</c>): linear β schedule over
/// <see cref="Timesteps"/> steps, q(x_t | x0) = N(√ᾱ_t·x0, (1 − ᾱ_t)·I), ε-prediction with a plain MSE loss, and
/// deterministic DDIM sampling (η = 0) on a respaced subset of the timesteps (DiT's <c>ddimK</c> spacing: every
/// ⌊T/K⌋-th step from 0 when that gives K steps, else K evenly rounded steps). The model sees the original integer
/// timestep. The schedule is kept in float64.</summary>
public sealed class GaussianDiffusion : IDiffusionProcess
{
    /// <summary>The paper's DDIM step count.</summary>
    public const int DefaultDdimSteps = 250;

    private readonly double[] _alphaBar;

    /// <summary>Creates the process.</summary>
    /// <exception cref="ViTokException">The timesteps, betas or default sampling steps are out of range.</exception>
    public GaussianDiffusion(int timesteps = 1000, double betaStart = 1e-4, double betaEnd = 0.02, int defaultSampleSteps = DefaultDdimSteps)
    {
        if (timesteps < 2) throw new ViTokException($"diffusion.timesteps must be at least 2, got {timesteps}");
        if (!(betaStart > 0 && betaEnd < 1 && betaStart <= betaEnd)) throw new ViTokException($"diffusion betas must satisfy 0 < beta_start <= beta_end < 1, got {betaStart} and {betaEnd}");
        if (defaultSampleSteps < 1 || defaultSampleSteps > timesteps) throw new ViTokException($"sampling steps must be between 1 and {timesteps}, got {defaultSampleSteps}");
        Timesteps = timesteps;
        DefaultSampleSteps = defaultSampleSteps;
        _alphaBar = new double[timesteps];
        double prod = 1;
        for (int i = 0; i < timesteps; i++)
        {
            double beta = betaStart + (betaEnd - betaStart) * i / (timesteps - 1);   // np.linspace
            prod *= 1 - beta;
            _alphaBar[i] = prod;
        }
    }

    /// <inheritdoc />
    public string Kind => "ddpm";

    /// <inheritdoc />
    public int DefaultSampleSteps { get; }

    /// <summary>Number of training timesteps T.</summary>
    public int Timesteps { get; }

    /// <summary>ᾱ_t = Π_{s ≤ t} (1 − β_s), t = 0 … T − 1.</summary>
    public IReadOnlyList<double> AlphaBar => _alphaBar;

    /// <summary>x_t = √ᾱ_t·x0 + √(1 − ᾱ_t)·ε for integer timesteps <paramref name="t"/> [B].</summary>
    public Tensor AddNoise(Tensor x0, Tensor noise, Tensor t)
    {
        var ab = torch.tensor(_alphaBar, ScalarType.Float64, x0.device).index_select(0, t.to(ScalarType.Int64)); // [B]
        var shape = new long[x0.dim()];
        Array.Fill(shape, 1L);
        shape[0] = -1;
        var a = ab.sqrt().to(x0.dtype).reshape(shape);
        var s = (ab.SubtractedFrom(1)).sqrt().to(x0.dtype).reshape(shape);
        return (a * x0).Plus(s * noise);
    }

    /// <inheritdoc />
    public Tensor TrainingLoss(Denoiser model, Tensor x0, Tensor y, Generator? generator)
    {
        var t = BatchDraws.Randint(0, Timesteps, [x0.shape[0]], x0.device, generator); // [B]
        var noise = BatchDraws.Randn(x0.shape, x0.dtype, x0.device, generator);
        var xt = AddNoise(x0, noise, t);
        var eps = model(xt, t.to(ScalarType.Float32), y);
        return (eps.to(ScalarType.Float32) - noise.to(ScalarType.Float32)).pow(Scalars.Of(2)).mean();
    }

    /// <summary>The timesteps DDIM visits with <paramref name="steps"/> steps, ascending.</summary>
    /// <exception cref="ViTokException"><paramref name="steps"/> is not between 1 and the timesteps.</exception>
    public IReadOnlyList<int> SampleTimesteps(int steps)
    {
        if (steps < 1 || steps > Timesteps) throw new ViTokException($"sampling steps must be between 1 and {Timesteps}, got {steps}");
        int stride = Timesteps / steps;
        if (Timesteps % steps == 0 || Enumerable.Range(0, Timesteps).Count(i => i % stride == 0) == steps)
            return [.. Enumerable.Range(0, steps).Select(i => i * stride)];
        if (steps == 1) return [Timesteps - 1];
        double frac = (Timesteps - 1.0) / (steps - 1);
        return [.. Enumerable.Range(0, steps).Select(i => (int)Math.Round(i * frac)).Distinct()];
    }

    /// <summary>Deterministic DDIM: x0̂ = (x_t − √(1 − ᾱ_t)·ε̂)/√ᾱ_t, x_prev = √ᾱ_prev·x0̂ + √(1 − ᾱ_prev)·ε̂, with
    /// ᾱ_prev = 1 after the last step.</summary>
    public Tensor Sample(Denoiser model, Tensor noise, Tensor y, int steps, Action<int, int>? progress = null)
    {
        var ts = SampleTimesteps(steps);
        using var _ = torch.no_grad();
        var x = noise;
        for (int i = ts.Count - 1; i >= 0; i--)
        {
            using var scope = torch.NewDisposeScope();
            double ab = _alphaBar[ts[i]], abPrev = i > 0 ? _alphaBar[ts[i - 1]] : 1.0;
            using var ti = ((float)ts[i]).ToScalar();
            var t = torch.full([x.shape[0]], ti, ScalarType.Float32, x.device);
            var eps = model(x, t, y).to(x.dtype);
            var x0 = (x - eps.Times(Math.Sqrt(1 - ab))).Over(Math.Sqrt(ab));
            var next = (x0.Times(Math.Sqrt(abPrev)).Plus(eps.Times(Math.Sqrt(1 - abPrev)))).MoveToOuterDisposeScope();
            if (!ReferenceEquals(x, noise)) x.Dispose();
            x = next;
            progress?.Invoke(ts.Count - i, ts.Count);
        }
        return ReferenceEquals(x, noise) ? x.clone() : x;
    }
}
