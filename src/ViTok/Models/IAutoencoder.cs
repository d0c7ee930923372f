namespace ViTok.Models;

/// <summary>The auto-encoder contract every family implements (paper, ViTok-v2, …): <see cref="Encode"/> pixels to
/// <see cref="Latents"/> (z, the posterior, the token grid) and <see cref="Decode"/> z on a grid back to pixels, the
/// training pass, and the capabilities a caller needs (images/videos, size rule, token budget, latent normalisation).
/// Callers never test the concrete type: per-image padding, cropping and budgets live in <see cref="LatentCodec"/>,
/// which only calls this interface, so a new family implements this interface and nothing else. Inputs are images
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

    /// <summary>True when <see cref="Encode"/> takes image batches [B, 3, H, W] (the paper family with q = 1, ViTok-v2).</summary>
    bool AcceptsImages { get; }

    /// <summary>True when <see cref="Encode"/> takes video batches [B, 3, T, H, W] (the paper family; ViTok-v2: no).</summary>
    bool AcceptsVideos { get; }

    /// <summary>True when <see cref="Encode"/> takes any height and width, padding inside the family (ViTok-v2's NaFlex
    /// pads with zeros); false when H and W must be multiples of <see cref="PatchSize"/> and T of
    /// <see cref="TubeletSize"/> (the paper family; <see cref="LatentCodec"/> pads by edge replication and crops back).</summary>
    bool AcceptsAnySize { get; }

    /// <summary>True when <see cref="Encode"/> takes a token budget (ViTok-v2: images over it are shrunk, the sequence is
    /// padded to it); false when the family has none (the paper family).</summary>
    bool HasTokenBudget { get; }

    /// <summary>The latent normalisation z carries, as written into latent contracts (paper: <c>none (posterior
    /// mean)</c>; ViTok-v2: <c>per-token layernorm (affine-free, eps 1e-6)</c>).</summary>
    string LatentNormalization { get; }

    /// <summary>True when the family has a sliding-window attention for large inputs (ViTok-v2: the reference's 1-D
    /// window over the raster-order tokens); false otherwise (the paper family tiles instead, see <see cref="Tiling"/>).</summary>
    bool HasAttentionWindow => false;

    /// <summary>Sliding-window half-width sw in tokens of every attention layer (key j visible to query i iff
    /// |i − j| ≤ sw); 0 (the default) is full attention. Only families with <see cref="HasAttentionWindow"/> take a
    /// nonzero value.</summary>
    /// <exception cref="ViTokException">A nonzero window on a family without one, or a negative window.</exception>
    int AttentionWindow
    {
        get => 0;
        set
        {
            if (value != 0)
                throw new ViTokException($"--window is for ViTok-v2 models; {Family} {Variant} has no windowed attention (large paper-family images are tiled: --tile).");
        }
    }

    /// <summary>Recompute each transformer block in the backward pass instead of storing its activations.</summary>
    bool ActivationCheckpointing { get; set; }

    /// <summary>The underlying module (for device/dtype moves, train/eval mode, state dicts).</summary>
    nn.Module Module { get; }

    /// <summary>Training pass with autograd: reconstruction (input's shape) and the KL term (null when the family is
    /// deterministic).</summary>
    (Tensor Reconstruction, Tensor? Kl) TrainForward(Tensor x, Generator? generator);

    /// <summary>Encodes a batch (no_grad, own dispose scope): images [B, 3, H, W] or videos [B, 3, T, H, W] in [-1, 1]
    /// to <see cref="Latents"/> with z = the posterior's mode [B, N, c] float32 on the grid of the input.
    /// <paramref name="tokenBudget"/> (only when <see cref="HasTokenBudget"/>): images needing more tokens are shrunk
    /// to fit and the sequence is padded to N = budget; null encodes at the given size with N = grid tokens.</summary>
    /// <exception cref="ViTokException">The input's rank, channels or size do not fit the model (names the fix).</exception>
    /// <exception cref="ArgumentException">A token budget is given to a family without one.</exception>
    Latents Encode(Tensor x, int? tokenBudget = null);

    /// <summary>Decodes latents z [B, grid.Tokens, c] (any float dtype; raster order on <paramref name="grid"/>) to
    /// pixels float32 in about [-1, 1] (no_grad, own dispose scope): [B, 3, H·p, W·p] for an image grid,
    /// [B, 3, T·q, H·p, W·p] for a video grid; the caller crops to <see cref="Latents.ProcessedSize"/>.</summary>
    /// <exception cref="ViTokException">z does not fit the grid and the model's channels, or the grid is of a kind
    /// the model does not decode.</exception>
    Tensor Decode(Tensor z, TokenGrid grid);

    /// <summary>Size and cost figures at T×H×W (tokens, latent floats E, parameters and GMACs of encoder and decoder):
    /// what <c>vitok info</c> prints and the study reports.</summary>
    ModelInfo Info(long frames, long height, long width);

    /// <summary>Estimated memory of encode, decode and a training step at T×H×W and batch <paramref name="batch"/>
    /// with parameters of <paramref name="dtypeBytes"/> bytes (4 float32, 2 bfloat16): the cost model behind
    /// <c>vitok info --memory</c> and <c>reconstruct --tile auto</c>.</summary>
    MemoryEstimate Memory(long frames, long height, long width, long batch, int dtypeBytes);

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
