using ViTok.Data;

namespace ViTok.Models.V2;

/// <summary>A NaFlex batch of patch tokens (the typed form of the reference's <c>patch_dict</c>). Each image's real
/// tokens come first in raster order; the rest of the <c>N</c> = token-budget rows are padding.
/// The batch owns its tensors: dispose it when done.</summary>
/// <param name="Patches">[B, N, 3·p·p] float32; channel-major per token (index = c·p² + ky·p + kx); padding rows 0.</param>
/// <param name="PatchMask">[B, N] bool, true for real tokens.</param>
/// <param name="RowIdx">[B, N] int64 grid row of each token (0 for padding).</param>
/// <param name="ColIdx">[B, N] int64 grid column of each token (0 for padding).</param>
/// <param name="OrigHeight">[B] int64 image height after any budget resize, before padding to the patch multiple.</param>
/// <param name="OrigWidth">[B] int64 image width after any budget resize, before padding.</param>
/// <param name="PatchSize">The patch size p.</param>
public sealed record PatchBatch(Tensor Patches, Tensor PatchMask, Tensor RowIdx, Tensor ColIdx, Tensor OrigHeight, Tensor OrigWidth, int PatchSize)
    : IDisposable
{
    /// <summary>Number of images B.</summary>
    public long BatchSize => PatchMask.shape[0];

    /// <summary>Token rows per image N (the token budget).</summary>
    public long MaxTokens => PatchMask.shape[1];

    /// <summary>The same positions with other per-token values (e.g. decoded patches or latents); the new batch
    /// shares this batch's position tensors, so dispose only one of them.</summary>
    public PatchBatch WithPatches(Tensor patches) => this with { Patches = patches };

    /// <summary>Original (post-resize) sizes as integers.</summary>
    public IReadOnlyList<(int Height, int Width)> Sizes()
    {
        var h = OrigHeight.cpu().data<long>().ToArray();
        var w = OrigWidth.cpu().data<long>().ToArray();
        return h.Select((v, i) => ((int)v, (int)w[i])).ToList();
    }

    /// <summary>Moves every tensor out of the current dispose scope (for returning a batch from a scoped method).</summary>
    public PatchBatch MoveToOuterDisposeScope()
    {
        foreach (var t in Tensors()) t.MoveToOuterDisposeScope();
        return this;
    }

    /// <summary>Disposes the tensors.</summary>
    public void Dispose()
    {
        foreach (var t in Tensors()) t.Dispose();
    }

    private IEnumerable<Tensor> Tensors() => [Patches, PatchMask, RowIdx, ColIdx, OrigHeight, OrigWidth];
}
