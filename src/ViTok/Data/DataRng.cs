namespace ViTok.Data;

/// <summary>A small deterministic random generator (SplitMix64) whose stream depends only on its seed, so that every
/// random choice of an item (crop, flip, clip start) derives from (seed, epoch, index) and not from which worker
/// thread decoded it. Not thread-safe: each item gets its own instance.</summary>
public sealed class DataRng
{
    private ulong _state;

    /// <summary>Creates a generator from a 64-bit seed.</summary>
    public DataRng(ulong seed) => _state = seed;

    /// <summary>The generator for item <paramref name="index"/> of epoch <paramref name="epoch"/> under a run seed.</summary>
    public static DataRng For(ulong seed, long epoch, long index)
    {
        ulong s = Mix(seed ^ 0x5EED_0F_DA7AUL);
        s = Mix(s ^ ((ulong)epoch * 0x9E3779B97F4A7C15UL));
        s = Mix(s ^ ((ulong)index * 0xC2B2AE3D27D4EB4FUL));
        return new DataRng(s);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>A double uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A double uniform in [lo, hi).</summary>
    public double Uniform(double lo, double hi) => lo + (hi - lo) * NextDouble();

    /// <summary>An integer uniform in [0, maxExclusive) (unbiased by rejection).</summary>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0) throw new ArgumentOutOfRangeException(nameof(maxExclusive), "must be positive");
        ulong n = (ulong)maxExclusive, limit = ulong.MaxValue - ulong.MaxValue % n;
        ulong r;
        do r = NextUInt64(); while (r >= limit);
        return (int)(r % n);
    }

    /// <summary>A uniformly random permutation of 0..n-1 (Fisher–Yates).</summary>
    public int[] Permutation(int n)
    {
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p;
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
