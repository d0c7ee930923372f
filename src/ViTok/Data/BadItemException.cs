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

    /// <summary>What the user can do about it, one sentence for the reason.</summary>
    public string Fix => Reason switch
    {
        SkipReason.Empty or SkipReason.Truncated or SkipReason.IoError => "Copy or download the file again.",
        SkipReason.UnreadableVideo => "Check that it plays (ffprobe shows a video stream) or re-encode it, e.g. `ffmpeg -i in -c:v libx264 out.mp4`.",
        SkipReason.TooShort => "Use a shorter clip (--frames) or a longer video.",
        SkipReason.TooLarge => "Downscale it first.",
        SkipReason.Unsupported => "Convert it to PNG or JPEG.",
        SkipReason.NotConsecutive => "Re-create the shard with each sample's members next to each other (tar sorted by name).",
        SkipReason.BadLabel => "Write the label as an integer class index.",
        _ => "Give a PNG, JPEG, WebP, BMP or GIF image, or a video ffprobe can read.",
    };
}
