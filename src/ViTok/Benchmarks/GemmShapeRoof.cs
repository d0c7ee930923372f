using System.Diagnostics;

namespace ViTok.Benchmarks;

/// <summary>A GEMM roof taken from a model's own linear layers: every <c>Linear</c> call of one forward pass is
/// recorded as its shape (rows M = tokens·batch, in K, out N, bias or not), each distinct shape is timed alone through
/// the call the model makes (<c>torch.nn.functional.linear</c>, i.e. <c>addmm</c>/<c>mm</c>, at the model's dtype,
/// device and thread count), and the roof is the FLOP-weighted rate over all calls: Σ 2·M·K·N / Σ t(shape), the speed
/// the model would reach if all of its work ran as fast as its own GEMMs do alone. It is a harder yardstick than a
/// large square product when the model's shapes run faster than that (the model cannot beat it by counting work its
/// roof does not have), and an honest one when they run slower (small M or N, skinny K).</summary>
/// <param name="Gflops">The FLOP-weighted GFLOP/s of the model's linear calls.</param>
/// <param name="Calls">Linear calls per forward pass.</param>
/// <param name="Shapes">Distinct shapes timed.</param>
/// <param name="GflopPerForward">GFLOP of the linear calls of one forward pass (2·M·K·N summed).</param>
/// <param name="SecondsPerForward">Their summed standalone time (s).</param>
public sealed record GemmShapeRoof(double Gflops, int Calls, int Shapes, double GflopPerForward, double SecondsPerForward)
{
    /// <summary>Records the shape (M, K, N, bias) of every <c>Linear</c> call of <paramref name="module"/> and its
    /// submodules while <paramref name="run"/> executes (forward hooks, removed afterwards).</summary>
    public static IReadOnlyList<(long M, long K, long N, bool Bias)> Record(nn.Module module, Action run)
    {
        var shapes = new List<(long, long, long, bool)>();
        var hooks = new List<Action>();
        try
        {
            foreach (var m in module.modules())
            {
                if (m is not Linear linear) continue;
                long k = linear.weight!.shape[1], n = linear.weight.shape[0];
                bool bias = linear.bias is not null;
                var handle = linear.register_forward_hook((_, input, output) =>
                {
                    shapes.Add((input.numel() / k, k, n, bias));
                    return output;
                });
                hooks.Add(handle.remove);
            }
            run();
        }
        finally
        {
            foreach (var remove in hooks) remove();
        }
        return shapes;
    }

    /// <summary>Times every distinct shape of <paramref name="calls"/> alone (random operands, one warm-up, best of
    /// <paramref name="repeats"/>) at <paramref name="dtype"/> on <paramref name="device"/> with the current thread
    /// count, and weights the times by the calls.</summary>
    /// <returns>The roof; null when there are no calls.</returns>
    public static GemmShapeRoof? Measure(IReadOnlyList<(long M, long K, long N, bool Bias)> calls, ScalarType dtype, Device device, int repeats = 5)
    {
        if (calls.Count == 0) return null;
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        using var gen = new Generator(0, device);
        double flop = 0, seconds = 0;
        var distinct = calls.GroupBy(c => c).ToList();
        foreach (var g in distinct)
        {
            using var shapeScope = torch.NewDisposeScope();
            var (m, k, n, bias) = g.Key;
            var x = torch.randn([m, k], dtype: ScalarType.Float32, device: device, generator: gen).to(dtype);
            var w = torch.randn([n, k], dtype: ScalarType.Float32, device: device, generator: gen).to(dtype);
            var b = bias ? torch.randn([n], dtype: ScalarType.Float32, device: device, generator: gen).to(dtype) : null;
            double best = double.MaxValue;
            for (int i = 0; i <= repeats; i++)
            {
                if (device.type == DeviceType.CUDA) torch.cuda.synchronize(device);
                long t0 = Stopwatch.GetTimestamp();
                using (F.linear(x, w, b))
                    if (device.type == DeviceType.CUDA) torch.cuda.synchronize(device);
                double s = Stopwatch.GetElapsedTime(t0).TotalSeconds;
                if (i > 0) best = Math.Min(best, s);
            }
            flop += g.Count() * 2.0 * m * k * n;
            seconds += g.Count() * best;
        }
        return new GemmShapeRoof(flop / 1e9 / seconds, calls.Count, distinct.Count, flop / 1e9, seconds);
    }
}
