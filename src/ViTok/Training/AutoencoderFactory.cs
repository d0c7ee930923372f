using ViTok.IO;
using ViTok.Models;

namespace ViTok.Training;

/// <summary>Builds or loads the auto-encoder a run config names, for either family.</summary>
public static class AutoencoderFactory
{
    /// <summary>A randomly initialised model of the config's family and variant (seeded by the caller).</summary>
    public static IAutoencoder Create(TrainConfig c) => c.Family switch
    {
        "paper" => new PaperAutoencoder(PaperConfig.FromVariant(c.Variant, c.Channels)),
        _ => throw new ViTokException($"family '{c.Family}' cannot be trained yet; expected paper"),
    };

    /// <summary>Loads a checkpoint (a model file or a training state) of any family.</summary>
    public static IAutoencoder Load(string path, Device? device = null) => PaperCheckpoint.Load(path, device);
}
