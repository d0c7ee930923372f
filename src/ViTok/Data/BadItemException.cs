namespace ViTok.Data;

/// <summary>Thrown by decoders for one unreadable item (a file, a tar member, a clip). The data loader catches it,
/// skips the item and records it in its <see cref="SkipLog"/>; it never reaches the user as a crash.</summary>
public sealed class BadItemException : Exception
{
    /// <summary>Creates the error for <paramref name="source"/> with a reason and a short detail.</summary>
    public BadItemException(string source, SkipReason reason, string detail)
        : base($"{source}: {SkipLog.KeyOf(reason)}: {detail}")
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
}
