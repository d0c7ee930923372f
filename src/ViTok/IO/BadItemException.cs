namespace ViTok.IO;

/// <summary>Thrown by decoders for one unreadable item (a file, a tar member, a clip). The data loader catches it,
/// skips the item and records it in its skip log; it never reaches the user as a crash.</summary>
public sealed class BadItemException : Exception
{
    /// <summary>Creates the error for <paramref name="source"/> with a reason and a short detail.</summary>
    public BadItemException(string source, SkipReason reason, string detail)
        : base($"{source}: {KeyOf(reason)}: {detail}")
    {
        Source = source;
        Reason = reason;
        Detail = detail;
    }

    /// <summary>The file (or shard member) that could not be read.</summary>
    public new string Source { get; }

    /// <summary>Why it was skipped.</summary>
    public SkipReason Reason { get; }

    /// <summary>What exactly was wrong, in a few words.</summary>
    public string Detail { get; }

    /// <summary>The stable lower-case key of a reason used in messages, logs and JSON (<c>empty</c>, <c>misnamed</c>,
    /// <c>too-large</c>, …).</summary>
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
        _ => "error",
    };
}
