using ViTok.Data;
using ViTok.IO;
using ViTok.Models;
using ViTok.Models.Paper;

namespace ViTok.Tests.Generation;

/// <summary>Small labelled images and random tiny tokenizers for the generation tests.</summary>
internal static class GenerationFixtures
{
    /// <summary>A random (untrained) paper-family tokenizer written to <paramref name="path"/>.</summary>
    public static string Tokenizer(string path, string variant = "Sw32d1h2-Bw32d1h2/4", int channels = 4, int seed = 1)
    {
        torch.manual_seed(seed);
        using var model = new PaperAutoencoder(PaperConfig.FromVariant(variant, channels));
        PaperCheckpoint.Save(model, path);
        return path;
    }

    /// <summary><paramref name="count"/> 12×12 images in 3 classes (a bright square whose place depends on the class).</summary>
    public sealed class LabelledSquares(int count) : IDataset
    {
        public string Location => $"squares({Count})";
        public string Kind => "images";
        public IReadOnlyList<string> Classes => ["left", "middle", "right"];
        public int Count { get; } = count;
        public string SourceOf(int index) => $"{Location}#{index}";

        public Sample Get(int index, DataRng rng)
        {
            int label = index % 3;
            var px = new float[3 * 12 * 12];
            Array.Fill(px, -1f);
            for (int ch = 0; ch < 3; ch++)
            for (int y = 4; y < 8; y++)
            for (int x = 4 * label; x < 4 * label + 4; x++)
                px[ch * 144 + y * 12 + x] = 0.5f + 0.01f * (index % 7);
            return new Sample(px, 0, 12, 12, label, SourceOf(index));
        }
    }
}
