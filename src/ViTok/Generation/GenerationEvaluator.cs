using ViTok.Data;
using ViTok.Diffusion;
using ViTok.IO;
using ViTok.Models;
using ViTok.Evaluation;
using DataLoader = ViTok.Data.DataLoader;

namespace ViTok.Generation;

/// <summary>Measures generated samples against real data with the evaluation's distances (paper §4.2's gFID; here
/// <c>fd_resnet18</c>, or <c>fid</c> with user-supplied Inception weights): class-balanced samples from the DiT
/// (EMA weights), decoded through the tokenizer, against real items prepared like the latents were (padded to the
/// same pixel size), overall and per class, through the evaluation's one generated-vs-real path
/// (<see cref="DistributionFeatures"/>: 8-bit quantisation, the same networks and float64 statistics as <c>vitok eval
/// --generated</c>). Videos are compared frame by frame.</summary>
public static class GenerationEvaluator
{
    /// <summary>Runs the evaluation.</summary>
    /// <exception cref="ViTokException">Fewer than 2 samples are asked for, or the real items do not match the generator's size.</exception>
    public static GenerationEvalReport Run(DitCheckpoint.Contents generator, IAutoencoder tokenizer, IDataSource real, GenerationEvalOptions options,
        Action<string>? log = null)
    {
        using var scope = torch.NewDisposeScope();
        var space = generator.Space;
        var process = generator.Diffusion.CreateProcess();
        int steps = options.Steps ?? process.DefaultSampleSteps;
        int classes = generator.Model.Config.NumClasses;
        int n = options.Samples;
        if (n < 2) throw new ViTokException("--n must be at least 2 (a covariance needs two samples).");
        int nReal = options.RealSamples > 0 ? options.RealSamples : n;
        using var fe = DistributionFeatures.Create(options.FidWeights, generator.Model.parameters().First().device);

        log?.Invoke($"real: {nReal} items of {real.Location}");
        var (realPixels, realLabels) = LoadReal(real, space, nReal, options.Seed, options.BatchSize);
        var realFeatures = fe.Features(realPixels);
        realPixels.Dispose();

        var labels = classes > 0 ? Enumerable.Range(0, n).Select(i => (long)(i % classes)).ToArray() : [.. Enumerable.Repeat(-1L, n)];
        log?.Invoke($"generating {n} samples ({process.Kind}, {steps} steps, cfg {options.Cfg})");
        var z = DitSampler.Generate(generator.Model, process, space, labels, options.Cfg, steps, options.Seed, options.BatchSize);
        var pixels = DitSampler.Decode(tokenizer, z, space, options.BatchSize);
        var genFeatures = fe.Features(pixels);
        double overall = DistributionFeatures.Distance(genFeatures, realFeatures);

        var perClass = new Dictionary<string, double>();
        if (options.PerClass && classes > 0)
        {
            int framesPer = space.IsImage ? 1 : space.InputSize[0];
            for (int c = 0; c < classes; c++)
            {
                var g = Rows(genFeatures, labels, c, framesPer);
                var r = Rows(realFeatures, realLabels, c, framesPer);
                if (g is null || r is null) continue;
                string name = c < space.Classes.Count ? space.Classes[c] : c.ToString(System.Globalization.CultureInfo.InvariantCulture);
                perClass[name] = DistributionFeatures.Distance(g, r);
            }
        }
        return new GenerationEvalReport(fe.Key, overall, perClass, n, (int)realLabels.Length, options.Cfg, steps, process.Kind);
    }

    // Feature rows of class c (each sample contributes framesPer rows); null when fewer than 2 samples.
    private static Tensor? Rows(Tensor features, long[] labels, int c, int framesPer)
    {
        var idx = labels.Select((l, i) => (l, i)).Where(x => x.l == c).SelectMany(x => Enumerable.Range(x.i * framesPer, framesPer)).Select(i => (long)i).ToArray();
        if (idx.Length < 2 * framesPer) return null;
        return features.index_select(0, torch.tensor(idx));
    }

    /// <summary>The first <paramref name="count"/> items of <paramref name="source"/> in a seeded shuffled order, padded
    /// (centred, black) to the latent space's pixel size: pixels [n, 3, (T,) H, W] and labels.</summary>
    /// <exception cref="ViTokException">The real items are larger than, or have other frames than, the latent space's input, or fewer than 2 are readable.</exception>
    public static (Tensor Pixels, long[] Labels) LoadReal(IDataSource source, LatentSpace space, int count, long seed, int batchSize = 64, long skip = 0)
    {
        using var scope = torch.NewDisposeScope();
        var loader = new DataLoader(source, new DataLoaderOptions { BatchSize = batchSize, Seed = (ulong)seed, Shuffle = true, Workers = 2 });
        var pixels = new List<Tensor>();
        var labels = new List<long>();
        foreach (var (sample, _) in loader.Samples(0, skip))
        {
            var x = sample.ToTensor().unsqueeze(0);
            if (x.shape[^2] != space.InputSize[1] || x.shape[^1] != space.InputSize[2])
            {
                if (space.InputSize[1] != space.InputSize[2] || x.shape[^2] > space.InputSize[1] || x.shape[^1] > space.InputSize[2])
                    throw new ViTokException($"{sample.Source}: real items are {x.shape[^1]}x{x.shape[^2]}, the generator makes {space.InputSize[2]}x{space.InputSize[1]}; give --size so they match.");
                x = LatentDatasetEncoder.Pad(x, space.InputSize[1]);
            }
            if (!space.IsImage && (x.dim() != 5 || x.shape[2] != space.InputSize[0]))
                throw new ViTokException($"{sample.Source}: real clips must have {space.InputSize[0]} frames like the latents; give --frames {space.InputSize[0]}.");
            pixels.Add(x);
            labels.Add(sample.Label);
            if (pixels.Count == count) break;
        }
        if (pixels.Count < 2) throw new ViTokException($"{source.Location}: fewer than 2 readable real items.");
        return (torch.cat(pixels).MoveToOuterDisposeScope(), labels.ToArray());
    }
}
