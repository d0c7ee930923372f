namespace ViTok.Data;

/// <summary>One decoded item in managed memory: planar float pixels in [-1, 1], laid out [3, H, W] for an image
/// (<see cref="Frames"/> = 0) or [3, T, H, W] for a clip, plus its label and where it came from. Workers produce
/// these; tensors are made from them on the consuming thread.</summary>
public sealed class Sample
{
    /// <summary>Wraps decoded pixels; <paramref name="frames"/> = 0 marks an image.</summary>
    public Sample(float[] pixels, int frames, int height, int width, int label, string source)
    {
        long expected = 3L * Math.Max(frames, 1) * height * width;
        if (pixels.LongLength != expected)
            throw new ArgumentException($"{source}: {pixels.Length} floats for shape [3, {frames}, {height}, {width}]");
        Pixels = pixels;
        Frames = frames;
        Height = height;
        Width = width;
        Label = label;
        Source = source;
    }

    /// <summary>Planar pixels in [-1, 1]: [3, H, W] or [3, T, H, W].</summary>
    public float[] Pixels { get; }

    /// <summary>Number of frames T of a clip; 0 for an image.</summary>
    public int Frames { get; }

    /// <summary>Height in pixels after the transform.</summary>
    public int Height { get; }

    /// <summary>Width in pixels after the transform.</summary>
    public int Width { get; }

    /// <summary>Class index, or -1 when the source has no labels.</summary>
    public int Label { get; }

    /// <summary>The file (or shard member, or generator item) it was decoded from.</summary>
    public string Source { get; }

    /// <summary>Width of the decoded source before the transform.</summary>
    public int SourceWidth { get; init; }

    /// <summary>Height of the decoded source before the transform.</summary>
    public int SourceHeight { get; init; }

    /// <summary>Frames available in the source video (0 for images), as probed.</summary>
    public int SourceFrames { get; init; }

    /// <summary>The tensor shape: [3, H, W] or [3, T, H, W].</summary>
    public long[] Shape => Frames == 0 ? [3, Height, Width] : [3, Frames, Height, Width];

    /// <summary>Copies the pixels into a new float tensor of <see cref="Shape"/> (call on the consuming thread).</summary>
    public Tensor ToTensor() => torch.tensor(Pixels, Shape, ScalarType.Float32);
}
