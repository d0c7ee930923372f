using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using ViTok.IO;

namespace ViTok.Data;

/// <summary>Tar shards in WebDataset layout (<c>key.jpg</c> with an optional <c>key.cls</c>; consecutive members with
/// one key form a sample), read front to back as a stream without unpacking. A shard may be plain or gzipped
/// (.tar.gz / .tgz). A damaged shard is recorded and ends early; the samples before the damage are kept.</summary>
public sealed class WebDatasetShards : IStreamDataset
{
    private static readonly string[] ImageMembers = ["jpg", "jpeg", "png", "webp", "bmp"];
    private readonly string[] _shards;

    private WebDatasetShards(string location, string[] shards, ImageTransform transform, long maxPixels)
    {
        Location = location;
        _shards = shards;
        Transform = transform;
        MaxPixels = maxPixels;
    }

    /// <inheritdoc/>
    public string Location { get; }

    /// <inheritdoc/>
    public string Kind => "shards";

    /// <inheritdoc/>
    public IReadOnlyList<string> Classes => [];

    /// <inheritdoc/>
    public int PartCount => _shards.Length;

    /// <inheritdoc/>
    public IReadOnlyList<IgnoredFile> Ignored { get; private init; } = [];

    /// <summary>The shard files, sorted.</summary>
    public IReadOnlyList<string> Shards => _shards;

    /// <summary>The transform applied to every image.</summary>
    public ImageTransform Transform { get; }

    /// <summary>Images with more pixels than this are skipped from their header.</summary>
    public long MaxPixels { get; }

    /// <summary>Opens one shard file or every shard (.tar, .tar.gz, .tgz) in a folder (recursively), sorted by path.</summary>
    /// <exception cref="ViTokException">The path does not exist or holds no tar shards.</exception>
    public static WebDatasetShards Open(string path, ImageTransform? transform = null, long maxPixels = ImageIO.DefaultMaxPixels)
    {
        path = Path.GetFullPath(path);
        string[] shards;
        List<IgnoredFile> ignored = [];
        if (File.Exists(path)) shards = [path];
        else if (Directory.Exists(path))
        {
            var scan = FolderScan.Of(path, classify: false);
            shards = scan.Files.Where(f => IsShardPath(f.Path)).Select(f => f.Path).ToArray();
            if (shards.Length == 0)
                throw new ViTokException($"{path}: no tar shards found (looked recursively for .tar, .tar.gz, .tgz; found {ImageFiles.DescribeFiles(scan.Files.Select(f => f.Path).ToList())}).");
            ignored = [.. scan.Files.Where(f => !IsShardPath(f.Path)).Select(f => new IgnoredFile(f.Path, "not a tar shard (.tar, .tar.gz, .tgz)")), .. scan.Links];
        }
        else throw new ViTokException($"{path}: no such shard file or folder.");
        return new WebDatasetShards(path, shards, transform ?? ImageTransform.None, maxPixels) { Ignored = ignored };
    }

    /// <inheritdoc/>
    public IEnumerable<RawItem> ReadPart(int part, SkipLog skips)
    {
        string shard = _shards[part];
        Stream? file = null;
        TarReader? reader = null;
        try
        {
            try
            {
                if (new FileInfo(shard).Length == 0)
                {
                    skips.Record(shard, SkipReason.Empty, "zero-byte shard");
                    yield break;
                }
                var content = FileContent.OfFile(shard);
                if (content.Kind is ContentKind.Text or ContentKind.LfsPointer)
                {
                    skips.Record(shard, SkipReason.Misnamed, $"is {content.Description}, not a tar shard");
                    yield break;
                }
                if (FindSplitKey(shard) is { } split)
                {
                    skips.Record(shard, SkipReason.NotConsecutive, split);
                    yield break;
                }
                file = File.OpenRead(shard);
                Stream s = IsGzip(shard) ? new GZipStream(file, CompressionMode.Decompress) : file;
                reader = new TarReader(s);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                skips.Record(shard, SkipReason.IoError, e.Message);
                yield break;
            }

            string? key = null;
            var members = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            int samples = 0;
            while (true)
            {
                TarEntry? entry;
                byte[]? data = null;
                string? failure = null;
                SkipReason reason = SkipReason.Corrupt;
                try
                {
                    entry = reader.GetNextEntry();
                    if (entry is not null && entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile && entry.DataStream is { } ds)
                    {
                        using var ms = new MemoryStream((int)Math.Min(entry.Length, 1 << 26));
                        ds.CopyTo(ms);
                        if (ms.Length < entry.Length) throw new EndOfStreamException();
                        data = ms.ToArray();
                    }
                }
                catch (Exception e) when (e is EndOfStreamException or InvalidDataException or FormatException or IOException or ArgumentException)
                {
                    entry = null;
                    reason = e is EndOfStreamException || e.Message.Contains("end of", StringComparison.OrdinalIgnoreCase) ? SkipReason.Truncated : SkipReason.Corrupt;
                    failure = $"{(reason == SkipReason.Truncated ? "ends" : "breaks")} after {samples} samples ({e.Message})";
                }
                if (failure is not null)
                {
                    skips.Record(shard, reason, failure);
                    if (key is not null && members.Count > 0) yield return new RawItem($"{shard}:{key}", key, members);
                    yield break;
                }
                if (entry is null) break;
                if (data is null) continue;
                var (k, ext) = SplitKey(entry.Name);
                if (k.Length == 0 || ext.Length == 0) continue;
                if (key is not null && k != key)
                {
                    yield return new RawItem($"{shard}:{key}", key, members);
                    samples++;
                    members = new Dictionary<string, byte[]>(StringComparer.Ordinal);
                }
                key = k;
                members[ext] = data;
            }
            if (key is not null && members.Count > 0) yield return new RawItem($"{shard}:{key}", key, members);
        }
        finally
        {
            reader?.Dispose();
            file?.Dispose();
        }
    }

    /// <inheritdoc/>
    public Sample Decode(RawItem item, DataRng rng)
    {
        string? ext = ImageMembers.FirstOrDefault(item.Members.ContainsKey);
        if (ext is null)
            throw new BadItemException(item.Source, SkipReason.Misnamed,
                $"sample has no image member (has {string.Join(", ", item.Members.Keys.Select(k => "." + k))})");
        int label = -1;
        if (item.Members.TryGetValue("cls", out var cls))
        {
            string text = Encoding.UTF8.GetString(cls).Trim();
            if (!int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out label) || label < 0)
            {
                string shown = new(text.Take(40).Select(ch => char.IsControl(ch) ? ' ' : ch).ToArray());
                throw new BadItemException($"{item.Source}.cls", SkipReason.BadLabel, $"the label is '{shown}', not a class index (an integer >= 0)");
            }
        }
        var (rgb, h, w) = ImageIO.DecodeRgb8(item.Members[ext], $"{item.Source}.{ext}", MaxPixels);
        var pixels = Transform.Apply(rgb, h, w, rng, out var plan);
        return new Sample(pixels, 0, plan.OutHeight, plan.OutWidth, label, $"{item.Source}.{ext}") { SourceHeight = h, SourceWidth = w };
    }

    // Reads only the member names (a plain tar seeks past the data; a gzipped one is decompressed once) and names the
    // first key whose members are not next to each other, which a streaming reader cannot put together.
    private static string? FindSplitKey(string shard)
    {
        using var file = File.OpenRead(shard);
        using Stream s = IsGzip(shard) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var reader = new TarReader(s);
        var done = new HashSet<string>(StringComparer.Ordinal);
        string? key = null, previous = null;
        try
        {
            while (reader.GetNextEntry(copyData: false) is { } entry)
            {
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile)) continue;
                var (k, ext) = SplitKey(entry.Name);
                if (k.Length == 0 || ext.Length == 0) continue;
                if (k != key)
                {
                    if (key is not null) done.Add(key);
                    if (done.Contains(k))
                        return $"members of one sample are not consecutive ({entry.Name} comes after {previous}, away from the other members of '{k}'); "
                            + "re-create the shard with each sample's files next to each other, e.g. `tar --sort=name -cf shard.tar ...`";
                    key = k;
                }
                previous = entry.Name;
            }
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or FormatException or IOException or ArgumentException)
        {
            // Damage is reported by the reading pass, with the samples before it kept.
        }
        return null;
    }

    internal static bool IsShardPath(string p) =>
        p.EndsWith(".tar", StringComparison.OrdinalIgnoreCase) || IsGzip(p);

    private static bool IsGzip(string p) =>
        p.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase) || p.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase);

    // WebDataset: the key is the member path up to the first dot of its file name; the rest is the extension.
    private static (string Key, string Ext) SplitKey(string name)
    {
        int slash = name.LastIndexOf('/');
        int dot = name.IndexOf('.', slash + 1);
        return dot < 0 ? (name, "") : (name[..dot], name[(dot + 1)..].ToLowerInvariant());
    }
}
