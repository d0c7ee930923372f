namespace ViTok.Data;

/// <summary>Where clips start inside a video.</summary>
public enum ClipStart
{
    /// <summary>A uniformly random start per item and epoch (training).</summary>
    Random,

    /// <summary><see cref="ClipOptions.ClipsPerVideo"/> starts spaced evenly over the video (one clip: the centre).</summary>
    Even,

    /// <summary>The first frame.</summary>
    First,
}
