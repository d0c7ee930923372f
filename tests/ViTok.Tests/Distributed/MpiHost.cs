using ViTok.Distributed;

namespace ViTok.Tests.Distributed;

/// <summary>The MPI side of <see cref="MpiBindingTests"/>, run by <c>mpiexec -n N dotnet ViTok.Tests.dll mpi MODE</c>
/// (one process per rank). Mode <c>check</c>: sums, broadcasts, the gather, the gradient average against the
/// full-batch gradient computed locally; prints "mpi ok rank r/N" per rank. Mode <c>hang</c>: the last rank stops
/// answering before an all-reduce (as a stuck rank would), so the others must end the job through the timeout.
/// Mode <c>bench:COUNT</c>: milliseconds per all-reduce of COUNT floats (a benchmark, not a test).</summary>
public static class MpiHost
{
    public static int Run(string mode)
    {
        using var world = MpiWorld.Start();
        int r = world.Rank, n = world.Size;
        if (mode == "hang")
        {
            if (r == n - 1) Thread.Sleep(Timeout.Infinite);
            using var t = torch.ones(4);
            world.SumInPlace(t, "the test all-reduce");
            Console.WriteLine("hang: the all-reduce completed without the last rank");
            return 1;
        }
        if (mode.StartsWith("bench:", StringComparison.Ordinal))
        {
            // Seconds per in-place float32 sum of a buffer of the given number of values (the gradient all-reduce
            // without copies or waiting), after a warm-up.
            long count = long.Parse(mode[6..], System.Globalization.CultureInfo.InvariantCulture);
            using var buffer = torch.ones(count);
            for (int i = 0; i < 5; i++) world.SumInPlace(buffer, "bench warm-up");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            const int reps = 50;
            for (int i = 0; i < reps; i++) world.SumInPlace(buffer, "bench");
            if (r == 0) Console.WriteLine($"allreduce {count} floats: {clock.Elapsed.TotalMilliseconds / reps:0.###} ms");
            return 0;
        }
        var failures = new List<string>();
        void Expect(bool ok, string what) { if (!ok) failures.Add(what); }

        // Float sum of (rank + 1) · [1, 2, 3...]: exact in float32.
        using (var scope = torch.NewDisposeScope())
        {
            var x = torch.arange(1, 1001, dtype: ScalarType.Float32).mul_(Scalars.Of(r + 1));
            world.SumInPlace(x, "test float sum");
            double factor = n * (n + 1) / 2.0;
            var expected = torch.arange(1, 1001, dtype: ScalarType.Float32).mul_(Scalars.Of(factor));
            Expect(x.eq(expected).all().item<bool>(), $"float sum: got {x[999].item<float>()} at the end, expected {1000 * factor}");

            // A view in the middle of a larger buffer: only the view changes.
            var big = torch.full(10, r + 1.0, dtype: ScalarType.Float64);
            world.SumInPlace(big.narrow(0, 3, 4), "test view sum");
            var got = big.data<double>().ToArray();
            Expect(got.Take(3).Concat(got.Skip(7)).All(v => v == r + 1) && got.Skip(3).Take(4).All(v => v == n * (n + 1) / 2.0),
                $"view sum: [{string.Join(", ", got)}]");

            // Broadcast from rank 0 of float and int64 data.
            var b = torch.full(5, r == 0 ? 7.5 : -1.0, dtype: ScalarType.Float32);
            var ids = torch.full(3, r == 0 ? 42L : r, dtype: ScalarType.Int64);
            world.BroadcastInPlace(b, "test broadcast");
            world.BroadcastInPlace(ids, "test broadcast int64");
            Expect(b.data<float>().ToArray().All(v => v == 7.5f), "broadcast float32");
            Expect(ids.data<long>().ToArray().All(v => v == 42), "broadcast int64");

            var gathered = world.AllGather(100 + r, "test gather");
            Expect(gathered.SequenceEqual(Enumerable.Range(0, n).Select(q => 100L + q)), $"gather: [{string.Join(", ", gathered)}]");
        }

        // MpiGradientSync: each rank's gradient on its slice of a global batch, averaged, equals the full-batch
        // gradient; the broadcast makes rank 0's weights everyone's; AverageValues is the mean.
        using (var scope = torch.NewDisposeScope())
        using (var sync = new MpiGradientSync(world))
        {
            torch.manual_seed(1234 + r);                      // different initial weights per rank ...
            var model = torch.nn.Linear(6, 3);
            var parameters = model.parameters().ToList();
            sync.Broadcast(parameters.Cast<Tensor>().ToList());  // ... until rank 0's are broadcast
            torch.manual_seed(7);                            // the same global batch on every rank
            var x = torch.randn(4 * n, 6);
            var y = torch.randn(4 * n, 3);
            // Reference: the gradient of the whole batch, computed on this rank alone.
            F.mse_loss(model.call(x), y).backward();
            var reference = parameters.Select(p => p.grad!.clone()).ToList();
            model.zero_grad();
            F.mse_loss(model.call(x.narrow(0, 4 * r, 4)), y.narrow(0, 4 * r, 4)).backward();
            sync.AverageGradients(parameters);
            double maxDiff = parameters.Zip(reference).Max(p => (p.First.grad! - p.Second).abs().max().item<float>());
            Expect(maxDiff < 1e-6, $"averaged gradient differs from the full-batch gradient by {maxDiff}");
            Expect(sync.CheckIdentical(parameters.Cast<Tensor>().ToList()) is null, "weights differ after the broadcast");
            Expect(sync.CheckIdentical(parameters.Select(p => p.grad!).ToList()) is null, "averaged gradients differ between ranks");
            var mean = sync.AverageValues([r, 2.0 * r]);
            Expect(mean[0] == (n - 1) / 2.0 && mean[1] == n - 1.0, $"average values [{string.Join(", ", mean)}]");
            // A rank with different weights is found.
            if (r == n - 1) using (torch.no_grad()) parameters[0].add_(Scalars.One);
            Expect(n == 1 || sync.CheckIdentical(parameters.Cast<Tensor>().ToList()) is string, "a changed rank was not detected");
        }
        foreach (var f in failures) Console.WriteLine($"rank {r}: FAIL {f}");
        if (failures.Count == 0) Console.WriteLine($"mpi ok rank {r}/{n}");
        return failures.Count == 0 ? 0 : 1;
    }
}
