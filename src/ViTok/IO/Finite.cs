namespace ViTok.IO;

/// <summary>Checks that tensors hold only finite values (no NaN, no ±∞): weights when they are loaded, latents and
/// pixels before they are written. Integer and boolean tensors are always finite.</summary>
public static class Finite
{
    /// <summary>True when every value of <paramref name="t"/> is finite (any shape, any dtype, any device).</summary>
    public static bool All(Tensor t)
    {
        if (!t.is_floating_point() || t.numel() == 0) return true;
        using var scope = torch.NewDisposeScope();
        return torch.isfinite(t).all().item<bool>();
    }

    /// <summary>The number of NaN or infinite values in <paramref name="t"/>.</summary>
    public static long CountNonFinite(Tensor t)
    {
        if (!t.is_floating_point() || t.numel() == 0) return 0;
        using var scope = torch.NewDisposeScope();
        return torch.isfinite(t).logical_not().sum().item<long>();
    }

    /// <summary>Refuses weights with a NaN or infinite value, naming the file and the first such tensor: a damaged
    /// checkpoint (or a diverged run) must fail at load time, not produce black or colourless images.</summary>
    /// <exception cref="ViTokException">A tensor holds a non-finite value.</exception>
    public static void CheckWeights(IEnumerable<KeyValuePair<string, Tensor>> tensors, string source)
    {
        var bad = tensors.Where(kv => !All(kv.Value)).ToList();
        if (bad.Count == 0) return;
        var (name, t) = (bad[0].Key, bad[0].Value);
        throw new ViTokException(
            $"{source}: tensor '{name}' holds {CountNonFinite(t)} NaN or infinite value(s) of {t.numel()}" +
            (bad.Count > 1 ? $" (and {bad.Count - 1} more tensor(s) do too)" : "") +
            "; the file is damaged or comes from a diverged run. Download it again, or use an earlier checkpoint.");
    }

    /// <summary>Refuses a computed result (latents, pixels) with NaN or infinite values before it is written, naming
    /// the <paramref name="input"/> it was computed from.</summary>
    /// <exception cref="ViTokException">The tensor holds a non-finite value.</exception>
    public static void CheckOutput(Tensor t, string input, string what)
    {
        if (All(t)) return;
        throw new ViTokException(
            $"{input}: the {what} hold {CountNonFinite(t)} NaN or infinite value(s) of {t.numel()}; nothing was written for it. " +
            "The model's weights or the input's values are broken (check the checkpoint; a model trained in bf16 may overflow in f16).");
    }
}
