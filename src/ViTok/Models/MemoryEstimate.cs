using ViTok.Models.Paper;
using ViTok.Models.V2;

namespace ViTok.Models;

/// <summary>Estimated memory (bytes) of a model at an input size: weights, activations and the peak resident size of
/// a process that encodes, decodes or takes one training step (MSE/KL + AdamW; with and without activation
/// checkpointing). A cost model, not a measurement: it counts the tensors the TorchSharp forward passes allocate, in
/// units of one token activation a = B·N·W·s (B batch, N tokens, W width, s dtype bytes), with what each dispose scope
/// keeps alive (see the derivations at each term), plus <see cref="RuntimeBytes"/> for the process itself.
/// Checked against the peak RSS of real runs (tests/ViTok.Tests/Models/MemoryProbe.cs; README table).</summary>
/// <param name="WeightBytes">Parameters of both halves × s.</param>
/// <param name="EncodeActivationBytes">Peak live tensors while encoding (no_grad).</param>
/// <param name="DecodeActivationBytes">Peak live tensors while decoding (no_grad).</param>
/// <param name="TrainActivationBytes">Live tensors of one training step (the forward kept for backward plus the
/// backward's transients), without the weight gradients and optimizer state.</param>
/// <param name="TrainCheckpointedActivationBytes">The same with activation checkpointing on (block inputs, one block
/// recomputed, the backward's transients).</param>
/// <param name="TrainStateBytes">Weight gradients (P·s), AdamW's two float32 moments (2P·4), the temporaries of its
/// update step, which live until the step ends (2P·4, measured), and float32 master weights when s &lt; 4 (P·4).</param>
public sealed record MemoryEstimate(long WeightBytes, long EncodeActivationBytes, long DecodeActivationBytes,
                                    long TrainActivationBytes, long TrainCheckpointedActivationBytes, long TrainStateBytes)
{
    /// <summary>Resident size of the process before any model work: the .NET runtime, libtorch and its CPU kernels,
    /// measured on this project's Linux x64 build (peak RSS of a process that built a tiny model and ran no pass).</summary>
    public const long RuntimeBytes = 160_000_000;

    /// <summary>Estimated peak RSS of an encode.</summary>
    public long EncodePeakBytes => RuntimeBytes + WeightBytes + EncodeActivationBytes;

    /// <summary>Estimated peak RSS of a decode.</summary>
    public long DecodePeakBytes => RuntimeBytes + WeightBytes + DecodeActivationBytes;

    /// <summary>Estimated peak RSS of a training step (at the AdamW update, with the forward's tensors still alive).</summary>
    public long TrainPeakBytes => RuntimeBytes + WeightBytes + TrainStateBytes + TrainActivationBytes;

    /// <summary>Estimated peak RSS of a training step with activation checkpointing.</summary>
    public long TrainCheckpointedPeakBytes => RuntimeBytes + WeightBytes + TrainStateBytes + TrainCheckpointedActivationBytes;

    // Tensors one paper block allocates, in token activations (r = hidden/W): norm1 1, qkv 3, RoPE on q and on k 5
    // each (the contiguous copy 1, four half-size products and two half-size sums 3, the stack 1), attention output 1,
    // its head merge 1, proj 1, residual 1, norm2 1, fc1/fc2/silu/product 4r, fc3 1, residual 1.
    private static double PaperBlock(double r) => 21 + 4 * r;

    // Tensors one v2 block allocates: RMSNorm 3 (x², x·rsqrt, ·weight), qkv 3, per q and k RMSNorm 3 + RoPE 4,
    // attention output 1, head merge 1, out_proj 1, fc1 2r, silu r, product r, fc2 1, sum 1, LayerScale 1, residual 1.
    private static double V2Block(double r) => 27 + 4 * r;

    // What autograd keeps of a v2 block once its dispose scope has released the rest: the RMSNorm product 1 and
    // output 1, qkv 3, q and k (norm product, norm output, rotated) 3 each, attention output 1 and merge 1, fc1 2r,
    // silu r, product r, the LayerScale input 1 and the residual 1.
    private static double V2BlockSaved(double r) => 15 + 4 * r;

    // Backward transients at the widest point (gradients of one block's intermediates alive at once).
    private static double BackwardBlock(double r) => 8 + 2 * r;

    private static double OptimiserStateBytes(double parameters, double s) =>
        parameters * s + 4 * parameters * 4 + (s < 4 ? parameters * 4 : 0);

    /// <summary>The estimate for a paper-family config at <paramref name="frames"/>×H×W, batch
    /// <paramref name="batch"/>, parameters of <paramref name="dtypeBytes"/> bytes (4 float32, 2 bfloat16).</summary>
    public static MemoryEstimate ForPaper(PaperConfig c, long frames, long height, long width, long batch, int dtypeBytes)
    {
        double s = dtypeBytes, n = PaperCost.Tokens(c, frames, height, width);
        double ae = batch * n * c.EncoderWidth * s, ad = batch * n * c.DecoderWidth * s;
        double re = (double)c.EncoderHidden / c.EncoderWidth, rd = (double)c.DecoderHidden / c.DecoderWidth;
        double pixels = batch * 3.0 * frames * height * width;
        double latent = batch * n * c.Channels * s;
        var (pe, pd) = PaperCost.Parameters(c);
        double weights = (pe + pd) * s;
        // Inference: each block's temporaries die with the block, its output stays until the pass ends.
        double encode = pixels * 4 + ae                                   // input (float32) and tubelet tokens
                        + c.EncoderDepth * ae + (PaperBlock(re) - 1) * ae    // block outputs, one block's temporaries
                        + ae + 4 * latent;                                   // final norm, moments, clamp
        double decode = latent + ad + c.DecoderDepth * ad + (PaperBlock(rd) - 1) * ad
                        + 2 * ad + pixels * s;                               // final norm, token grid copy, pixels
        // Training: one dispose scope per step keeps every forward tensor until the step ends.
        double outside = pixels * 4 * 3                                      // input, reconstruction, loss terms
                         + ae + ae + 8 * latent + ad + 2 * ad;               // tokens, norms, posterior, sample, grid copy
        double forward = outside + c.EncoderDepth * PaperBlock(re) * ae + c.DecoderDepth * PaperBlock(rd) * ad;
        double backward = Math.Max(BackwardBlock(re) * ae, BackwardBlock(rd) * ad);
        double train = forward + backward;
        // Checkpointing keeps each block's input; backward recomputes one block at a time in its own scope.
        double trainCkpt = outside + c.EncoderDepth * ae + c.DecoderDepth * ad
                           + Math.Max(PaperBlock(re) * ae, PaperBlock(rd) * ad) + backward;
        return new MemoryEstimate((long)weights, (long)encode, (long)decode, (long)train, (long)trainCkpt, (long)OptimiserStateBytes(pe + pd, s));
    }

    /// <summary>The estimate for a ViTok-v2 config at H×W (a full patch grid, no token-budget shrink), batch
    /// <paramref name="batch"/>, parameters of <paramref name="dtypeBytes"/> bytes.</summary>
    public static MemoryEstimate ForV2(V2Config c, long height, long width, long batch, int dtypeBytes)
    {
        double s = dtypeBytes, p = c.PatchSize;
        double n = Math.Ceiling(height / p) * Math.Ceiling(width / p);
        double ae = batch * n * c.EncoderWidth * s, ad = batch * n * c.DecoderWidth * s;
        double re = (double)c.EncoderHidden / c.EncoderWidth, rd = (double)c.DecoderHidden / c.DecoderWidth;
        double patches = batch * n * c.PixelsPerToken * 4;                   // float32 patch tokens
        double weights = (c.EncoderParameterCount + c.DecoderParameterCount) * s;
        // Inference: the previous activation is disposed after each block, so one block is alive at a time.
        double encode = patches * 2 + ae + (V2Block(re) + 1) * ae;
        double decode = patches * 3 + ad + (V2Block(rd) + 1) * ad;
        // Training: each block's dispose scope releases what autograd does not keep (V2BlockSaved).
        double outside = patches * 6 + ae + ad;                             // patchify, output, canvas, loss terms; embeddings
        double forward = outside + c.EncoderDepth * V2BlockSaved(re) * ae + c.DecoderDepth * V2BlockSaved(rd) * ad;
        double backward = Math.Max(BackwardBlock(re) * ae, BackwardBlock(rd) * ad);
        double train = forward + backward;
        double trainCkpt = outside + c.EncoderDepth * ae + c.DecoderDepth * ad + Math.Max(V2Block(re) * ae, V2Block(rd) * ad) + backward;
        return new MemoryEstimate((long)weights, (long)encode, (long)decode, (long)train, (long)trainCkpt,
                                  (long)OptimiserStateBytes(c.EncoderParameterCount + c.DecoderParameterCount, s));
    }
}
