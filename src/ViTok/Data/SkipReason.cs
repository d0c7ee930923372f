namespace ViTok.Data;

/// <summary>Why an item was skipped. <see cref="SkipLog.KeyOf"/> gives the stable lower-case key used in logs and
/// JSON (<c>empty</c>, <c>misnamed</c>, …).</summary>
public enum SkipReason
{
    /// <summary>The file has zero bytes.</summary>
    Empty,

    /// <summary>The content is not an image of any supported format, whatever its name says (e.g. text named .png).</summary>
    Misnamed,

    /// <summary>The data ends before the image or archive does.</summary>
    Truncated,

    /// <summary>The format is recognised but the data cannot be decoded.</summary>
    Corrupt,

    /// <summary>The header declares more pixels than the limit (checked before decoding).</summary>
    TooLarge,

    /// <summary>ffprobe/ffmpeg cannot read a video stream from the file (or timed out).</summary>
    UnreadableVideo,

    /// <summary>The video has fewer frames than the clip needs.</summary>
    TooShort,

    /// <summary>The file could not be read (missing, permissions, I/O failure).</summary>
    IoError,

    /// <summary>A recognised format that is not read (TIFF, AVIF, HEIC, …); the detail names it.</summary>
    Unsupported,

    /// <summary>WebDataset: members of one key are not consecutive in the tar, so the sample cannot be put together
    /// while streaming.</summary>
    NotConsecutive,

    /// <summary>A label (a WebDataset .cls member) that is not an integer.</summary>
    BadLabel,

    /// <summary>Any other failure while decoding the item; the detail names the exception.</summary>
    Error,
}
