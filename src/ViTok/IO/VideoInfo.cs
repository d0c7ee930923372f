namespace ViTok.IO;

/// <summary>What ffprobe says about the first video stream of a file.</summary>
/// <param name="Path">The file.</param>
/// <param name="Width">Frame width as decoded (after the rotation ffmpeg applies).</param>
/// <param name="Height">Frame height as decoded (after the rotation ffmpeg applies).</param>
/// <param name="FrameCount">Frames in the stream (packets counted by ffprobe, else estimated from duration × fps).</param>
/// <param name="Fps">Average frame rate.</param>
/// <param name="DurationSeconds">Stream (or container) duration in seconds.</param>
/// <param name="Codec">Codec name, e.g. h264.</param>
public sealed record VideoInfo(string Path, int Width, int Height, int FrameCount, double Fps, double DurationSeconds, string Codec)
{
    /// <summary>ffprobe's container name(s), e.g. <c>mov,mp4,m4a,3gp,3g2,mj2</c> or <c>mpegts</c>.</summary>
    public string Container { get; init; } = "?";

    /// <summary>The stream's first timestamp in seconds (MPEG-TS streams typically start near 1.4 s, not 0).</summary>
    public double StartSeconds { get; init; }
}
