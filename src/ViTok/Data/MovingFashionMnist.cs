namespace ViTok.Data;

/// <summary>Moving Fashion-MNIST, generated: <see cref="DigitsPerClip"/> Fashion-MNIST images bouncing inside a
/// <see cref="CanvasSize"/>² frame for <see cref="Frames"/> frames, after Srivastava et al. (2015): each digit starts
/// at a uniform position with a uniform direction, moves 0.1 of the free range per frame, reflects off the borders,
/// and digits combine by maximum. Item i is deterministic from (seed, i). Output [3, T, H, W], grey replicated.</summary>
public sealed class MovingFashionMnist : IDataset
{
    private const double StepLength = 0.1;
    private readonly FashionMnist _digits;
    private readonly ulong _seed;

    /// <summary>Creates <paramref name="count"/> clips from <paramref name="digits"/> (normally the train split).</summary>
    /// <exception cref="ViTokException">A count is not positive or the canvas is smaller than a digit.</exception>
    public MovingFashionMnist(FashionMnist digits, int count = 10_000, int frames = 20, int canvasSize = 64,
        int digitsPerClip = 2, ulong seed = 0, ImageTransform? transform = null)
    {
        if (canvasSize < Math.Max(digits.Rows, digits.Cols))
            throw new ViTokException($"moving-fashion-mnist: the canvas ({canvasSize}) must be at least the digit size ({digits.Rows}).");
        if (count <= 0 || frames <= 0 || digitsPerClip <= 0)
            throw new ViTokException("moving-fashion-mnist: count, frames and digits per clip must be positive.");
        _digits = digits;
        _seed = seed;
        Count = count;
        Frames = frames;
        CanvasSize = canvasSize;
        DigitsPerClip = digitsPerClip;
        Transform = transform ?? ImageTransform.None;
    }

    /// <inheritdoc/>
    public string Location => $"moving-fashion-mnist(seed={_seed}, {DigitsPerClip} digits, {Frames}x{CanvasSize}x{CanvasSize})";

    /// <inheritdoc/>
    public string Kind => "moving-fashion-mnist";

    /// <inheritdoc/>
    public IReadOnlyList<string> Classes => [];

    /// <inheritdoc/>
    public int Count { get; }

    /// <summary>Frames per clip (20 in the original protocol).</summary>
    public int Frames { get; }

    /// <summary>Side of the square frame (64).</summary>
    public int CanvasSize { get; }

    /// <summary>Digits per clip (2).</summary>
    public int DigitsPerClip { get; }

    /// <summary>The transform applied to each clip (one plan for all frames).</summary>
    public ImageTransform Transform { get; }

    /// <summary>Generates clip <paramref name="index"/> as grey bytes [T, S, S].</summary>
    public byte[] Generate(int index)
    {
        int s = CanvasSize, rows = _digits.Rows, cols = _digits.Cols;
        var clip = new byte[Frames * s * s];
        var rng = DataRng.For(_seed, -1, index);
        for (int d = 0; d < DigitsPerClip; d++)
        {
            var digit = _digits.Grey(rng.NextInt(_digits.Count));
            double y = rng.NextDouble(), x = rng.NextDouble(), theta = rng.NextDouble() * 2 * Math.PI;
            double vy = Math.Sin(theta), vx = Math.Cos(theta);
            for (int t = 0; t < Frames; t++)
            {
                y += vy * StepLength;
                x += vx * StepLength;
                if (x <= 0) { x = 0; vx = -vx; }
                if (x >= 1) { x = 1; vx = -vx; }
                if (y <= 0) { y = 0; vy = -vy; }
                if (y >= 1) { y = 1; vy = -vy; }
                int top = (int)((s - rows) * y), left = (int)((s - cols) * x);
                int frame = t * s * s;
                for (int r = 0; r < rows; r++)
                {
                    for (int c = 0; c < cols; c++)
                    {
                        int o = frame + (top + r) * s + left + c;
                        clip[o] = Math.Max(clip[o], digit[r * cols + c]);
                    }
                }
            }
        }
        return clip;
    }

    /// <inheritdoc/>
    public string SourceOf(int index) => $"{Location}#{index}";

    /// <inheritdoc/>
    public Sample Get(int index, DataRng rng)
    {
        var grey = Generate(index);
        var rgb = new byte[grey.Length * 3];
        for (int i = 0; i < grey.Length; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = grey[i];
        var pixels = Transform.ApplyClip(rgb, Frames, CanvasSize, CanvasSize, rng, out var plan);
        return new Sample(pixels, Frames, plan.OutHeight, plan.OutWidth, -1, SourceOf(index))
        {
            SourceHeight = CanvasSize,
            SourceWidth = CanvasSize,
            SourceFrames = Frames,
        };
    }
}
