namespace ViTok.Evaluation;

/// <summary>One evaluated item kept for the report: its 8-bit original and reconstruction as planar bytes
/// [3, H, W] (image, <see cref="Frames"/> = 0) or [3, T, H, W] (clip), its PSNR and its relative error
/// (mean squared error over the original's own pixel variance, both on [−1, 1]: 0 is perfect, 1 is as bad as
/// predicting the image's mean colour). Best and worst are ranked by the relative error, which is fair across images of
/// different contrast; PSNR alone ranks nearly-black, flat images best.</summary>
public sealed record EvalExample(string Source, long Index, double Psnr, int Frames, int Height, int Width, byte[] Original, byte[] Reconstruction,
    double RelativeError = double.NaN)
{
    /// <summary>The tensor shape of <see cref="Original"/> and <see cref="Reconstruction"/>.</summary>
    public long[] Shape => Frames == 0 ? [3, Height, Width] : [3, Frames, Height, Width];

    /// <summary>The original as floats in [-1, 1] (a new tensor).</summary>
    public Tensor OriginalTensor() => Quantization.FromBytes(Original, Shape);

    /// <summary>The reconstruction as floats in [-1, 1] (a new tensor).</summary>
    public Tensor ReconstructionTensor() => Quantization.FromBytes(Reconstruction, Shape);
}
