namespace ViTok.Models;

/// <summary>Tiled encode and decode of large images with a fixed-grid image model (the paper family, q = 1), in bounded
/// memory, for a result as close to the untiled pass as a tile allows and without seams. The model sees square windows of
/// <c>tile</c> px (default 256); of each window only the core, <c>margin</c> px in from every side that has image beyond
/// it, is kept, so every kept position was computed with context around it (windows at the image border are shifted
/// inward to stay full size). Neighbouring cores overlap by at least <c>overlap</c> px (default 32) and are blended with
/// a raised-cosine ramp centred in the overlap, normalised so that the weights of all tiles sum to 1 at every position
/// (<see cref="Layout"/>). The tiled latent grid has the untiled shape [1, (H/p)·(W/p), c].
/// <para>Why the encoder tiles are also harmonised: a global-attention encoder adds to every token a term that depends on
/// the whole window it sees (measured on a photo-trained <c>Sw64d2h2-Bw64d2h2/4</c> at 1024²: 256 px tiles differ from
/// the untiled latents by 10 % RMS, uniformly inside the tiles, not just near their borders, and the tiles' mean colours
/// by up to 26 levels). So each encoder tile k gets one offset vector b_k (c values) such that neighbouring tiles agree
/// on their overlaps: b minimises Σ n_kl·|mean_kl(z_k) + b_k − mean_kl(z_l) − b_l|² over overlapping pairs (n_kl: the
/// overlap's positions), with Σ b_k = 0 on each connected group of tiles (conjugate gradients on the tile graph's
/// Laplacian, as in panorama gain compensation). The decoder's tiles are harmonised the same way in pixel space (3
/// values per tile).</para>
/// Memory is that of one window plus the output canvas (no weight canvas: the weights already sum to 1).</summary>
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

    /// <summary>The tiles along one axis of <paramref name="length"/> units for windows of <paramref name="window"/>
    /// units, <paramref name="margin"/> units of context on each side of a core (cores of window − 2·margin units,
    /// <see cref="Origins"/>) and cores overlapping by at least <paramref name="overlap"/> units. The blend band of two
    /// neighbours is min(overlap, their actual overlap) long, centred in their overlap: the first tile's weight falls as
    /// ½ + ½·cos(π(i + ½)/band) while the second's rises as ½ − ½·cos(π(i + ½)/band), i = 0 … band − 1; each tile's
    /// weights are the product of its two ramps, normalised by the sum over tiles so that they sum to 1 everywhere.
    /// A single tile covers the axis when it is no longer than the window.</summary>
    /// <exception cref="ArgumentException">Sizes that do not satisfy 0 ≤ 2·margin &lt; window, 0 ≤ 2·overlap ≤ window − 2·margin.</exception>
    public static IReadOnlyList<TileSpan> Layout(long length, long window, long margin, long overlap)
    {
        long core = window - 2 * margin;
        if (length < 1 || window < 1 || margin < 0 || overlap < 0 || core < 1 || 2 * overlap > core)
            throw new ArgumentException($"tiling needs 0 <= 2*margin < window and 0 <= 2*overlap <= window - 2*margin (length {length}, window {window}, margin {margin}, overlap {overlap}).");
        if (length <= window) return [new TileSpan(0, length, 0, length, Enumerable.Repeat(1f, (int)length).ToArray())];
        var origins = Origins(length, core, overlap);
        int n = origins.Count;
        var raw = origins.Select(_ => Enumerable.Repeat(1.0, (int)core).ToArray()).ToArray();
        for (int i = 0; i + 1 < n; i++)
        {
            long shared = origins[i] + core - origins[i + 1];                     // ≥ overlap (the last pair may share more)
            long band = Math.Min(overlap, shared), start = origins[i + 1] + (shared - band) / 2;
            for (long x = origins[i + 1]; x < origins[i] + core; x++)
            {
                double fall = x < start ? 1 : x >= start + band ? 0 : 0.5 + 0.5 * Math.Cos(Math.PI * (x - start + 0.5) / band);
                raw[i][x - origins[i]] *= fall;
                raw[i + 1][x - origins[i + 1]] *= 1 - fall;
            }
        }
        var total = new double[length];
        for (int i = 0; i < n; i++)
            for (long x = 0; x < core; x++) total[origins[i] + x] += raw[i][x];
        var spans = new TileSpan[n];
        for (int i = 0; i < n; i++)
        {
            long o = origins[i], windowStart = Math.Clamp(o - margin, 0, length - window);
            var w = new float[core];
            for (long x = 0; x < core; x++) w[x] = (float)(raw[i][x] / total[o + x]);
            spans[i] = new TileSpan(o, core, windowStart, window, w);
        }
        return spans;
    }

    /// <summary>Number of windows the model sees for an H×W image (each of an encode and a decode).</summary>
    public static int TileCount(long height, long width, int tile = 256, int overlap = 32, int margin = 0) =>
        Layout(height, tile, margin, overlap).Count * Layout(width, tile, margin, overlap).Count;

    /// <summary>Encodes an image [3, H, W] (H, W multiples of p) window by window to latents z [1, (H/p)·(W/p), c]
    /// (posterior means, blended; harmonised unless <paramref name="harmonise"/> is false, see the class remarks), under
    /// no_grad. <paramref name="progress"/> gets (windows done, total).</summary>
    /// <exception cref="ViTokException">Sizes that are not multiples of p or do not fit together, or a video model.</exception>
    public static Tensor Encode(IAutoencoder model, Tensor image, int tile = 256, int overlap = 32, int margin = 0,
                                bool harmonise = true, Action<int, int>? progress = null)
    {
        var (p, h, w) = Check(model, image, tile, overlap, margin);
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        long gh = h / p, gw = w / p, ch = model.Channels;
        var tiles = Grid(Layout(gh, Math.Min(tile / p, gh), margin / p, overlap / p), Layout(gw, Math.Min(tile / p, gw), margin / p, overlap / p));
        var sum = torch.zeros([gh, gw, ch], ScalarType.Float32, image.device);
        var pairs = harmonise ? Neighbours(tiles) : [];
        var overlapSums = pairs.ToDictionary(e => e, _ => new double[ch]);       // (k, l) → Σ z_k over the overlap of k and l
        for (int k = 0; k < tiles.Count; k++)
        {
            var (r, c) = tiles[k];
            using var tileScope = torch.NewDisposeScope();
            var crop = image.narrow(1, r.WindowStart * p, r.WindowLength * p).narrow(2, c.WindowStart * p, c.WindowLength * p).unsqueeze(0);
            using var latents = model.Encode(crop);                                                  // z = posterior mean
            var z = latents.Z.reshape(r.WindowLength, c.WindowLength, ch)
                             .narrow(0, r.CoreOffset, r.CoreLength).narrow(1, c.CoreOffset, c.CoreLength);  // [core h, core w, c]
            sum.narrow(0, r.CoreStart, r.CoreLength).narrow(1, c.CoreStart, c.CoreLength).PlusInPlace(z * Weights(r, c, image.device));
            AccumulateOverlaps(z, 0, k, tiles, pairs, overlapSums);
            progress?.Invoke(k + 1, tiles.Count);
        }
        if (pairs.Count > 0)
        {
            var offsets = Offsets(tiles.Count, [.. pairs.Select(e => (e.K, e.L, Area(tiles[e.K], tiles[e.L]), overlapSums[e]))], (int)ch);
            for (int k = 0; k < tiles.Count; k++)
            {
                using var tileScope = torch.NewDisposeScope();
                var (r, c) = tiles[k];
                var b = torch.tensor(offsets[k].Select(v => (float)v).ToArray(), device: image.device).reshape(1, 1, ch);
                sum.narrow(0, r.CoreStart, r.CoreLength).narrow(1, c.CoreStart, c.CoreLength).PlusInPlace(Weights(r, c, image.device) * b);
            }
        }
        return sum.reshape(1, gh * gw, ch).MoveToOuterDisposeScope();
    }

    // Adds tile k's values (core [h, w, C] at spatial dim 0, or [C, h, w] at dim 1) summed over each overlap (a, b) it
    // takes part in to sums[(a, b)], with the sign that makes it Σ values_a − Σ values_b.
    private static void AccumulateOverlaps(Tensor core, int spatialDim, int k, List<(TileSpan R, TileSpan C)> tiles, List<(int K, int L)> pairs,
                                           Dictionary<(int K, int L), double[]> sums)
    {
        var (r, c) = tiles[k];
        foreach (var (a, b) in pairs.Where(e => e.K == k || e.L == k))
        {
            using var scope = torch.NewDisposeScope();
            var (r0, r1, c0, c1) = Intersection(tiles[a], tiles[b]);
            var part = core.narrow(spatialDim, r0 - r.CoreStart, r1 - r0).narrow(spatialDim + 1, c0 - c.CoreStart, c1 - c0)
                           .sum([spatialDim, spatialDim + 1]).to(ScalarType.Float64).cpu();
            var acc = sums[(a, b)];
            double sign = k == a ? 1 : -1;
            var values = part.data<double>().ToArray();
            for (int i = 0; i < acc.Length; i++) acc[i] += sign * values[i];
        }
    }

    /// <summary>Decodes latents z [1, (H/p)·(W/p), c] of an H×W image window by window to pixels [3, H, W] (blended;
    /// harmonised unless <paramref name="harmonise"/> is false, see the class remarks),
    /// under no_grad.</summary>
    /// <exception cref="ViTokException">Latents that do not match the grid, sizes that do not fit together, or a video model.</exception>
    public static Tensor Decode(IAutoencoder model, Tensor z, long height, long width, int tile = 256, int overlap = 32, int margin = 0,
                                bool harmonise = true, Action<int, int>? progress = null)
    {
        using var probe = torch.empty([3, height, width], device: torch.META);
        var (p, h, w) = Check(model, probe, tile, overlap, margin);
        long gh = h / p, gw = w / p;
        if (z.dim() != 3 || z.shape[0] != 1 || z.shape[1] != gh * gw || z.shape[2] != model.Channels)
            throw new ViTokException($"expected latents [1, {gh * gw}, {model.Channels}] for a {w}x{h} image, got [{string.Join(", ", z.shape)}]");
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var grid = z.reshape(gh, gw, -1);
        var sum = torch.zeros([3, h, w], ScalarType.Float32, z.device);
        // Pixel layout: the token layout × p (all sizes are multiples of p), with the ramps at pixel resolution.
        var tiles = Grid(Layout(h, Math.Min(tile, h), margin, overlap), Layout(w, Math.Min(tile, w), margin, overlap));
        var pairs = harmonise ? Neighbours(tiles) : [];
        var overlapSums = pairs.ToDictionary(e => e, _ => new double[3]);
        for (int k = 0; k < tiles.Count; k++)
        {
            var (r, c) = tiles[k];
            using var tileScope = torch.NewDisposeScope();
            var zt = grid.narrow(0, r.WindowStart / p, r.WindowLength / p).narrow(1, c.WindowStart / p, c.WindowLength / p)
                         .reshape(1, r.WindowLength / p * (c.WindowLength / p), -1);
            var px = model.Decode(zt, new TokenGrid(1, r.WindowLength / p, c.WindowLength / p, IsImage: true))[0]   // [3, window h, window w]
                          .narrow(1, r.CoreOffset, r.CoreLength).narrow(2, c.CoreOffset, c.CoreLength);
            var m = Weights(r, c, z.device).permute(2, 0, 1);                                                        // [1, core h, core w]
            sum.narrow(1, r.CoreStart, r.CoreLength).narrow(2, c.CoreStart, c.CoreLength).PlusInPlace(px * m);
            AccumulateOverlaps(px, 1, k, tiles, pairs, overlapSums);
            progress?.Invoke(k + 1, tiles.Count);
        }
        if (pairs.Count > 0)
        {
            var offsets = Offsets(tiles.Count, [.. pairs.Select(e => (e.K, e.L, Area(tiles[e.K], tiles[e.L]), overlapSums[e]))], 3);
            for (int k = 0; k < tiles.Count; k++)
            {
                using var tileScope = torch.NewDisposeScope();
                var (r, c) = tiles[k];
                var b = torch.tensor(offsets[k].Select(v => (float)v).ToArray(), device: z.device).reshape(3, 1, 1);
                sum.narrow(1, r.CoreStart, r.CoreLength).narrow(2, c.CoreStart, c.CoreLength).PlusInPlace(Weights(r, c, z.device).permute(2, 0, 1) * b);
            }
        }
        return sum.MoveToOuterDisposeScope();
    }

    /// <summary>Tiled encode then decode of an image [3, H, W] of any size: padded by edge replication to the patch
    /// multiple and cropped back, as <see cref="LatentCodec"/> does untiled. Progress counts the encode and the decode
    /// windows together.</summary>
    /// <exception cref="ViTokException">Sizes that do not fit together, or a model that cannot be tiled.</exception>
    public static Tensor Reconstruct(IAutoencoder model, Tensor image, int tile = 256, int overlap = 32, int margin = 0,
                                     bool harmonise = true, Action<int, int>? progress = null)
    {
        using var scope = torch.NewDisposeScope();
        long h = image.shape[1], w = image.shape[2], p = model.PatchSize;
        long padH = (p - h % p) % p, padW = (p - w % p) % p;
        var x = image;
        if (padH + padW > 0) x = F.pad(x.unsqueeze(0), [0, padW, 0, padH], PaddingModes.Replicate)[0];
        Check(model, x, tile, overlap, margin);
        int n = TileCount(h + padH, w + padW, tile, overlap, margin);
        var z = Encode(model, x, tile, overlap, margin, harmonise, progress is null ? null : (d, _) => progress(d, 2 * n));
        var recon = Decode(model, z, h + padH, w + padW, tile, overlap, margin, harmonise, progress is null ? null : (d, _) => progress(n + d, 2 * n));
        return (padH + padW == 0 ? recon : recon[.., ..(int)h, ..(int)w].contiguous()).MoveToOuterDisposeScope();
    }

    /// <summary>Per-tile offsets b_k (<paramref name="channels"/> values each) minimising Σ n·|d + b_k − b_l|² over
    /// <paramref name="pairs"/> (k, l, n = overlap positions, d·n = Σ over the overlap of tile k's values minus tile l's),
    /// the minimum-norm solution (Σ b_k = 0 on each connected group of tiles; an isolated tile gets 0): conjugate
    /// gradients on the graph Laplacian, per channel, to a relative residual of 1e-10.</summary>
    public static double[][] Offsets(int tiles, IReadOnlyList<(int K, int L, double N, double[] SumDifference)> pairs, int channels)
    {
        var b = new double[tiles][];
        for (int k = 0; k < tiles; k++) b[k] = new double[channels];
        for (int ch = 0; ch < channels; ch++)
        {
            // L b = rhs: for each pair, row k gets n(b_k − b_l) = −n·d, row l the opposite.
            var rhs = new double[tiles];
            foreach (var (k, l, _, s) in pairs) { rhs[k] -= s[ch]; rhs[l] += s[ch]; }
            double[] Apply(double[] v)
            {
                var y = new double[tiles];
                foreach (var (k, l, n, _) in pairs) { double f = n * (v[k] - v[l]); y[k] += f; y[l] -= f; }
                return y;
            }
            static double Dot(double[] a, double[] c) { double s = 0; for (int i = 0; i < a.Length; i++) s += a[i] * c[i]; return s; }
            var x = new double[tiles];
            var res = (double[])rhs.Clone();
            var dir = (double[])rhs.Clone();
            double rr = Dot(res, res), stop = 1e-20 * Math.Max(rr, 1e-300);
            for (int it = 0; it < 10 * tiles + 100 && rr > stop; it++)
            {
                var ad = Apply(dir);
                double dAd = Dot(dir, ad);
                if (dAd <= 0) break;
                double alpha = rr / dAd;
                for (int i = 0; i < tiles; i++) { x[i] += alpha * dir[i]; res[i] -= alpha * ad[i]; }
                double next = Dot(res, res);
                for (int i = 0; i < tiles; i++) dir[i] = res[i] + next / rr * dir[i];
                rr = next;
            }
            for (int k = 0; k < tiles; k++) b[k][ch] = x[k];
        }
        return b;
    }

    private static (long P, long H, long W) Check(IAutoencoder model, Tensor image, int tile, int overlap, int margin)
    {
        int p = model.PatchSize;
        if (model.AcceptsAnySize)
            throw new ViTokException($"tiling is for families with a fixed patch grid; {model.Family} {model.Variant} fits large images to its token budget instead.");
        if (model.TubeletSize != 1)
            throw new ViTokException($"tiling is for image models; {model.Variant} has temporal stride q = {model.TubeletSize}.");
        if (image.dim() != 3 || image.shape[0] != 3)
            throw new ViTokException($"expected an image [3, H, W], got [{string.Join(", ", image.shape)}]");
        if (tile % p != 0 || overlap % p != 0 || margin % p != 0 || tile < p || overlap < 0 || margin < 0 || 2 * margin >= tile || 2 * overlap > tile - 2 * margin)
            throw new ViTokException($"--tile-size {tile}, --tile-overlap {overlap} and --tile-margin {margin} must be multiples of the patch size {p}, " +
                                     "with twice the margin below the tile and the overlap at most half of what is left (tile − 2·margin).");
        return (p, image.shape[1], image.shape[2]);
    }

    private static List<(TileSpan R, TileSpan C)> Grid(IReadOnlyList<TileSpan> rows, IReadOnlyList<TileSpan> cols) =>
        [.. from r in rows from c in cols select (r, c)];

    // Blend weights [core h, core w, 1]: the product of the row and column weights (they sum to 1 over all tiles).
    private static Tensor Weights(TileSpan r, TileSpan c, Device device) =>
        torch.tensor(r.Weights, device: device).reshape(r.CoreLength, 1, 1) * torch.tensor(c.Weights, device: device).reshape(1, c.CoreLength, 1);

    // Pairs (k < l) of tiles whose cores overlap (side and corner neighbours).
    private static List<(int K, int L)> Neighbours(List<(TileSpan R, TileSpan C)> tiles) =>
        [.. from k in Enumerable.Range(0, tiles.Count) from l in Enumerable.Range(k + 1, tiles.Count - k - 1)
            where Area(tiles[k], tiles[l]) > 0 select (k, l)];

    private static (long R0, long R1, long C0, long C1) Intersection((TileSpan R, TileSpan C) a, (TileSpan R, TileSpan C) b) =>
        (Math.Max(a.R.CoreStart, b.R.CoreStart), Math.Min(a.R.CoreEnd, b.R.CoreEnd), Math.Max(a.C.CoreStart, b.C.CoreStart), Math.Min(a.C.CoreEnd, b.C.CoreEnd));

    private static double Area((TileSpan R, TileSpan C) a, (TileSpan R, TileSpan C) b)
    {
        var (r0, r1, c0, c1) = Intersection(a, b);
        return r1 > r0 && c1 > c0 ? (double)(r1 - r0) * (c1 - c0) : 0;
    }

    /// <summary>Blend weights along one axis of <paramref name="length"/> units: a raised-cosine ramp
    /// ½ − ½·cos(π(i + ½)/overlap), i = 0 … overlap − 1, at the start (when <paramref name="start"/>: a neighbour
    /// overlaps there) and mirrored at the end (when <paramref name="end"/>), 1 elsewhere; all ones when
    /// <paramref name="overlap"/> is 0. Used by the temporal chunks of <see cref="LatentCodec.ReconstructVideo"/>.</summary>
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
}
