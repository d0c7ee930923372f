using System.Text;

namespace ViTok.IO;

/// <summary>Strict state-dict loading: every key of the module must be present with the same shape, and no key may
/// be left over. Mismatches are reported in one message that names the file, the first mismatched key and both
/// shapes, then counts the rest.</summary>
public static class StateDict
{
    /// <summary>Checks <paramref name="tensors"/> against the module's state dict and copies them in (converting dtype
    /// to the parameter's dtype). Throws a <see cref="ViTokException"/> describing every problem; a NaN or infinite
    /// value in any tensor is refused, naming the tensor.</summary>
    /// <exception cref="ViTokException">Keys are missing or unexpected, or shapes differ; the message lists them.</exception>
    public static void LoadStrict(nn.Module module, IReadOnlyDictionary<string, Tensor> tensors, string source, string? hint = null)
    {
        var target = module.state_dict();
        var missing = target.Keys.Where(k => !tensors.ContainsKey(k)).ToList();
        var unexpected = tensors.Keys.Where(k => !target.ContainsKey(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        var mismatched = target.Keys.Where(tensors.ContainsKey)
            .Where(k => !target[k].shape.SequenceEqual(tensors[k].shape))
            .ToList();
        if (missing.Count + unexpected.Count + mismatched.Count > 0)
        {
            var sb = new StringBuilder();
            sb.Append($"{source}: the weights do not fit the model");
            if (hint != null) sb.Append($" ({hint})");
            sb.Append('.');
            if (mismatched.Count > 0)
            {
                string k = mismatched[0];
                sb.Append($"\n  first mismatched key: {k}: file has [{string.Join(", ", tensors[k].shape)}], model expects [{string.Join(", ", target[k].shape)}]");
                if (mismatched.Count > 1) sb.Append($" (and {mismatched.Count - 1} more mismatched)");
            }
            if (missing.Count > 0)
                sb.Append($"\n  missing from the file ({missing.Count}): {string.Join(", ", missing.Take(5))}{(missing.Count > 5 ? ", ..." : "")}");
            if (unexpected.Count > 0)
                sb.Append($"\n  unexpected in the file ({unexpected.Count}): {string.Join(", ", unexpected.Take(5))}{(unexpected.Count > 5 ? ", ..." : "")}");
            sb.Append("\n  Check that the variant and channels match the checkpoint.");
            throw new ViTokException(sb.ToString());
        }
        Finite.CheckWeights(target.Keys.Select(k => new KeyValuePair<string, Tensor>(k, tensors[k])), source);
        using var _ = torch.no_grad();
        foreach (var (k, t) in target)
            t.copy_(tensors[k]);
    }
}
