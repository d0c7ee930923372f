using ViTok.Training;

namespace ViTok.Distributed;

/// <summary>Data-parallel training over MPI (<see cref="IGradientSync"/>): the gradients of every parameter that has
/// one are copied into one flat float32 CPU buffer, summed over ranks with MPI_Allreduce (in chunks of 2²⁶ values,
/// all in flight at once), divided by the number of ranks and copied back, so every rank then holds the same mean
/// gradient, bit for bit, and clipping, the non-finite skip and AdamW act identically everywhere. With equal slices
/// of the global batch per rank and a per-item mean loss, the mean of the ranks' gradients is the gradient of the
/// global batch (up to float summation order). One extra value in the buffer counts the gradients each rank sent, so
/// ranks that disagree on which parameters have gradients stop with an error instead of mixing them.</summary>
public sealed class MpiGradientSync : IGradientSync, IDisposable
{
    private readonly MpiWorld _world;
    private Tensor? _flat;             // [total + 1] float32 CPU, reused across steps
    private long _calls;

    /// <summary>Synchronises over <paramref name="world"/>.</summary>
    public MpiGradientSync(MpiWorld world) => _world = world;

    /// <inheritdoc />
    public int Rank => _world.Rank;

    /// <inheritdoc />
    public int WorldSize => _world.Size;

    /// <summary>The MPI job this synchroniser uses.</summary>
    public MpiWorld World => _world;

    /// <summary>Seconds spent in <see cref="AverageGradients"/> so far (copies and the all-reduce, including the
    /// wait for the slowest rank).</summary>
    public double AllReduceSeconds { get; private set; }

    /// <inheritdoc />
    /// <exception cref="ViTokException">The ranks disagree on which parameters have gradients, or MPI failed.</exception>
    public void AverageGradients(IReadOnlyList<Parameter> parameters)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        _calls++;
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var grads = parameters.Select(p => p.grad).Where(g => g is not null).Select(g => g!).ToList();
        long total = grads.Sum(g => g.numel());
        if (_flat is null || _flat.numel() != total + 1)
        {
            _flat?.Dispose();
            _flat = torch.empty(total + 1, dtype: ScalarType.Float32).DetachFromDisposeScope();
        }
        long offset = 0;
        foreach (var g in grads)
        {
            long n = g.numel();
            _flat.narrow(0, offset, n).copy_(g.reshape(-1));
            offset += n;
        }
        _flat[total] = torch.tensor((float)grads.Count);
        _world.SumInPlace(_flat, $"the gradient all-reduce #{_calls}");
        float count = _flat[total].item<float>();
        if (count != (float)grads.Count * WorldSize)
            throw new ViTokException($"MPI rank {Rank}: the ranks disagree on which parameters have gradients ({grads.Count} here, {count} over {WorldSize} ranks); " +
                                     "every rank must run the same model and step.");
        using var n1 = ((double)WorldSize).ToScalar();
        var mean = _flat.narrow(0, 0, total).div_(n1);
        offset = 0;
        foreach (var g in grads)
        {
            long n = g.numel();
            g.copy_(mean.narrow(0, offset, n).view(g.shape));
            offset += n;
        }
        AllReduceSeconds += clock.Elapsed.TotalSeconds;
    }

    /// <inheritdoc />
    /// <exception cref="ViTokException">MPI failed or timed out.</exception>
    public void Broadcast(IReadOnlyList<Tensor> tensors)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        // One broadcast per dtype: the tensors of that dtype packed into one flat CPU buffer.
        foreach (var group in tensors.GroupBy(t => t.dtype))
        {
            var list = group.ToList();
            var flat = torch.cat(list.Select(t => t.detach().reshape(-1).cpu()).ToList()).contiguous();
            _world.BroadcastInPlace(flat, $"the broadcast of {list.Count} {group.Key} tensors from rank 0");
            long offset = 0;
            foreach (var t in list)
            {
                long n = t.numel();
                t.detach().copy_(flat.narrow(0, offset, n).view(t.shape));
                offset += n;
            }
        }
    }

    /// <inheritdoc />
    /// <exception cref="ViTokException">MPI failed or timed out.</exception>
    public double[] AverageValues(double[] values)
    {
        if (values.Length == 0) return [];
        using var scope = torch.NewDisposeScope();
        var t = torch.tensor(values, ScalarType.Float64);
        _world.SumInPlace(t, "the all-reduce of logged values");
        return t.data<double>().ToArray().Select(v => v / WorldSize).ToArray();
    }

    /// <inheritdoc />
    /// <remarks>Compares a 52-bit prefix of each rank's SHA-256 of the tensors' bytes, gathered on every rank.</remarks>
    public string? CheckIdentical(IReadOnlyList<Tensor> tensors)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var t in tensors)
        {
            using var cpu = t.detach().cpu().contiguous();
            hash.AppendData(cpu.bytes);
        }
        long mine = (long)(BitConverter.ToUInt64(hash.GetHashAndReset(), 0) & ((1UL << 52) - 1));
        var all = _world.AllGather(mine, "the weight-identity check");
        var differ = Enumerable.Range(1, all.Length - 1).Where(r => all[r] != all[0]).ToList();
        return differ.Count == 0 ? null : $"ranks {string.Join(", ", differ)} hold weights that differ from rank 0's";
    }

    /// <summary>Frees the flat buffer.</summary>
    public void Dispose()
    {
        _flat?.Dispose();
        _flat = null;
    }
}
