using ViTok.IO;

namespace ViTok.Data;

/// <summary>How clips are cut from videos: <see cref="Frames"/> frames taken every <see cref="FrameStride"/>-th source
/// frame, or resampled to <see cref="Fps"/> when it is set; starts chosen by <see cref="Start"/>.</summary>
public sealed record ClipOptions
{
    /// <summary>Frames per clip (T).</summary>
    public int Frames { get; init; } = 16;

    /// <summary>Take every n-th source frame (ignored when <see cref="Fps"/> is set).</summary>
    public int FrameStride { get; init; } = 1;

    /// <summary>Resample to this frame rate instead of striding (e.g. 8 fps as in the paper's video study).</summary>
    public double? Fps { get; init; }

    /// <summary>How starts are chosen.</summary>
    public ClipStart Start { get; init; } = ClipStart.Random;

    /// <summary>Clips per video with <see cref="ClipStart.Even"/> (each is its own item); 1 otherwise.</summary>
    public int ClipsPerVideo { get; init; } = 1;

    /// <summary>Frames larger than this many pixels are refused from the probe.</summary>
    public long MaxPixels { get; init; } = ImageIO.DefaultMaxPixels;

    /// <summary>Deadline for each ffprobe/ffmpeg call.</summary>
    public TimeSpan Timeout { get; init; } = VideoIO.DefaultTimeout;
}
