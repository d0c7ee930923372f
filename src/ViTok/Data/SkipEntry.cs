using ViTok.IO;

namespace ViTok.Data;

/// <summary>One skipped item as listed in the log and the run summary.</summary>
/// <param name="Source">The file or shard member.</param>
/// <param name="Reason">Why it was skipped.</param>
/// <param name="Detail">What exactly was wrong.</param>
public sealed record SkipEntry(string Source, SkipReason Reason, string Detail)
{
    /// <summary>The stable key of <see cref="Reason"/> (<c>truncated</c>, <c>too-large</c>, …).</summary>
    public string ReasonKey => SkipLog.KeyOf(Reason);
}
