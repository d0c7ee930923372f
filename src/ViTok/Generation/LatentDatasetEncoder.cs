using System.Diagnostics;
using ViTok.Data;
using ViTok.IO;
using ViTok.Models;
using DataLoader = ViTok.Data.DataLoader;

namespace ViTok.Generation;

/// <summary>Encodes a data source into latent shards (<see cref="LatentShards"/>) for DiT training. Shard j holds the
/// items at positions [j·S, (j+1)·S) of the source's unshuffled order; this process writes the shards j with
/// j mod N = i. A shard that already exists (shards are written atomically, so it is complete) is skipped, so an
/// interrupted run is resumed by running the same command again.</summary>
public static class LatentDatasetEncoder
{
    /// <summary>Runs the encoding; <paramref name="tokenizerPath"/> is recorded in every shard.</summary>
    /// <exception cref="ViTokException">A size is not positive, or existing shards were written with other settings.</exception>
    public static EncodeDatasetReport Run(IAutoencoder tokenizer, string tokenizerPath, IDataSource source, EncodeDatasetOptions options,
        Action<string>? log = null, CancellationToken cancel = default)
    {
        if (options.ShardSize <= 0 || options.BatchSize <= 0) throw new ViTokException("shard size and batch size must be positive.");
        string digest = TokenizerDigest(tokenizer);
        CheckFolderHoldsThisTokenizer(options.Output, tokenizer, tokenizerPath, digest, source);
        Directory.CreateDirectory(options.Output);
        long total = source is IDataset ds ? ds.Count : -1;
        if (options.Limit > 0) total = total < 0 ? options.Limit : Math.Min(total, options.Limit);
        var loader = new DataLoader(source, new DataLoaderOptions { BatchSize = options.BatchSize, Workers = options.Workers, Shuffle = false });
        var device = tokenizer.Module.parameters().First().device;
        int written = 0, skipped = 0;
        long items = 0;
        LatentSpace? space = null;
        string? spaceJson = null;
        for (int j = options.Shard.Index; total < 0 || (long)j * options.ShardSize < total; j += options.Shard.Count)
        {
            cancel.ThrowIfCancellationRequested();
            string path = LatentShards.ShardPath(options.Output, j);
            if (File.Exists(path))
            {
                var (existing, info) = LatentShards.ReadHeader(path);
                if ((spaceJson is not null && existing.ToJson() != spaceJson) || existing.Tokenizer != Path.GetFullPath(tokenizerPath)
                    || (info.TokenizerDigest is not null && info.TokenizerDigest != digest)
                    || existing.Contract != LatentFile.ContractOf(tokenizer) || existing.Source != source.Location)
                    throw new ViTokException($"{path}: written with another tokenizer, source or preprocessing ({existing.Contract.Variant} from {existing.Tokenizer}, data {existing.Source}); use another -o folder or delete it.");
                if (info.Total != total || info.ShardSize != options.ShardSize)
                    throw new ViTokException($"{path}: written with another --shard-size or --limit ({info.ShardSize} items per shard of {info.Total}); use the same settings to resume, or another -o folder.");
                space ??= existing;
                spaceJson ??= existing.ToJson();
                skipped++;
                log?.Invoke($"shard {j:D5}: already complete ({info.Count} items), skipped");
                if (info.Last) break;
                continue;
            }
            var sw = Stopwatch.StartNew();
            long start = (long)j * options.ShardSize, end = total < 0 ? start + options.ShardSize : Math.Min(total, start + options.ShardSize);
            var (mean, logVar, labels, count, reachedEnd, batchSpace) = EncodeRange(tokenizer, tokenizerPath, source, loader, options, start, end, device, cancel);
            try
            {
                if (batchSpace is not null)
                {
                    string json = batchSpace.ToJson();
                    if (spaceJson is not null && json != spaceJson)
                        throw new ViTokException($"{options.Output}: the existing shards were written with another tokenizer, source or preprocessing; use another -o folder.");
                    space ??= batchSpace;
                    spaceJson ??= json;
                }
                if (space is null)
                    throw new ViTokException($"{source.Location}: no readable item at or after position {start}; nothing to encode for shard {j}.");
                bool last = reachedEnd || (total >= 0 && end >= total);
                using var m = mean ?? torch.zeros(0, space.Tokens, space.Contract.Channels);
                using var lv = logVar ?? (space.Posterior == "mean+logvar" ? torch.zeros(0, space.Tokens, space.Contract.Channels) : null);
                using var lb = labels ?? torch.zeros(0, ScalarType.Int64);
                LatentShards.Write(path, space, new LatentShards.ShardInfo(j, options.ShardSize, start, total, last, count, digest), m, lv, lb);
                written++;
                items += count;
                log?.Invoke($"shard {j:D5}: items {start}–{start + count - 1} ({count}) in {sw.Elapsed.TotalSeconds:F1} s → {path}");
                if (last) break;
            }
            finally
            {
                mean?.Dispose();
                logVar?.Dispose();
                labels?.Dispose();
            }
        }
        return new EncodeDatasetReport(written, skipped, items, space);
    }

    /// <summary>Refuses an output folder that already holds shards of another tokenizer (other weights, variant or
    /// path) or of another source, whatever their shard indices: a latent folder holds one tokenizer's latents.</summary>
    /// <exception cref="ViTokException">A shard of another encoding is in the folder.</exception>
    private static void CheckFolderHoldsThisTokenizer(string folder, IAutoencoder tokenizer, string tokenizerPath, string digest, IDataSource source)
    {
        string path = Path.GetFullPath(tokenizerPath);
        var contract = LatentFile.ContractOf(tokenizer);
        foreach (var file in LatentShards.Files(folder))
        {
            var (space, info) = LatentShards.ReadHeader(file);
            string? why = space.Tokenizer != path ? $"another tokenizer ({space.Tokenizer})"
                : space.Contract != contract ? $"another tokenizer ({space.Contract.Variant} at {space.Tokenizer})"
                : info.TokenizerDigest is not null && info.TokenizerDigest != digest ? $"another tokenizer (other weights at {space.Tokenizer})"
                : space.Source != source.Location ? $"another source ({space.Source})"
                : null;
            if (why is not null)
                throw new ViTokException($"{Path.GetFullPath(folder)}: holds latents of {why} ({Path.GetFileName(file)}); a latent folder holds one tokenizer's latents of one source. " +
                                         "Use another -o folder, or delete its shard_*.safetensors first.");
        }
    }

    /// <summary>SHA-256 (lower-case hex) of the tokenizer's weights: every state-dict entry's name, dtype, shape and
    /// bytes in name order. Identifies the weights whatever file or path they were loaded from.</summary>
    public static string TokenizerDigest(IAutoencoder tokenizer)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var (name, t) in tokenizer.Module.state_dict().OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes($"{name}|{t.dtype}|{string.Join(",", t.shape)}|"));
            using var scope = torch.NewDisposeScope();
            hash.AppendData(t.detach().cpu().contiguous().bytes);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static (Tensor? Mean, Tensor? LogVar, Tensor? Labels, int Count, bool ReachedEnd, LatentSpace? Space) EncodeRange(
        IAutoencoder tokenizer, string tokenizerPath, IDataSource source, DataLoader loader, EncodeDatasetOptions options, long start, long end,
        Device device, CancellationToken cancel)
    {
        var means = new List<Tensor>();
        var logVars = new List<Tensor>();
        var labels = new List<long>();
        var pending = new List<Sample>();
        LatentSpace? space = null;
        bool reachedEnd = true;
        void Flush()
        {
            if (pending.Count == 0) return;
            using var scope = torch.NewDisposeScope();
            var x = Pad(torch.stack(pending.Select(s => s.ToTensor())), options.PadTo).to(device);
            var latents = LatentCodec.EncodeBatch(tokenizer, x);                   // tensors die with the scope
            var (m, lv, grid) = (latents.Posterior.Mean, latents.Posterior.LogVar, latents.Grid);
            bool isImage = grid.IsImage;
            if (!Finite.All(m) || (lv is not null && !Finite.All(lv)))
            {
                int bad = Enumerable.Range(0, pending.Count).First(i => !Finite.All(m[i]) || (lv is not null && !Finite.All(lv[i])));
                Finite.CheckOutput(lv is not null && Finite.All(m[bad]) ? lv[bad] : m[bad], pending[bad].Source, "latents");
            }
            means.Add(m.cpu().DetachFromDisposeScope());
            if (lv is not null) logVars.Add(lv.cpu().DetachFromDisposeScope());
            labels.AddRange(pending.Select(s => (long)s.Label));
            space ??= new LatentSpace
            {
                Contract = LatentFile.ContractOf(tokenizer),
                Grid = [(int)grid.T, (int)grid.H, (int)grid.W],
                IsImage = isImage,
                InputSize = [isImage ? 1 : (int)x.shape[2], (int)x.shape[^2], (int)x.shape[^1]],
                Tokenizer = Path.GetFullPath(tokenizerPath),
                Classes = source.Classes,
                Source = source.Location,
                Preprocessing = options.PadTo > 0 ? $"{options.Preprocessing}; centred black pad to {options.PadTo}x{options.PadTo}" : options.Preprocessing,
                Posterior = lv is null ? "deterministic" : "mean+logvar",
            };
            pending.Clear();
        }
        try
        {
            foreach (var (sample, position) in loader.Samples(0, start, cancel))
            {
                if (position >= end) { reachedEnd = false; break; }
                pending.Add(sample);
                if (pending.Count == options.BatchSize) Flush();
            }
            Flush();
            if (means.Count == 0) return (null, null, null, 0, reachedEnd, null);
            return (torch.cat(means).DetachFromDisposeScope(), logVars.Count > 0 ? torch.cat(logVars).DetachFromDisposeScope() : null,
                torch.tensor(labels.ToArray()).DetachFromDisposeScope(), labels.Count, reachedEnd, space);
        }
        finally
        {
            foreach (var t in means.Concat(logVars)) t.Dispose();
        }
    }

    /// <summary>Pads images [B, 3, H, W] or clips [B, 3, T, H, W] centred to side × side with −1 (black); 0 = no padding.</summary>
    /// <exception cref="ViTokException">The items are larger than <paramref name="side"/>.</exception>
    public static Tensor Pad(Tensor x, int side) => CentredPad.Apply(x, side, "--pad-to", "use --size to shrink them");
}
