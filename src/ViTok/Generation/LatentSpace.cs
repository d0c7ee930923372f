using System.Text.Json;
using ViTok.IO;
using ViTok.Models;

namespace ViTok.Generation;

/// <summary>Everything a generator needs to know about the latents it models: the tokenizer's latent contract, the
/// token grid (T, H, W) and the pixel size the latents decode to, where the tokenizer checkpoint is, the class names,
/// how the data was prepared, and the latent normalisation the DiT works in (z_dit = <see cref="Scale"/>·z; 1 = none,
/// as in the paper). Stored as JSON in latent shards (with <see cref="Scale"/> = 1) and in DiT checkpoints.</summary>
public sealed record LatentSpace
{
    /// <summary>The tokenizer's latent contract (family, variant, p, q, c, its own normalisation).</summary>
    public LatentFile.Contract Contract { get; init; } = new("paper", "", 1, 1, 1, "none (posterior mean)");

    /// <summary>Token grid [T, H, W] (T = 1 for images).</summary>
    public int[] Grid { get; init; } = [1, 1, 1];

    /// <summary>True when the latents decode to images [3, H, W], false for clips [3, T, H, W].</summary>
    public bool IsImage { get; init; } = true;

    /// <summary>Pixel size [frames, height, width] the tokenizer saw (frames = 1 for images).</summary>
    public int[] InputSize { get; init; } = [1, 1, 1];

    /// <summary>Absolute path of the tokenizer checkpoint the latents came from.</summary>
    public string Tokenizer { get; init; } = "";

    /// <summary>Class names, index = label; empty for unlabelled data.</summary>
    public IReadOnlyList<string> Classes { get; init; } = [];

    /// <summary>The data source (location).</summary>
    public string Source { get; init; } = "";

    /// <summary>How the pixels were prepared before encoding (resize, crop, padding).</summary>
    public string Preprocessing { get; init; } = "";

    /// <summary>"mean+logvar" (paper family: the posterior's moments are stored, samples are drawn in training) or
    /// "deterministic" (ViTok-v2).</summary>
    public string Posterior { get; init; } = "mean+logvar";

    /// <summary>Latent normalisation of the DiT: it models Scale·z (1/std of the training latents, SD-style, or 1).</summary>
    public double Scale { get; init; } = 1.0;

    /// <summary>The grid as a tuple.</summary>
    public (long T, long H, long W) GridShape => (Grid[0], Grid[1], Grid[2]);

    /// <summary>Tokens per sample, T·H·W.</summary>
    public int Tokens => Grid[0] * Grid[1] * Grid[2];

    /// <summary>Serialises to compact snake_case JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json.Compact);

    /// <summary>Parses the JSON written by <see cref="ToJson"/>; <paramref name="source"/> names the file in errors.</summary>
    /// <exception cref="ViTokException">The description is damaged; the message names <paramref name="source"/>.</exception>
    public static LatentSpace FromJson(string json, string source)
    {
        try
        {
            var s = JsonSerializer.Deserialize<LatentSpace>(json, Json.Options) ?? throw new JsonException("empty");
            if (s.Grid.Length != 3 || s.InputSize.Length != 3) throw new JsonException("grid and input_size need 3 numbers");
            return s;
        }
        catch (JsonException e)
        {
            throw new ViTokException($"{source}: damaged latent-space description in the metadata ({e.Message}).", e);
        }
    }
}
