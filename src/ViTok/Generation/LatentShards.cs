using System.Globalization;
using ViTok.IO;

namespace ViTok.Generation;

/// <summary>A latent dataset on disk (<c>vitok encode-dataset</c>): a folder of <c>shard_NNNNN.safetensors</c>, each the
/// encoding of one fixed range of the source's item order (<c>mean</c> [n, L, c] float32, <c>logvar</c> for a variational
/// tokenizer, <c>labels</c> [n] int64) with the latent space (contract, grid, tokenizer path, classes) and the shard's
/// range in <c>__metadata__</c>. Shards are written atomically, so an existing shard is always complete.</summary>
public static class LatentShards
{
    /// <summary>Format tag of a latent shard.</summary>
    public const string Format = "vitok.net/latent-dataset-1";

    /// <summary>Where a shard sits in the source order: items [Start, Start + ShardSize) of Total (−1 while unknown,
    /// for streaming sources); <see cref="Last"/> marks the shard that reached the end of the source;
    /// <see cref="TokenizerDigest"/> is the SHA-256 (hex) of the tokenizer's weights (null in shards written before it
    /// was recorded).</summary>
    public sealed record ShardInfo(int Index, int ShardSize, long Start, long Total, bool Last, int Count, string? TokenizerDigest = null);

    /// <summary>Metadata key of <see cref="ShardInfo.TokenizerDigest"/>.</summary>
    public const string DigestKey = "tokenizer_sha256";

    /// <summary>Path of shard <paramref name="index"/> in <paramref name="folder"/>.</summary>
    public static string ShardPath(string folder, int index) =>
        Path.Combine(folder, $"shard_{index.ToString("D5", CultureInfo.InvariantCulture)}.safetensors");

    /// <summary>Writes one shard atomically.</summary>
    public static void Write(string path, LatentSpace space, ShardInfo info, Tensor mean, Tensor? logVar, Tensor labels)
    {
        var tensors = new Dictionary<string, Tensor> { ["mean"] = mean, ["labels"] = labels };
        if (logVar is not null) tensors["logvar"] = logVar;
        var meta = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["latent_space"] = space.ToJson(),
            ["tokenizer"] = space.Tokenizer,
            ["shard_index"] = info.Index.ToString(CultureInfo.InvariantCulture),
            ["shard_size"] = info.ShardSize.ToString(CultureInfo.InvariantCulture),
            ["start"] = info.Start.ToString(CultureInfo.InvariantCulture),
            ["total"] = info.Total.ToString(CultureInfo.InvariantCulture),
            ["last"] = info.Last ? "true" : "false",
            ["count"] = info.Count.ToString(CultureInfo.InvariantCulture),
        };
        if (info.TokenizerDigest is not null) meta[DigestKey] = info.TokenizerDigest;
        Safetensors.Write(path, tensors, meta);
    }

    /// <summary>Reads a shard's header (no tensor data).</summary>
    /// <exception cref="ViTokException">The file is not a latent shard or its metadata is damaged.</exception>
    public static (LatentSpace Space, ShardInfo Info) ReadHeader(string path)
    {
        var meta = Safetensors.ReadHeader(path).Metadata;
        if (!meta.TryGetValue("format", out var f) || f != Format)
            throw new ViTokException($"{path}: not a latent shard written by `vitok encode-dataset` (no '{Format}' format tag).");
        try
        {
            var space = LatentSpace.FromJson(meta["latent_space"], path);
            var info = new ShardInfo(int.Parse(meta["shard_index"], CultureInfo.InvariantCulture), int.Parse(meta["shard_size"], CultureInfo.InvariantCulture),
                long.Parse(meta["start"], CultureInfo.InvariantCulture), long.Parse(meta["total"], CultureInfo.InvariantCulture),
                meta["last"] == "true", int.Parse(meta["count"], CultureInfo.InvariantCulture), meta.GetValueOrDefault(DigestKey));
            return (space, info);
        }
        catch (Exception e) when (e is KeyNotFoundException or FormatException)
        {
            throw new ViTokException($"{path}: damaged latent-shard metadata ({e.Message}); delete the file and run encode-dataset again.", e);
        }
    }

    /// <summary>The shard files of a folder, by index.</summary>
    public static IReadOnlyList<string> Files(string folder) =>
        Directory.Exists(folder) ? [.. Directory.EnumerateFiles(folder, "shard_*.safetensors").Order(StringComparer.Ordinal)] : [];

    /// <summary>Loads every shard of <paramref name="folder"/> into memory after checking that they describe the same
    /// latent space and together cover the whole source. Missing shards are named with the command that fills them.</summary>
    /// <exception cref="ViTokException">The folder has no shards, or its shards were encoded differently from one another.</exception>
    public static LatentSet Load(string folder)
    {
        var files = Files(folder);
        if (files.Count == 0)
            throw new ViTokException($"{Path.GetFullPath(folder)}: no latent shards (shard_*.safetensors). Make them with `vitok encode-dataset --checkpoint <tokenizer> --data <source> -o {folder}`.");
        var headers = files.Select(ReadHeader).ToList();
        var space = headers[0].Space;
        string spaceJson = space.ToJson();
        for (int i = 1; i < headers.Count; i++)
            if (headers[i].Space.ToJson() != spaceJson)
                throw new ViTokException($"{files[i]}: encoded with another tokenizer, source or preprocessing than {Path.GetFileName(files[0])}; a latent folder must hold one encoding. Use a separate -o folder.");
        var digests = headers.Select(h => h.Info.TokenizerDigest).Where(d => d is not null).Distinct().ToList();
        if (digests.Count > 1)
        {
            int odd = headers.FindIndex(h => h.Info.TokenizerDigest is not null && h.Info.TokenizerDigest != digests[0]);
            throw new ViTokException($"{files[odd]}: encoded with other tokenizer weights than {Path.GetFileName(files[0])} (the same path, retrained?); a latent folder must hold one tokenizer's latents. Encode again into a separate -o folder.");
        }
        var byIndex = headers.Select((h, i) => (h.Info, File: files[i])).ToDictionary(x => x.Info.Index);
        var first = headers[0].Info;
        long total = headers.Max(h => h.Info.Total);
        int expected = total >= 0 ? (int)((total + first.ShardSize - 1) / first.ShardSize)
            : headers.Where(h => h.Info.Last).Select(h => h.Info.Index + 1).DefaultIfEmpty(-1).Min();
        if (expected < 0)
            throw new ViTokException($"{Path.GetFullPath(folder)}: the shard that reaches the end of the source is missing (shards end at {headers.Max(h => h.Info.Index)}); run encode-dataset again with the same arguments to finish it.");
        var missing = Enumerable.Range(0, expected).Where(i => !byIndex.ContainsKey(i)).ToList();
        if (missing.Count > 0)
            throw new ViTokException($"{Path.GetFullPath(folder)}: {missing.Count} of {expected} shards are missing ({string.Join(", ", missing.Take(8))}{(missing.Count > 8 ? ", ..." : "")}); run encode-dataset again with the same arguments (finished shards are skipped).");
        var means = new List<Tensor>();
        var logVars = new List<Tensor>();
        var labels = new List<Tensor>();
        try
        {
            for (int i = 0; i < expected; i++)
            {
                var (t, _) = Safetensors.Read(byIndex[i].File);
                means.Add(t["mean"]);
                labels.Add(t["labels"]);
                if (t.TryGetValue("logvar", out var lv)) logVars.Add(lv);
            }
            if (logVars.Count != 0 && logVars.Count != means.Count)
                throw new ViTokException($"{Path.GetFullPath(folder)}: some shards hold log-variances and some do not.");
            // Long-lived: kept out of any dispose scope the caller has open (the set frees them).
            return new LatentSet(space, torch.cat(means).DetachFromDisposeScope(), logVars.Count > 0 ? torch.cat(logVars).DetachFromDisposeScope() : null,
                torch.cat(labels).DetachFromDisposeScope());
        }
        finally
        {
            foreach (var t in means.Concat(logVars).Concat(labels)) t.Dispose();
        }
    }
}
