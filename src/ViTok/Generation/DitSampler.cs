using ViTok.Diffusion;
using ViTok.IO;
using ViTok.Models;
using ViTok.Models.Dit;

namespace ViTok.Generation;

/// <summary>Draws latents from a trained DiT and turns them into pixels: seeded noise (the whole batch drawn at once
/// on the CPU, so a sample depends only on the seed and its index), the process's sampler with classifier-free
/// guidance, division by the latent scale, and decoding through the tokenizer.</summary>
public static class DitSampler
{
    /// <summary>Raw tokenizer latents [n, L, c] (float32, CPU) for <paramref name="labels"/> (−1 or the null class for
    /// no class), guided with scale <paramref name="cfg"/> (1 = the conditional model alone, which is also what an
    /// unconditional DiT gets), in <paramref name="steps"/> sampler steps (null = the process's default). Runs in
    /// chunks of <paramref name="batchSize"/> under no_grad.</summary>
    public static Tensor Generate(Dit model, IDiffusionProcess process, LatentSpace space, IReadOnlyList<long> labels, double cfg, int? steps,
        long seed, int batchSize = 64, Action<int, int>? progress = null)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        int n = labels.Count;
        var device = model.parameters().First().device;
        var grid = space.GridShape;
        using var gen = new Generator((ulong)seed);
        var noise = torch.randn([n, space.Tokens, model.Config.Channels], ScalarType.Float32, generator: gen);   // [n, L, c]
        var y = torch.tensor(labels.Select(l => l < 0 || l >= model.Config.NumClasses ? model.NullClass : l).ToArray(), ScalarType.Int64);
        Denoiser den = (x, t, yy) => model.Forward(x, t, yy, grid);
        if (cfg != 1 && model.Config.NumClasses > 0) den = Guidance.Apply(den, model.NullClass, cfg);
        int k = steps ?? process.DefaultSampleSteps;
        var chunks = new List<Tensor>();
        for (int i = 0; i < n; i += batchSize)
        {
            int b = Math.Min(batchSize, n - i);
            int done = i;
            var z = process.Sample(den, noise.narrow(0, i, b).to(device), y.narrow(0, i, b).to(device), k,
                progress is null ? null : (s, total) => progress(done * total + s * b, n * total));
            chunks.Add((z.Over(space.Scale)).cpu());
        }
        return torch.cat(chunks).MoveToOuterDisposeScope();
    }

    /// <summary>Decodes raw latents [n, L, c] to pixels [n, 3, H, W] or [n, 3, T, H, W] (float32, CPU, clamped to
    /// [-1, 1]) in chunks of <paramref name="batchSize"/>.</summary>
    public static Tensor Decode(IAutoencoder tokenizer, Tensor z, LatentSpace space, int batchSize = 64)
    {
        using var scope = torch.NewDisposeScope();
        var device = tokenizer.Module.parameters().First().device;
        var grid = new TokenGrid(space.Grid[0], space.Grid[1], space.Grid[2], space.IsImage);
        var parts = new List<Tensor>();
        for (long i = 0; i < z.shape[0]; i += batchSize)
        {
            using var inner = torch.NewDisposeScope();
            var x = tokenizer.Decode(z.narrow(0, i, Math.Min(batchSize, z.shape[0] - i)).to(device), grid);
            parts.Add(x.clamp(Scalars.Of(-1), Scalars.Of(1)).cpu().MoveToOuterDisposeScope());
        }
        return torch.cat(parts).MoveToOuterDisposeScope();
    }

    /// <summary>Labels for a class grid: <paramref name="perClass"/> of each of the first <paramref name="classes"/>
    /// classes, class-major (0,0,…,1,1,…); with no classes, <paramref name="perClass"/> × −1.</summary>
    public static long[] GridLabels(int classes, int perClass) =>
        classes <= 0 ? [.. Enumerable.Repeat(-1L, perClass)] : [.. Enumerable.Range(0, classes).SelectMany(c => Enumerable.Repeat((long)c, perClass))];

    /// <summary>Writes a PNG grid: images [n, 3, H, W] in rows of <paramref name="columns"/>; clips [n, 3, T, H, W] as a
    /// frame strip, one clip per row, its frames left to right.</summary>
    public static void SaveGrid(Tensor pixels, int columns, string path)
    {
        using var scope = torch.NewDisposeScope();
        var rows = new List<Tensor>();
        if (pixels.dim() == 5)
            for (long i = 0; i < pixels.shape[0]; i++) rows.Add(pixels[i].permute(1, 0, 2, 3));           // [T, 3, H, W]
        else
            for (long i = 0; i < pixels.shape[0]; i += columns) rows.Add(pixels.narrow(0, i, Math.Min(columns, pixels.shape[0] - i)));
        ImageGrid.Save(rows, path);
    }
}
