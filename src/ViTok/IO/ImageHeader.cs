namespace ViTok.IO;

/// <summary>What an image file's header says, read without decoding pixels.</summary>
/// <param name="Format">png, jpeg, webp, bmp or gif (from the content, not the name).</param>
/// <param name="Width">Stored width in pixels (before EXIF orientation).</param>
/// <param name="Height">Stored height in pixels (before EXIF orientation).</param>
public sealed record ImageHeader(string Format, int Width, int Height)
{
    /// <summary>Width × height.</summary>
    public long Pixels => (long)Width * Height;
}
