using System.Text;

namespace ViTok.Data;

/// <summary>Thread-safe record of skipped items. Each source is listed once (file and reason), however many epochs
/// meet it again; counts are of distinct sources. Optionally writes one line per new entry to a log writer.</summary>
public sealed class SkipLog
{
    private readonly object _gate = new();
    private readonly Dictionary<string, SkipEntry> _bySource = new(StringComparer.Ordinal);
    private readonly List<SkipEntry> _entries = [];
    private readonly TextWriter? _log;

    /// <summary>Creates an empty log; new entries are also written as one line each to <paramref name="log"/>.</summary>
    public SkipLog(TextWriter? log = null) => _log = log;

    /// <summary>Number of distinct skipped sources.</summary>
    public int Count
    {
        get { lock (_gate) return _entries.Count; }
    }

    /// <summary>The skipped sources in the order they were first met.</summary>
    public IReadOnlyList<SkipEntry> Entries
    {
        get { lock (_gate) return _entries.ToArray(); }
    }

    /// <summary>Distinct skipped sources per reason key, in key order.</summary>
    public IReadOnlyDictionary<string, int> CountsByReason
    {
        get
        {
            lock (_gate)
                return _entries.GroupBy(e => e.ReasonKey).OrderBy(g => g.Key, StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g => g.Count());
        }
    }

    /// <summary>The stable key of a reason as used in logs and JSON.</summary>
    public static string KeyOf(SkipReason reason) => reason switch
    {
        SkipReason.Empty => "empty",
        SkipReason.Misnamed => "misnamed",
        SkipReason.Truncated => "truncated",
        SkipReason.Corrupt => "corrupt",
        SkipReason.TooLarge => "too-large",
        SkipReason.UnreadableVideo => "unreadable-video",
        SkipReason.TooShort => "too-short",
        SkipReason.IoError => "io-error",
        SkipReason.Unsupported => "unsupported-format",
        SkipReason.NotConsecutive => "not-consecutive",
        SkipReason.BadLabel => "bad-label",
        _ => "error",
    };

    /// <summary>Records a skipped source; returns false when it was already listed.</summary>
    public bool Record(string source, SkipReason reason, string detail)
    {
        var entry = new SkipEntry(source, reason, detail);
        lock (_gate)
        {
            if (!_bySource.TryAdd(source, entry)) return false;
            _entries.Add(entry);
            _log?.WriteLine($"skip: {source}: {entry.ReasonKey}: {detail}");
        }
        return true;
    }

    /// <summary>Records a <see cref="BadItemException"/>.</summary>
    public bool Record(BadItemException e) => Record(e.Source, e.Reason, e.Detail);

    /// <summary>A short run-summary text: counts by reason, then every skipped source with its reason.</summary>
    public string Summary(int maxListed = 1000)
    {
        var entries = Entries;
        if (entries.Count == 0) return "skipped: none";
        var sb = new StringBuilder();
        sb.Append($"skipped: {entries.Count} (")
            .Append(string.Join(", ", CountsByReason.Select(kv => $"{kv.Key} {kv.Value}"))).Append(')');
        foreach (var e in entries.Take(maxListed)) sb.Append('\n').Append($"  {e.Source}: {e.ReasonKey}: {e.Detail}");
        if (entries.Count > maxListed) sb.Append('\n').Append($"  … and {entries.Count - maxListed} more");
        return sb.ToString();
    }
}
