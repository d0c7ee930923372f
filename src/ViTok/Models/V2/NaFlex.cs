using ViTok.Data;

namespace ViTok.Models.V2;

/// <summary>NaFlex pre- and post-processing of ViTok-v2 (mirrors <c>vitok/pp/ops.py</c>: <c>resize_to_token_budget</c>,
/// <c>patchify</c>, <c>unpatchify</c>, <c>unpack</c>). Images are float tensors [3, H, W] in [-1, 1]; their aspect
/// ratio is kept, images over the token budget are shrunk (<see cref="Resampler.Bicubic"/>, antialiased), padded with 0 (mid-grey) to the
/// patch multiple, cut into channel-major patch tokens in raster order and padded to the budget.</summary>
public static class NaFlex
{
    /// <summary>The reference's closed form: when ceil(h/p)·ceil(w/p) exceeds <paramref name="maxTokens"/>, scale the
    /// patch grid by √(maxTokens / (hp·wp)) with floor(· + 1e-5) (at least 1), the new size being grid·p capped at
    /// the old size; otherwise the size is kept.</summary>
    public static (int Height, int Width) FitToTokenBudget(int height, int width, int patch, int maxTokens)
    {
        if (patch < 1) throw new ArgumentOutOfRangeException(nameof(patch), "patch size must be at least 1");
        if (maxTokens < 1) throw new ArgumentOutOfRangeException(nameof(maxTokens), "the token budget must be at least 1");
        long hp = (height + patch - 1) / patch, wp = (width + patch - 1) / patch;
        if (hp * wp <= maxTokens) return (height, width);
        double scale = Math.Sqrt(maxTokens / (double)(hp * wp));
        long nh = Math.Max(1, (long)Math.Floor(hp * scale + 1e-5));
        long nw = Math.Max(1, (long)Math.Floor(wp * scale + 1e-5));
        return ((int)Math.Min(nh * patch, height), (int)Math.Min(nw * patch, width));
    }

    /// <summary>Shrinks an image [3, H, W] to fit the token budget (see <see cref="FitToTokenBudget"/>), or returns it
    /// unchanged (same tensor) when it fits.</summary>
    public static Tensor ResizeToTokenBudget(Tensor image, int patch, int maxTokens)
    {
        int h = (int)image.shape[^2], w = (int)image.shape[^1];
        var (th, tw) = FitToTokenBudget(h, w, patch, maxTokens);
        return (th, tw) == (h, w) ? image : Resampler.Bicubic(image, th, tw);
    }

    /// <summary>Turns images [3, H, W] (sizes may differ) into one padded batch of <paramref name="maxTokens"/> tokens
    /// per image. With <paramref name="resize"/> false an image over the budget is an error instead of being shrunk.</summary>
    /// <exception cref="ViTokException">There are no images, or the patch size or token budget is below 1.</exception>
    public static PatchBatch Patchify(IReadOnlyList<Tensor> images, int patch, int maxTokens, bool resize = true)
    {
        if (images.Count == 0) throw new ViTokException("no images to patchify.");
        if (patch < 1) throw new ViTokException($"patch size must be at least 1 (got {patch}).");
        if (maxTokens < 1) throw new ViTokException($"the token budget must be at least 1 (got {maxTokens}).");
        using var scope = torch.NewDisposeScope();
        int b = images.Count, d = 3 * patch * patch;
        var device = images[0].device;
        var patches = torch.zeros([b, maxTokens, d], ScalarType.Float32, device);
        var mask = torch.zeros([b, maxTokens], ScalarType.Bool, device);
        var rows = torch.zeros([b, maxTokens], ScalarType.Int64, device);
        var cols = torch.zeros([b, maxTokens], ScalarType.Int64, device);
        var origH = new long[b];
        var origW = new long[b];
        for (int i = 0; i < b; i++)
        {
            var img = images[i];
            if (img.dim() != 3 || img.shape[0] != 3)
                throw new BatchItemException(i, $"has shape [{string.Join(", ", img.shape)}]; expected an RGB tensor [3, H, W].");
            img = img.to(ScalarType.Float32).to(device);
            int h = (int)img.shape[1], w = (int)img.shape[2];
            var (th, tw) = FitToTokenBudget(h, w, patch, maxTokens);
            if ((th, tw) != (h, w))
            {
                if (!resize)
                    throw new BatchItemException(i, $"({w}x{h}) needs {(h + patch - 1) / patch * ((w + patch - 1) / patch)} patches of {patch} px "
                                             + $"but the token budget is {maxTokens}; raise the budget or allow resizing.");
                img = Resampler.Bicubic(img, th, tw);
                (h, w) = (th, tw);
            }
            int gh = (h + patch - 1) / patch, gw = (w + patch - 1) / patch, n = gh * gw;
            if (n > maxTokens) // the closed form keeps at least one patch per side, so extreme aspect ratios can overflow
                throw new BatchItemException(i, $"({images[i].shape[2]}x{images[i].shape[1]}) still needs {n} patches ({gh}×{gw}) after "
                                         + $"shrinking, more than the token budget {maxTokens}; its aspect ratio is too extreme for this budget. "
                                         + "Raise the budget or crop the image.");
            var padded = F.pad(img, [0, gw * patch - w, 0, gh * patch - h], PaddingModes.Constant, 0.0); // [3, gh·p, gw·p]
            var tokens = padded.reshape(3, gh, patch, gw, patch).permute(1, 3, 0, 2, 4).reshape(n, d); // [n, 3·p·p]
            patches[i].narrow(0, 0, n).copy_(tokens);
            mask[i].narrow(0, 0, n).fill_(Scalars.Of(true));
            var idx = torch.arange(Scalars.Of(0), Scalars.Of(n), Scalars.One, ScalarType.Int64, device);
            rows[i].narrow(0, 0, n).copy_(idx.div(Scalars.Of(gw), RoundingMode.floor));
            cols[i].narrow(0, 0, n).copy_(idx.remainder(Scalars.Of(gw)));
            origH[i] = h;
            origW[i] = w;
        }
        var batch = new PatchBatch(patches, mask, rows, cols, torch.tensor(origH, device: device), torch.tensor(origW, device: device), patch);
        return batch.MoveToOuterDisposeScope();
    }

    /// <summary>Folds per-token patches [B, N, 3·p·p] back onto image canvases [B, 3, Hmax, Wmax] whose grid is the
    /// largest real row/column in the batch; padding tokens are dropped and uncovered area is 0.</summary>
    public static Tensor Unpatchify(Tensor patches, PatchBatch layout)
    {
        using var scope = torch.NewDisposeScope();
        int p = layout.PatchSize;
        long b = patches.shape[0], n = patches.shape[1], d = patches.shape[2];
        if (d != 3L * p * p)
            throw new ArgumentException($"patches have {d} values per token; patch size {p} needs {3 * p * p}.");
        var valid = layout.PatchMask.to(patches.device).to(ScalarType.Bool);
        var row = layout.RowIdx.to(patches.device);
        var col = layout.ColIdx.to(patches.device);
        long maxY = valid.any().item<bool>() ? row.masked_select(valid).max().item<long>() + 1 : 1;
        long maxX = valid.any().item<bool>() ? col.masked_select(valid).max().item<long>() + 1 : 1;
        long slots = maxY * maxX;
        // Padding tokens go to an extra slot that is dropped, so they can never overwrite a real patch.
        var flat = torch.where(valid, row.Times(maxX).Plus(col), torch.full_like(row, Scalars.Of(slots))); // [B, N]
        var values = patches.masked_fill(valid.logical_not().unsqueeze(-1), Scalars.Of(0.0));
        var canvas = torch.zeros([b, slots + 1, d], patches.dtype, patches.device)
            .scatter(1, flat.unsqueeze(-1).expand(b, n, d), values)
            .narrow(1, 0, slots); // [B, maxY·maxX, 3·p·p]
        var images = canvas.reshape(b, maxY, maxX, 3, p, p).permute(0, 3, 1, 4, 2, 5).reshape(b, 3, maxY * p, maxX * p);
        return images.contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Crops each canvas [3, Hmax, Wmax] of <paramref name="images"/> to its original (post-resize) size.</summary>
    public static IReadOnlyList<Tensor> Unpack(Tensor images, PatchBatch layout)
    {
        var sizes = layout.Sizes();
        var result = new List<Tensor>(sizes.Count);
        for (int i = 0; i < sizes.Count; i++)
            result.Add(images[i].narrow(1, 0, sizes[i].Height).narrow(2, 0, sizes[i].Width).contiguous());
        return result;
    }

    /// <summary>Unpatchify then unpack: per-image tensors [3, h, w] from per-token patches [B, N, 3·p·p].</summary>
    public static IReadOnlyList<Tensor> ToImages(Tensor patches, PatchBatch layout)
    {
        using var scope = torch.NewDisposeScope();
        var images = Unpack(Unpatchify(patches, layout), layout);
        foreach (var t in images) t.MoveToOuterDisposeScope();
        return images;
    }
}
