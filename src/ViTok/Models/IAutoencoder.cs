namespace ViTok.Models;

/// <summary>What the trainer, evaluator and CLI need from an auto-encoder of either family. Inputs are images
/// [B, 3, H, W] or videos [B, 3, T, H, W] in [-1, 1].</summary>
public interface IAutoencoder : IDisposable
{
    /// <summary>Family tag ("paper" or "v2").</summary>
    string Family { get; }

    /// <summary>Canonical variant string.</summary>
    string Variant { get; }

    /// <summary>Latent channels per token.</summary>
    int Channels { get; }

    /// <summary>Spatial patch size.</summary>
    int PatchSize { get; }

    /// <summary>Temporal tubelet size (1 for image models).</summary>
    int TubeletSize { get; }

    /// <summary>Recompute each transformer block in the backward pass instead of storing its activations.</summary>
    bool ActivationCheckpointing { get; set; }

    /// <summary>The underlying module (for device/dtype moves, train/eval mode, state dicts).</summary>
    nn.Module Module { get; }

    /// <summary>Training pass with autograd: reconstruction (input's shape) and the KL term (null when the family is
    /// deterministic).</summary>
    (Tensor Reconstruction, Tensor? Kl) TrainForward(Tensor x, Generator? generator);

    /// <summary>Deterministic reconstruction (no_grad, own dispose scope).</summary>
    Tensor Reconstruct(Tensor x);

    /// <summary>Named parameters of the encoder side (frozen in stage 2).</summary>
    IEnumerable<(string Name, Parameter Param)> EncoderParameters();

    /// <summary>Named parameters of the decoder side.</summary>
    IEnumerable<(string Name, Parameter Param)> DecoderParameters();

    /// <summary>Latent floats E per sample of the given size.</summary>
    long LatentFloats(long frames, long height, long width);

    /// <summary>GMACs per sample (encoder + decoder) at the given size.</summary>
    double Gmacs(long frames, long height, long width);

    /// <summary>Metadata that rebuilds the model (family, config JSON).</summary>
    IReadOnlyDictionary<string, string> ModelMetadata();
}
