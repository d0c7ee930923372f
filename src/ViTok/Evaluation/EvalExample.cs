namespace ViTok.Evaluation;

/// <summary>One evaluated item kept for the report: its 8-bit original and reconstruction as planar bytes
/// [3, H, W] (image, <see cref="Frames"/> = 0) or [3, T, H, W] (clip), and its PSNR.</summary>
public sealed record EvalExample(string Source, long Index, double Psnr, int Frames, int Height, int Width, byte[] Original, byte[] Reconstruction)
{
    /// <summary>The tensor shape of <see cref="Original"/> and <see cref="Reconstruction"/>.</summary>
    public long[] Shape => Frames == 0 ? [3, Height, Width] : [3, Frames, Height, Width];

    /// <summary>The original as floats in [-1, 1] (a new tensor).</summary>
    public Tensor OriginalTensor() => Quantization.FromBytes(Original, Shape);

    /// <summary>The reconstruction as floats in [-1, 1] (a new tensor).</summary>
    public Tensor ReconstructionTensor() => Quantization.FromBytes(Reconstruction, Shape);
}
