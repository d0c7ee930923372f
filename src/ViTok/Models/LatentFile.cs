using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ViTok.IO;

namespace ViTok.Models;

/// <summary>Latents on disk: a safetensors file with one tensor <c>z.{i}</c> [N_i, c] per image and the latent contract
/// in <c>__metadata__</c>: family, variant, patch and tubelet size, channels, the latent normalisation, and per image
/// its name, grid rows and columns, original and processed size.</summary>
public static class LatentFile
{
    /// <summary>The model-side contract stored with the latents.</summary>
    public sealed record Contract(string Family, string Variant, int PatchSize, int TubeletSize, int Channels, string Normalization);

    /// <summary>The contract of a model, its normalisation being <see cref="IAutoencoder.LatentNormalization"/> (paper
    /// latents are the posterior mean, not normalised; v2 latents are per-token LayerNorm'ed).</summary>
    public static Contract ContractOf(IAutoencoder model) => new(model.Family, model.Variant, model.PatchSize, model.TubeletSize, model.Channels,
        model.LatentNormalization);

    /// <summary>Writes latents atomically.</summary>
    public static void Write(string path, Contract contract, IReadOnlyList<ImageLatents> items)
    {
        var list = new JsonArray();
        var tensors = new Dictionary<string, Tensor>();
        for (int i = 0; i < items.Count; i++)
        {
            var it = items[i];
            tensors[$"z.{i}"] = it.Z;
            list.Add(new JsonObject
            {
                ["name"] = it.Name,
                ["grid_rows"] = it.Rows,
                ["grid_cols"] = it.Cols,
                ["original_size"] = new JsonArray(it.OriginalHeight, it.OriginalWidth),
                ["processed_size"] = new JsonArray(it.ProcessedHeight, it.ProcessedWidth),
            });
        }
        var meta = new Dictionary<string, string>
        {
            ["format"] = "vitok.net/latents-1",
            ["family"] = contract.Family,
            ["variant"] = contract.Variant,
            ["patch_size"] = contract.PatchSize.ToString(CultureInfo.InvariantCulture),
            ["tubelet_size"] = contract.TubeletSize.ToString(CultureInfo.InvariantCulture),
            ["channels"] = contract.Channels.ToString(CultureInfo.InvariantCulture),
            ["normalization"] = contract.Normalization,
            ["items"] = list.ToJsonString(),
        };
        Safetensors.Write(path, tensors, meta);
    }

    /// <summary>Reads latents and their contract.</summary>
    public static (Contract Contract, List<ImageLatents> Items) Read(string path)
    {
        var (tensors, meta) = Safetensors.Read(path);
        if (!meta.TryGetValue("format", out var format) || format != "vitok.net/latents-1")
            throw new ViTokException($"{path}: not a latent file written by `vitok encode` (no latent contract in its metadata).");
        try
        {
            var c = new Contract(meta["family"], meta["variant"], int.Parse(meta["patch_size"], CultureInfo.InvariantCulture),
                int.Parse(meta["tubelet_size"], CultureInfo.InvariantCulture), int.Parse(meta["channels"], CultureInfo.InvariantCulture), meta["normalization"]);
            var items = new List<ImageLatents>();
            var arr = JsonNode.Parse(meta["items"])!.AsArray();
            for (int i = 0; i < arr.Count; i++)
            {
                var o = arr[i]!;
                var orig = o["original_size"]!.AsArray();
                var proc = o["processed_size"]!.AsArray();
                items.Add(new ImageLatents(o["name"]!.GetValue<string>(), tensors[$"z.{i}"], o["grid_rows"]!.GetValue<int>(), o["grid_cols"]!.GetValue<int>(),
                    orig[0]!.GetValue<int>(), orig[1]!.GetValue<int>(), proc[0]!.GetValue<int>(), proc[1]!.GetValue<int>()));
            }
            return (c, items);
        }
        catch (Exception e) when (e is KeyNotFoundException or JsonException or FormatException or NullReferenceException)
        {
            throw new ViTokException($"{path}: damaged latent contract in the metadata ({e.Message}).", e);
        }
    }
}
