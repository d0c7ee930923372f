using ViTok.Data;

namespace ViTok.Models;

/// <summary>The one adapter between callers and any <see cref="IAutoencoder"/>; it calls only the interface, so every
/// family goes through it alike. Single images [3, H, W] of any size (<see cref="EncodeImage"/>,
/// <see cref="DecodeImage"/>): a family with a size rule (<see cref="IAutoencoder.AcceptsAnySize"/> false, the paper
/// family) gets the image padded by edge replication to the patch multiple and the pixels cropped back; a family with a
/// token budget (ViTok-v2) shrinks images over the budget and pads with zeros itself. Videos [3, T, H, W]
/// (<see cref="ReconstructVideo"/>) in temporal chunks, consecutive or overlapping and blended with
/// <see cref="Tiling"/>'s ramp, padded and cropped the same way. Batches for generation
/// (<see cref="EncodeBatch"/>) at an exact token grid. Decoding a batch is <see cref="IAutoencoder.Decode"/> itself.</summary>
public static class LatentCodec
{
    /// <summary>Encodes one image [3, H, W] in [-1, 1] (no_grad, own dispose scope): deterministic latents z [N, c]
    /// float32 (the posterior's mode, only the grid's real tokens) with the grid, the original size and the processed
    /// size (after any token-budget resize; the original size otherwise).</summary>
    /// <param name="model">Any auto-encoder that accepts images.</param>
    /// <param name="image">[3, H, W] in [-1, 1], any H and W.</param>
    /// <param name="name">The item's name in errors (a file path).</param>
    /// <param name="maxTokens">Token budget for families that have one (<see cref="IAutoencoder.HasTokenBudget"/>).</param>
    /// <exception cref="ViTokException">The image is not [3, H, W] or does not fit the budget, or the latents are not
    /// finite (names <paramref name="name"/>); the model takes no images.</exception>
    public static ImageLatents EncodeImage(IAutoencoder model, Tensor image, string name, int maxTokens = 256)
    {
        if (image.dim() != 3 || image.shape[0] != 3)
            throw new ViTokException($"{name}: expected an image [3, H, W], got [{string.Join(", ", image.shape)}]");
        using var scope = torch.NewDisposeScope();
        int h = (int)image.shape[1], w = (int)image.shape[2];
        var x = PadToMultiple(model, image.unsqueeze(0));                                     // [1, 3, H', W']
        Latents latents;
        try
        {
            latents = model.Encode(x, model.HasTokenBudget ? maxTokens : null);
        }
        catch (BatchItemException e)
        {
            throw new ViTokException($"{name}: {e.Detail}", e);
        }
        using (latents)
        {
            var z = latents.Z[0].narrow(0, 0, latents.Grid.Tokens).contiguous();           // [N, c]
            IO.Finite.CheckOutput(z, name, "latents");
            z = z.MoveToOuterDisposeScope();
            // The processed size is what the model saw before any padding of its own (the adapter's padding excluded).
            var (ph, pw) = model.AcceptsAnySize ? ((int)latents.ProcessedSize.Height, (int)latents.ProcessedSize.Width) : (h, w);
            return new ImageLatents(name, z, (int)latents.Grid.H, (int)latents.Grid.W, h, w, ph, pw);
        }
    }

    /// <summary>Decodes one image's latents back to pixels [3, ProcessedHeight, ProcessedWidth] float32 (no_grad, own
    /// dispose scope).</summary>
    /// <exception cref="ViTokException">The latents do not fit the model, or the pixels are not finite (names the item).</exception>
    public static Tensor DecodeImage(IAutoencoder model, ImageLatents latents)
    {
        using var scope = torch.NewDisposeScope();
        int n = latents.Rows * latents.Cols;
        if (latents.Z.dim() != 2 || latents.Z.shape[0] != n || latents.Z.shape[1] != model.Channels)
            throw new ViTokException($"{latents.Name}: latents [{string.Join(", ", latents.Z.shape)}] do not fit a {latents.Rows}×{latents.Cols} grid of {model.Channels} channels.");
        var pixels = model.Decode(latents.Z.unsqueeze(0), new TokenGrid(1, latents.Rows, latents.Cols, IsImage: true));   // [1, 3, rows·p, cols·p]
        var img = pixels[0].narrow(1, 0, latents.ProcessedHeight).narrow(2, 0, latents.ProcessedWidth).contiguous();
        IO.Finite.CheckOutput(img, latents.Name, "decoded pixels");
        return img.MoveToOuterDisposeScope();
    }

    /// <summary>Reconstructs one video [3, T, H, W] in [-1, 1] of any length and size, float32 [3, T, H, W], in
    /// temporal chunks of <paramref name="chunkFrames"/> frames (rounded down to the tubelet q, at least one tubelet),
    /// each padded by edge replication (last frame, last row and column) to the model's multiples, encoded, decoded
    /// and cropped back (no_grad, own dispose scope). <paramref name="overlapFrames"/> = 0 cuts the clip into
    /// consecutive chunks (the last one shorter). An overlap (a multiple of q, at most half the chunk) makes the chunks
    /// overlap as <see cref="Tiling"/>'s tiles do: the clip is padded to a multiple of q once, chunk origins step by
    /// chunk − overlap with the last chunk flush with the end (<see cref="Tiling.Origins"/>), and the decoded frames are
    /// blended with the same raised-cosine ramp over the overlap (<see cref="Tiling.RampAxis"/>), normalised by the
    /// summed weights. A clip that fits one chunk is reconstructed exactly as without overlap.
    /// <paramref name="progress"/> gets (chunks done, total).</summary>
    /// <exception cref="ViTokException">The clip is not [3, T, H, W], the model takes no videos, or the overlap is
    /// not a multiple of q or over half the chunk.</exception>
    public static Tensor ReconstructVideo(IAutoencoder model, Tensor clip, int chunkFrames = 16, int overlapFrames = 0, Action<int, int>? progress = null)
    {
        if (clip.dim() != 4 || clip.shape[0] != 3)
            throw new ViTokException($"expected a video [3, T, H, W], got [{string.Join(", ", clip.shape)}]");
        if (!model.AcceptsVideos)
            throw new ViTokException($"model {model.Family} {model.Variant} takes images, not videos.");
        int q = model.TubeletSize;
        int chunk = Math.Max(q, chunkFrames / q * q);
        if (overlapFrames < 0 || overlapFrames % q != 0 || 2 * overlapFrames > chunk)
            throw new ViTokException($"--chunk-overlap {overlapFrames}: must be a multiple of the tubelet size {q} and at most half the chunk of {chunk} frames (--frames).");
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        long t = clip.shape[1], h = clip.shape[2], w = clip.shape[3];
        if (overlapFrames == 0) return Consecutive(model, clip, chunk, progress).MoveToOuterDisposeScope();
        var padded = PadToMultiple(model, clip.unsqueeze(0))[0];                              // [3, T', H', W']
        long tp = padded.shape[1];
        var origins = Tiling.Origins(tp, chunk, overlapFrames);
        var sum = torch.zeros([3, tp, h, w], ScalarType.Float32, clip.device);
        var weight = torch.zeros([1, tp, 1, 1], ScalarType.Float32, clip.device);
        for (int i = 0; i < origins.Count; i++)
        {
            using var chunkScope = torch.NewDisposeScope();
            long start = origins[i], len = Math.Min(chunk, tp);
            using var latents = model.Encode(padded.narrow(1, start, len).unsqueeze(0));      // [1, 3, len, H', W']
            var recon = model.Decode(latents.Z, latents.Grid)[0].narrow(2, 0, h).narrow(3, 0, w);   // [3, len, H, W]
            var m = torch.tensor(Tiling.RampAxis(len, overlapFrames, i > 0, i < origins.Count - 1), device: clip.device).reshape(1, len, 1, 1);
            sum.narrow(1, start, len).PlusInPlace(recon * m);
            weight.narrow(1, start, len).PlusInPlace(m);
            progress?.Invoke(i + 1, origins.Count);
        }
        return (sum / weight).narrow(1, 0, t).contiguous().MoveToOuterDisposeScope();
    }

    // Consecutive chunks without overlap (the last one shorter), each padded to the model's multiples and cropped back.
    private static Tensor Consecutive(IAutoencoder model, Tensor clip, int chunk, Action<int, int>? progress)
    {
        long t = clip.shape[1], h = clip.shape[2], w = clip.shape[3];
        int total = (int)((t + chunk - 1) / chunk);
        var parts = new List<Tensor>();
        for (long start = 0; start < t; start += chunk)
        {
            long len = Math.Min(chunk, t - start);
            var x = PadToMultiple(model, clip.narrow(1, start, len).unsqueeze(0));            // [1, 3, len', H', W']
            using var latents = model.Encode(x);
            var recon = model.Decode(latents.Z, latents.Grid);                                // [1, 3, len', H', W']
            parts.Add(recon[0].narrow(1, 0, len).narrow(2, 0, h).narrow(3, 0, w));            // [3, len, H, W]
            progress?.Invoke(parts.Count, total);
        }
        return torch.cat(parts, 1).contiguous();
    }

    /// <summary>Encodes a batch of same-size images [B, 3, H, W] or clips [B, 3, T, H, W] in [-1, 1] at an exact token
    /// grid, for latent generative models (no_grad, own dispose scope): z and the posterior [B, L, c] float32 with
    /// L = grid tokens. Nothing is padded or resized: a family that would pad inside (ViTok-v2) needs H and W multiples
    /// of its patch; a family with a size rule checks its own.</summary>
    /// <exception cref="ViTokException">The batch does not fit the model at an exact grid (names the fix).</exception>
    public static Latents EncodeBatch(IAutoencoder model, Tensor x)
    {
        int p = model.PatchSize;
        if (model.AcceptsAnySize && (x.dim() is not (4 or 5) || (x.dim() == 5 && !model.AcceptsVideos) || x.shape[^2] % p != 0 || x.shape[^1] % p != 0))
            throw new ViTokException($"{model.Family} {model.Variant} latents for generation need {(model.AcceptsVideos ? "batches" : "image batches [B, 3, H, W]")} " +
                                     $"with H and W multiples of {p}; got [{string.Join(", ", x.shape)}]. Set --size or --pad-to.");
        return model.Encode(x);
    }

    // Pads a batch [B, 3, H, W] or [B, 3, T, H, W] at the bottom/right/end by edge replication to the model's multiples
    // (its patch, and its tubelet for clips); unchanged for families that take any size.
    private static Tensor PadToMultiple(IAutoencoder model, Tensor x)
    {
        if (model.AcceptsAnySize) return x;
        long p = model.PatchSize, q = model.TubeletSize;
        long padH = (p - x.shape[^2] % p) % p, padW = (p - x.shape[^1] % p) % p;
        long padT = x.dim() == 5 ? (q - x.shape[2] % q) % q : 0;
        if (padT + padH + padW == 0) return x;
        return F.pad(x, x.dim() == 5 ? [0, padW, 0, padH, 0, padT] : [0, padW, 0, padH], PaddingModes.Replicate);
    }
}
