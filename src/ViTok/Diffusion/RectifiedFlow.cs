namespace ViTok.Diffusion;

/// <summary>ViTok-v2's rectified flow (v2-dit): x_t = (1 − t)·x0 + t·ε for t ~ U[0, 1), the model predicts the
/// velocity v = ε − x0 (plain MSE) and sees 1000·t; sampling integrates dx/dt = v from t = 1 (pure noise) to t = 0 with
/// Euler steps on a uniform grid (v2's early sampler; the later UniPC solver is not ported).</summary>
public sealed class RectifiedFlow : IDiffusionProcess
{
    /// <summary>Default Euler step count.</summary>
    public const int DefaultEulerSteps = 50;

    /// <summary>Creates the process.</summary>
    /// <exception cref="ViTokException"><paramref name="defaultSampleSteps"/> is below 1.</exception>
    public RectifiedFlow(int defaultSampleSteps = DefaultEulerSteps)
    {
        if (defaultSampleSteps < 1) throw new ViTokException($"sampling steps must be at least 1, got {defaultSampleSteps}");
        DefaultSampleSteps = defaultSampleSteps;
    }

    /// <inheritdoc />
    public string Kind => "flow";

    /// <inheritdoc />
    public int DefaultSampleSteps { get; }

    /// <summary>x_t = (1 − t)·x0 + t·ε for times <paramref name="t"/> [B] in [0, 1].</summary>
    public static Tensor Interpolate(Tensor x0, Tensor noise, Tensor t)
    {
        var shape = new long[x0.dim()];
        Array.Fill(shape, 1L);
        shape[0] = -1;
        var tt = t.to(x0.dtype).reshape(shape);
        return ((tt.SubtractedFrom(1)) * x0).Plus(tt * noise);
    }

    /// <inheritdoc />
    public Tensor TrainingLoss(Denoiser model, Tensor x0, Tensor y, Generator? generator)
    {
        var t = BatchDraws.Rand([x0.shape[0]], ScalarType.Float32, x0.device, generator);   // [B]
        var noise = BatchDraws.Randn(x0.shape, x0.dtype, x0.device, generator);
        var xt = Interpolate(x0, noise, t);
        var v = model(xt, t.Times(1000), y);
        return (v.to(ScalarType.Float32) - (noise - x0).to(ScalarType.Float32)).pow(Scalars.Of(2)).mean();
    }

    /// <summary>Euler: x ← x + (t_next − t)·v̂(x, t) for t = 1, 1 − 1/K, …, 1/K.</summary>
    /// <exception cref="ViTokException"><paramref name="steps"/> is below 1.</exception>
    public Tensor Sample(Denoiser model, Tensor noise, Tensor y, int steps, Action<int, int>? progress = null)
    {
        if (steps < 1) throw new ViTokException($"sampling steps must be at least 1, got {steps}");
        using var _ = torch.no_grad();
        var x = noise;
        for (int i = 0; i < steps; i++)
        {
            using var scope = torch.NewDisposeScope();
            double t = 1.0 - (double)i / steps, tNext = 1.0 - (double)(i + 1) / steps;
            using var ti = ((float)(1000 * t)).ToScalar();
            var tt = torch.full([x.shape[0]], ti, ScalarType.Float32, x.device);
            var v = model(x, tt, y).to(x.dtype);
            var next = (x.Plus(v.Times((tNext - t)))).MoveToOuterDisposeScope();
            if (!ReferenceEquals(x, noise)) x.Dispose();
            x = next;
            progress?.Invoke(i + 1, steps);
        }
        return x;
    }
}
