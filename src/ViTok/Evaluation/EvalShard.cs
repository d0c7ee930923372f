using System.Text.Json;
using System.Text.Json.Nodes;
using ViTok.Data;

namespace ViTok.Evaluation;

/// <summary>What one shard of an evaluation (<c>vitok eval --shard i/N --stats-out part_i.json</c>) hands to
/// <c>vitok eval merge</c>: the per-image metric sums, the Gaussian feature sums of each Fréchet distance, counts,
/// timings and what was evaluated. Arrays of float64 are stored as base64 of their little-endian bytes, so a merge
/// reads back exactly the numbers that were written.</summary>
public sealed record EvalShard
{
    /// <summary>The <c>format</c> value of the JSON file.</summary>
    public const string FormatName = "vitok-eval-stats/1";

    /// <summary>Which shard this is.</summary>
    public required ShardSpec Shard { get; init; }

    /// <summary>Items (images or clips) evaluated in this shard.</summary>
    public required long Items { get; init; }

    /// <summary>Items the whole evaluation covers (all shards).</summary>
    public required long Target { get; init; }

    /// <summary>Images (frames of clips) behind the per-image sums.</summary>
    public required long PairedFrames { get; init; }

    /// <summary>The metrics, in report order.</summary>
    public required IReadOnlyList<string> Metrics { get; init; }

    /// <summary>Per-image metric sums by key (psnr, ssim, lpips, perceptual_resnet18).</summary>
    public required IReadOnlyDictionary<string, double> Sums { get; init; }

    /// <summary>Feature sums by "metric/reference" and "metric/test" (fd_resnet18, fid, fvd).</summary>
    public required IReadOnlyDictionary<string, FeatureSums> Features { get; init; }

    /// <summary>Items whose 8-bit reconstruction equals the input exactly.</summary>
    public long Identical { get; init; }

    /// <summary>Seconds in the reconstruct step.</summary>
    public double ReconstructSeconds { get; init; }

    /// <summary>Wall seconds of this shard.</summary>
    public double WallSeconds { get; init; }

    /// <summary>Items skipped as unreadable.</summary>
    public long Skipped { get; init; }

    /// <summary>Data location and kind, item geometry and the model, as in <see cref="EvalResult"/>.</summary>
    public required string Data { get; init; }

    /// <inheritdoc cref="EvalResult.Kind"/>
    public required string Kind { get; init; }

    /// <inheritdoc cref="EvalResult.Frames"/>
    public int Frames { get; init; }

    /// <inheritdoc cref="EvalResult.Height"/>
    public int Height { get; init; }

    /// <inheritdoc cref="EvalResult.Width"/>
    public int Width { get; init; }

    /// <inheritdoc cref="EvalResult.Family"/>
    public string? Family { get; init; }

    /// <inheritdoc cref="EvalResult.Variant"/>
    public string? Variant { get; init; }

    /// <inheritdoc cref="EvalResult.Gmacs"/>
    public double? Gmacs { get; init; }

    /// <inheritdoc cref="EvalResult.LatentFloats"/>
    public long? LatentFloats { get; init; }

    /// <summary>Writes the shard as JSON to <paramref name="path"/> (atomically).</summary>
    public void Write(string path)
    {
        var features = new JsonObject();
        foreach (var (key, f) in Features)
            features[key] = new JsonObject
            {
                ["count"] = f.Count, ["shift"] = Pack(f.Shift), ["sum"] = Pack(f.Sum), ["outer"] = Pack(f.Outer),
            };
        var sums = new JsonObject();
        foreach (var (key, v) in Sums) sums[key] = Pack([v]);
        var o = new JsonObject
        {
            ["format"] = FormatName, ["shard"] = Shard.ToString(), ["items"] = Items, ["target"] = Target,
            ["paired_frames"] = PairedFrames, ["metrics"] = new JsonArray(Metrics.Select(m => (JsonNode)m).ToArray()),
            ["sums"] = sums, ["features"] = features, ["identical"] = Identical,
            ["reconstruct_seconds"] = ReconstructSeconds, ["wall_seconds"] = WallSeconds, ["skipped"] = Skipped,
            ["data"] = Data, ["kind"] = Kind, ["frames"] = Frames, ["height"] = Height, ["width"] = Width,
            ["family"] = Family, ["variant"] = Variant, ["gmacs"] = Gmacs, ["latent_floats"] = LatentFloats,
        };
        IO.AtomicFile.WriteAllText(path, o.ToJsonString());
    }

    /// <summary>Reads a file written by <see cref="Write"/>.</summary>
    /// <exception cref="ViTokException">The file is missing, not JSON, or not an evaluation shard; the message names it.</exception>
    public static EvalShard Read(string path)
    {
        if (!File.Exists(path)) throw new ViTokException($"{path}: no such file; give the --stats-out files of `vitok eval --shard`.");
        try
        {
            var o = JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new FormatException("empty");
            if ((string?)o["format"] != FormatName)
                throw new ViTokException($"{path}: not an evaluation shard (format '{(string?)o["format"]}', expected {FormatName}); give the --stats-out files of `vitok eval --shard`.");
            return new EvalShard
            {
                Shard = ShardSpec.Parse((string)o["shard"]!),
                Items = (long)o["items"]!, Target = (long)o["target"]!, PairedFrames = (long)o["paired_frames"]!,
                Metrics = o["metrics"]!.AsArray().Select(m => (string)m!).ToList(),
                Sums = o["sums"]!.AsObject().ToDictionary(kv => kv.Key, kv => Unpack((string)kv.Value!)[0]),
                Features = o["features"]!.AsObject().ToDictionary(kv => kv.Key, kv => new FeatureSums(
                    (long)kv.Value!["count"]!, Unpack((string)kv.Value["shift"]!), Unpack((string)kv.Value["sum"]!), Unpack((string)kv.Value["outer"]!))),
                Identical = (long)o["identical"]!, ReconstructSeconds = (double)o["reconstruct_seconds"]!,
                WallSeconds = (double)o["wall_seconds"]!, Skipped = (long)o["skipped"]!,
                Data = (string)o["data"]!, Kind = (string)o["kind"]!, Frames = (int)o["frames"]!, Height = (int)o["height"]!,
                Width = (int)o["width"]!, Family = (string?)o["family"], Variant = (string?)o["variant"],
                Gmacs = (double?)o["gmacs"], LatentFloats = (long?)o["latent_floats"],
            };
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or NullReferenceException or ArgumentException)
        {
            throw new ViTokException($"{path}: not a readable evaluation shard ({e.Message}); give the --stats-out files of `vitok eval --shard`.", e);
        }
    }

    /// <summary>True when <paramref name="path"/> is a shard file vitok wrote (so a rerun may replace it).</summary>
    public static bool IsOwnFile(string path)
    {
        try
        {
            using var reader = new StreamReader(path);
            var head = new char[64];
            int n = reader.Read(head, 0, head.Length);
            return new string(head, 0, n).Contains($"\"format\":\"{FormatName}\"", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Checks that <paramref name="shards"/> (read from <paramref name="paths"/>) are the N different shards
    /// of one evaluation: same N, every index once, same metrics, data, geometry and model.</summary>
    /// <exception cref="ViTokException">A shard is missing, repeated or from another evaluation; names the files.</exception>
    public static void CheckComplete(IReadOnlyList<EvalShard> shards, IReadOnlyList<string> paths)
    {
        if (shards.Count == 0) throw new ViTokException("give the --stats-out files of every shard (part_*.json).");
        var first = shards[0];
        int n = first.Shard.Count;
        for (int k = 0; k < shards.Count; k++)
        {
            var s = shards[k];
            string? differs = s.Shard.Count != n ? $"shard {s.Shard} of {s.Shard.Count}, not of {n}"
                : !s.Metrics.SequenceEqual(first.Metrics) ? $"metrics {string.Join(",", s.Metrics)}, not {string.Join(",", first.Metrics)}"
                : s.Data != first.Data || s.Kind != first.Kind ? $"data {s.Data}, not {first.Data}"
                : (s.Frames, s.Height, s.Width) != (first.Frames, first.Height, first.Width) ? $"items of {s.Width}x{s.Height}x{s.Frames}, not {first.Width}x{first.Height}x{first.Frames}"
                : s.Family != first.Family || s.Variant != first.Variant ? $"model {s.Family} {s.Variant}, not {first.Family} {first.Variant}"
                : s.Target != first.Target ? $"an evaluation of {s.Target} items, not {first.Target}"
                : null;
            if (differs is not null)
                throw new ViTokException($"{paths[k]}: {differs} (as in {paths[0]}); merge the shards of one evaluation only.");
        }
        var seen = new Dictionary<int, string>();
        for (int k = 0; k < shards.Count; k++)
        {
            if (seen.TryGetValue(shards[k].Shard.Index, out var other))
                throw new ViTokException($"{paths[k]}: shard {shards[k].Shard} is also {other}; give each shard once.");
            seen[shards[k].Shard.Index] = paths[k];
        }
        var missing = Enumerable.Range(0, n).Where(i => !seen.ContainsKey(i)).ToList();
        if (missing.Count > 0)
            throw new ViTokException($"shards {string.Join(", ", missing.Select(i => $"{i}/{n}"))} are missing; give all {n} --stats-out files.");
    }

    private static string Pack(double[] values)
    {
        var bytes = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++) System.Buffers.Binary.BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(8 * i), values[i]);
        return Convert.ToBase64String(bytes);
    }

    private static double[] Unpack(string base64)
    {
        var bytes = Convert.FromBase64String(base64);
        if (bytes.Length % 8 != 0) throw new FormatException($"a float64 array of {bytes.Length} bytes");
        var values = new double[bytes.Length / 8];
        for (int i = 0; i < values.Length; i++) values[i] = System.Buffers.Binary.BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(8 * i));
        return values;
    }
}
