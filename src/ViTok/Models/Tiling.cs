namespace ViTok.Models;

/// <summary>Tiled encode and decode of large images with a fixed-grid image model (the paper family, q = 1), in bounded memory: the
/// image is cut into overlapping square tiles (default 256 px, 32 px overlap; both multiples of p), each tile is
/// encoded alone, and the tiles' latents are blended into one latent grid of the untiled shape [1, (H/p)·(W/p), c];
/// decoding cuts that grid into the same tiles, decodes each, and blends the pixels. Overlaps are blended with a
/// raised-cosine ramp (weights ½ − ½·cos(π(i + ½)/overlap) across the overlap, 1 elsewhere, normalised by the summed
/// weights), so no seam shows. Memory is that of one tile plus the image, the latent grid and their weight maps.</summary>
public static class Tiling
{
    /// <summary>Tile origins along one axis of <paramref name="length"/> units: stride tile − overlap, the last tile
    /// flush with the end (a single tile when the axis fits).</summary>
    public static IReadOnlyList<long> Origins(long length, long tile, long overlap)
    {
        if (length <= tile) return [0];
        long stride = tile - overlap;
        var origins = new List<long>();
        for (long o = 0; o + tile < length; o += stride) origins.Add(o);
        origins.Add(length - tile);
        return origins;
    }

    /// <summary>Number of tiles for an H×W image.</summary>
    public static int TileCount(long height, long width, int tile = 256, int overlap = 32) =>
        Origins(height, tile, overlap).Count * Origins(width, tile, overlap).Count;

    /// <summary>Encodes an image [3, H, W] (H, W multiples of p) tile by tile to latents z [1, (H/p)·(W/p), c]
    /// (posterior means, blended), under no_grad. <paramref name="progress"/> gets (tiles done, total).</summary>
    /// <exception cref="ViTokException">Sizes that are not multiples of p, or a video model.</exception>
    public static Tensor Encode(IAutoencoder model, Tensor image, int tile = 256, int overlap = 32, Action<int, int>? progress = null)
    {
        var (p, h, w) = Check(model, image, tile, overlap);
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        long tt = tile / p, ot = overlap / p, gh = h / p, gw = w / p;
        var sum = torch.zeros([gh, gw, model.Channels], ScalarType.Float32, image.device);
        var weight = torch.zeros([gh, gw, 1], ScalarType.Float32, image.device);
        var tiles = Tiles(gh, gw, tt, ot);
        for (int i = 0; i < tiles.Count; i++)
        {
            var (r, c, th, tw) = tiles[i];
            using var tileScope = torch.NewDisposeScope();
            var crop = image.narrow(1, r * p, th * p).narrow(2, c * p, tw * p).unsqueeze(0);            // [1, 3, th·p, tw·p]
            using var latents = model.Encode(crop);
            var z = latents.Z.reshape(th, tw, -1);                                                     // posterior mean                           // [th, tw, c]
            var m = Ramp(th, tw, ot, r > 0, r + th < gh, c > 0, c + tw < gw, image.device);             // [th, tw, 1]
            sum.narrow(0, r, th).narrow(1, c, tw).PlusInPlace(z * m);
            weight.narrow(0, r, th).narrow(1, c, tw).PlusInPlace(m);
            progress?.Invoke(i + 1, tiles.Count);
        }
        return (sum / weight).reshape(1, gh * gw, -1).MoveToOuterDisposeScope();
    }

    /// <summary>Decodes latents z [1, (H/p)·(W/p), c] of an H×W image tile by tile to pixels [3, H, W] (blended),
    /// under no_grad.</summary>
    /// <exception cref="ViTokException">Latents that do not match the grid, or a video model.</exception>
    public static Tensor Decode(IAutoencoder model, Tensor z, long height, long width, int tile = 256, int overlap = 32, Action<int, int>? progress = null)
    {
        using var probe = torch.empty([3, height, width], device: torch.META);
        var (p, h, w) = Check(model, probe, tile, overlap);
        long tt = tile / p, ot = overlap / p, gh = h / p, gw = w / p;
        if (z.dim() != 3 || z.shape[0] != 1 || z.shape[1] != gh * gw || z.shape[2] != model.Channels)
            throw new ViTokException($"expected latents [1, {gh * gw}, {model.Channels}] for a {w}x{h} image, got [{string.Join(", ", z.shape)}]");
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var grid = z.reshape(gh, gw, -1);
        var sum = torch.zeros([3, h, w], ScalarType.Float32, z.device);
        var weight = torch.zeros([1, h, w], ScalarType.Float32, z.device);
        var tiles = Tiles(gh, gw, tt, ot);
        for (int i = 0; i < tiles.Count; i++)
        {
            var (r, c, th, tw) = tiles[i];
            using var tileScope = torch.NewDisposeScope();
            var zt = grid.narrow(0, r, th).narrow(1, c, tw).reshape(1, th * tw, -1);
            var px = model.Decode(zt, new TokenGrid(1, th, tw, IsImage: true))[0];          // [3, th·p, tw·p]
            var m = Ramp(th * p, tw * p, ot * p, r > 0, r + th < gh, c > 0, c + tw < gw, z.device).permute(2, 0, 1); // [1, ·, ·]
            sum.narrow(1, r * p, th * p).narrow(2, c * p, tw * p).PlusInPlace(px * m);
            weight.narrow(1, r * p, th * p).narrow(2, c * p, tw * p).PlusInPlace(m);
            progress?.Invoke(i + 1, tiles.Count);
        }
        return sum.div_(weight).MoveToOuterDisposeScope();                                          // in place: one image buffer
    }

    /// <summary>Tiled encode then decode of an image [3, H, W] of any size: padded by edge replication to the patch
    /// multiple and cropped back, as <see cref="LatentCodec"/> does untiled. Progress counts
    /// the encode and the decode tiles together.</summary>
    public static Tensor Reconstruct(IAutoencoder model, Tensor image, int tile = 256, int overlap = 32, Action<int, int>? progress = null)
    {
        using var scope = torch.NewDisposeScope();
        long h = image.shape[1], w = image.shape[2], p = model.PatchSize;
        long padH = (p - h % p) % p, padW = (p - w % p) % p;
        var x = image;
        if (padH + padW > 0) x = F.pad(x.unsqueeze(0), [0, padW, 0, padH], PaddingModes.Replicate)[0];
        int n = TileCount(h + padH, w + padW, tile, overlap);
        var z = Encode(model, x, tile, overlap, progress is null ? null : (d, _) => progress(d, 2 * n));
        var recon = Decode(model, z, h + padH, w + padW, tile, overlap, progress is null ? null : (d, _) => progress(n + d, 2 * n));
        return (padH + padW == 0 ? recon : recon[.., ..(int)h, ..(int)w].contiguous()).MoveToOuterDisposeScope();
    }

    private static (long P, long H, long W) Check(IAutoencoder model, Tensor image, int tile, int overlap)
    {
        int p = model.PatchSize;
        if (model.AcceptsAnySize)
            throw new ViTokException($"tiling is for families with a fixed patch grid; {model.Family} {model.Variant} fits large images to its token budget instead.");
        if (model.TubeletSize != 1)
            throw new ViTokException($"tiling is for image models; {model.Variant} has temporal stride q = {model.TubeletSize}.");
        if (image.dim() != 3 || image.shape[0] != 3)
            throw new ViTokException($"expected an image [3, H, W], got [{string.Join(", ", image.shape)}]");
        if (tile % p != 0 || overlap % p != 0 || tile < p || overlap < 0 || 2 * overlap > tile)
            throw new ViTokException($"--tile-size {tile} and --tile-overlap {overlap} must be multiples of the patch size {p}, with the overlap at most half the tile.");
        return (p, image.shape[1], image.shape[2]);
    }

    private static List<(long R, long C, long H, long W)> Tiles(long gh, long gw, long tile, long overlap) =>
        [.. from r in Origins(gh, tile, overlap) from c in Origins(gw, tile, overlap)
            select (r, c, Math.Min(tile, gh), Math.Min(tile, gw))];

    /// <summary>Blend weights along one axis of <paramref name="length"/> units: a raised-cosine ramp
    /// ½ − ½·cos(π(i + ½)/overlap), i = 0 … overlap − 1, at the start (when <paramref name="start"/>: a neighbour
    /// overlaps there) and mirrored at the end (when <paramref name="end"/>), 1 elsewhere; all ones when
    /// <paramref name="overlap"/> is 0. Shared by the spatial tiles here and the temporal chunks of
    /// <see cref="LatentCodec.ReconstructVideo"/>.</summary>
    public static float[] RampAxis(long length, long overlap, bool start, bool end)
    {
        var a = Enumerable.Repeat(1f, (int)length).ToArray();
        for (int i = 0; i < overlap && i < length; i++)
        {
            float v = (float)(0.5 - 0.5 * Math.Cos(Math.PI * (i + 0.5) / overlap));
            if (start) a[i] = Math.Min(a[i], v);
            if (end) a[length - 1 - i] = Math.Min(a[length - 1 - i], v);
        }
        return a;
    }

    // Blend weights [h, w, 1]: a raised-cosine ramp over `overlap` units on each side that has a neighbouring tile.
    private static Tensor Ramp(long h, long w, long overlap, bool top, bool bottom, bool left, bool right, Device device)
    {
        var rows = torch.tensor(RampAxis(h, overlap, top, bottom), device: device).reshape(h, 1, 1);
        var cols = torch.tensor(RampAxis(w, overlap, left, right), device: device).reshape(1, w, 1);
        return rows * cols;
    }
}
