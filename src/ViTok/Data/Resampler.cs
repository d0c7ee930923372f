using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ViTok.Data;

/// <summary>The one image resizer. Data items (8-bit RGB on the CPU, inside the loader's workers) are resampled by
/// <see cref="Apply"/>: separable antialiased bilinear into planar floats, the filter of PIL and of torch's
/// <c>interpolate(mode: bilinear, antialias: true)</c>, a triangle kernel widened by the downscale factor, taps centred
/// at (o + 0.5)·scale, weights normalised over the taps inside the image. Float images already on a device (ViTok-v2's
/// NaFlex token budget, the demo's bicubic baseline) are resampled by <see cref="Bicubic"/>.</summary>
public static class Resampler
{
    /// <summary>Bicubic resize of an image [C, H, W] or a batch [B, C, H, W] to <paramref name="height"/> ×
    /// <paramref name="width"/> (PyTorch <c>interpolate(mode='bicubic', align_corners=False)</c>). With
    /// <paramref name="antialias"/> (the default) it is PIL's filter: a = −0.5, support widened by the downscale factor;
    /// without it, torch's plain bicubic (a = −0.75). No clamping, like the reference on float tensors.</summary>
    public static Tensor Bicubic(Tensor image, int height, int width, bool antialias = true)
    {
        bool single = image.dim() == 3;
        var x = single ? image.unsqueeze(0) : image;
        var y = F.interpolate(x, size: [height, width], mode: InterpolationMode.Bicubic, align_corners: false, antialias: antialias);
        return single ? y.squeeze(0) : y;
    }

    /// <summary>Per-output taps along one axis: output o reads Count[o] inputs from First[o] with weights
    /// W[o·Taps ..].</summary>
    internal sealed record AxisWeights(int[] First, int[] Count, float[] W, int Taps);

    /// <summary>Weights for outputs [dstStart, dstStart + dstCount) of resizing srcLen samples to dstLen.</summary>
    internal static AxisWeights Compute(int srcLen, int dstLen, int dstStart, int dstCount)
    {
        double scale = (double)srcLen / dstLen;
        double support = scale >= 1.0 ? scale : 1.0;
        double invScale = scale >= 1.0 ? 1.0 / scale : 1.0;
        int taps = (int)Math.Ceiling(support) * 2 + 1;
        var first = new int[dstCount];
        var count = new int[dstCount];
        var w = new float[dstCount * taps];
        var tmp = new double[taps];
        for (int i = 0; i < dstCount; i++)
        {
            double center = (dstStart + i + 0.5) * scale;
            int xmin = Math.Max((int)(center - support + 0.5), 0);
            int xmax = Math.Min((int)(center + support + 0.5), srcLen);
            double total = 0;
            int n = Math.Min(xmax - xmin, taps);
            for (int j = 0; j < n; j++)
            {
                double x = Math.Abs((j + xmin - center + 0.5) * invScale);
                double v = x < 1.0 ? 1.0 - x : 0.0;
                tmp[j] = v;
                total += v;
            }
            // Trim zero-weight taps at both ends so copies and integer-aligned resizes read one input.
            int lo = 0, hi = n;
            while (lo < hi && tmp[lo] == 0) lo++;
            while (hi > lo && tmp[hi - 1] == 0) hi--;
            first[i] = xmin + lo;
            count[i] = hi - lo;
            for (int j = lo; j < hi; j++) w[i * taps + j - lo] = (float)(tmp[j] / total);
        }
        return new AxisWeights(first, count, w, taps);
    }

    /// <summary>Applies <paramref name="plan"/> to RGB bytes [H, W, 3] and writes planar floats in [-1, 1]
    /// (rounded to 8-bit levels, as a PIL pipeline would) at dst[c·channelStride + y·OutWidth + x].</summary>
    internal static void Apply(ReadOnlySpan<byte> rgb, int height, int width, in CropPlan plan, Span<float> dst,
        int channelStride)
    {
        if (plan.SrcTop < 0 || plan.SrcLeft < 0 || plan.SrcTop + plan.SrcHeight > height || plan.SrcLeft + plan.SrcWidth > width)
            throw new ArgumentException($"crop box outside the {width}x{height} image");
        int ow = plan.OutWidth, oh = plan.OutHeight;
        if (dst.Length < 2L * channelStride + (long)oh * ow || channelStride < (long)oh * ow)
            throw new ArgumentException($"destination of {dst.Length} floats too small for 3 planes of {oh}x{ow} at stride {channelStride}");
        if (plan.IsCopy)
        {
            for (int y = 0; y < oh; y++)
            {
                int row = ((plan.SrcTop + plan.OutTop + y) * width + plan.SrcLeft + plan.OutLeft) * 3;
                for (int x = 0; x < ow; x++)
                {
                    int xo = plan.Flip ? ow - 1 - x : x, s = row + 3 * x, d = y * ow + xo;
                    dst[d] = rgb[s] / 127.5f - 1f;
                    dst[channelStride + d] = rgb[s + 1] / 127.5f - 1f;
                    dst[2 * channelStride + d] = rgb[s + 2] / 127.5f - 1f;
                }
            }
            return;
        }

        var hw = Compute(plan.SrcWidth, plan.ResizeWidth, plan.OutLeft, ow);
        var vw = Compute(plan.SrcHeight, plan.ResizeHeight, plan.OutTop, oh);
        int r0 = int.MaxValue, r1 = 0;
        for (int y = 0; y < oh; y++)
        {
            r0 = Math.Min(r0, vw.First[y]);
            r1 = Math.Max(r1, vw.First[y] + vw.Count[y]);
        }

        // Horizontal pass over the rows the vertical taps need: tmp [r1 - r0, ow, 3] (interleaved).
        int rowFloats = ow * 3;
        var tmp = new float[(r1 - r0) * rowFloats];
        ref float hW = ref MemoryMarshal.GetArrayDataReference(hw.W);
        for (int r = r0; r < r1; r++)
        {
            ref byte srcRow = ref Unsafe.AsRef(in rgb[((plan.SrcTop + r) * width + plan.SrcLeft) * 3]);
            ref float tRow = ref tmp[(r - r0) * rowFloats];
            for (int x = 0; x < ow; x++)
            {
                int n = hw.Count[x];
                ref byte s0 = ref Unsafe.Add(ref srcRow, hw.First[x] * 3);
                ref float w0 = ref Unsafe.Add(ref hW, x * hw.Taps);
                float a = 0, b = 0, c = 0;
                for (int k = 0; k < n; k++)
                {
                    float wk = Unsafe.Add(ref w0, k);
                    a += wk * Unsafe.Add(ref s0, 3 * k);
                    b += wk * Unsafe.Add(ref s0, 3 * k + 1);
                    c += wk * Unsafe.Add(ref s0, 3 * k + 2);
                }
                Unsafe.Add(ref tRow, 3 * x) = a;
                Unsafe.Add(ref tRow, 3 * x + 1) = b;
                Unsafe.Add(ref tRow, 3 * x + 2) = c;
            }
        }

        // Vertical pass: whole rows at a time (vectorised), then de-interleave into planar output.
        var acc = new float[rowFloats];
        var tmpSpan = tmp.AsSpan();
        for (int y = 0; y < oh; y++)
        {
            int f = vw.First[y] - r0, n = vw.Count[y], wo = y * vw.Taps;
            Array.Clear(acc);
            for (int k = 0; k < n; k++)
                Axpy(acc, tmpSpan.Slice((f + k) * rowFloats, rowFloats), vw.W[wo + k]);
            QuantiseInPlace(acc);
            ref float a0 = ref acc[0];
            ref float d0 = ref dst[y * ow];
            ref float d1 = ref dst[channelStride + y * ow];
            ref float d2 = ref dst[2 * channelStride + y * ow];
            for (int x = 0; x < ow; x++)
            {
                int xo = plan.Flip ? ow - 1 - x : x;
                Unsafe.Add(ref d0, xo) = Unsafe.Add(ref a0, 3 * x);
                Unsafe.Add(ref d1, xo) = Unsafe.Add(ref a0, 3 * x + 1);
                Unsafe.Add(ref d2, xo) = Unsafe.Add(ref a0, 3 * x + 2);
            }
        }
    }

    // v ← clamp(round(v), 0, 255) / 127.5 − 1, the 8-bit level in [-1, 1].
    private static void QuantiseInPlace(Span<float> v)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && v.Length >= Vector<float>.Count)
        {
            var vv = MemoryMarshal.Cast<float, Vector<float>>(v);
            var lo = Vector<float>.Zero;
            var hi = new Vector<float>(255f);
            var scale = new Vector<float>(127.5f);
            var one = Vector<float>.One;
            for (int j = 0; j < vv.Length; j++) vv[j] = Vector.Min(Vector.Max(Vector.Round(vv[j]), lo), hi) / scale - one;
            i = vv.Length * Vector<float>.Count;
        }
        for (; i < v.Length; i++) v[i] = Quantise(v[i]);
    }

    // acc += w · row, with SIMD where available.
    private static void Axpy(Span<float> acc, ReadOnlySpan<float> row, float w)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && acc.Length >= Vector<float>.Count)
        {
            var vw = new Vector<float>(w);
            var accV = MemoryMarshal.Cast<float, Vector<float>>(acc);
            var rowV = MemoryMarshal.Cast<float, Vector<float>>(row);
            for (int j = 0; j < accV.Length; j++) accV[j] += vw * rowV[j];
            i = accV.Length * Vector<float>.Count;
        }
        for (; i < acc.Length; i++) acc[i] += w * row[i];
    }

    private static float Quantise(float v) => Math.Clamp(MathF.Round(v), 0f, 255f) / 127.5f - 1f;
}
