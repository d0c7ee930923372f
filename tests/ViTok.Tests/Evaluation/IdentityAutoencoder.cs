using TorchSharp.Modules;
using ViTok.Models;

namespace ViTok.Tests.Evaluation;

/// <summary>Test double: an "auto-encoder" whose reconstruction is its input, to check the evaluator's metric path on
/// identical images.</summary>
public class IdentityAutoencoder : IAutoencoder
{
    private readonly nn.Module _module = nn.Identity();

    public bool ActivationCheckpointing { get; set; }

    public string Family => "identity";
    public string Variant => "identity";
    public int Channels => 3;
    public int PatchSize => 1;
    public int TubeletSize => 1;
    public nn.Module Module => _module;
    public bool AcceptsImages => true;
    public bool AcceptsVideos => true;
    public virtual bool AcceptsAnySize => true;
    public bool HasTokenBudget => false;
    public string LatentNormalization => "none (pixels)";

    // z = the pixels as tokens (p = 1, c = 3), deterministic.
    public virtual Latents Encode(Tensor x, int? tokenBudget = null)
    {
        bool image = x.dim() == 4;
        var v = image ? x.unsqueeze(2) : x;                                              // [B, 3, T, H, W]
        var z = v.flatten(2).transpose(1, 2).to(ScalarType.Float32).contiguous();        // [B, T·H·W, 3]
        var posterior = DiagonalGaussian.Deterministic(z);
        return new Latents(posterior.Mode(), posterior, new TokenGrid(v.shape[2], v.shape[3], v.shape[4], image), (v.shape[2], v.shape[3], v.shape[4]));
    }

    public Tensor Decode(Tensor z, TokenGrid grid)
    {
        var v = z.transpose(1, 2).reshape(z.shape[0], 3, grid.T, grid.H, grid.W);
        return grid.IsImage ? v.squeeze(2) : v;
    }
    public (Tensor Reconstruction, Tensor? Kl) TrainForward(Tensor x, Generator? generator) => (x.clone(), null);
    public Tensor Reconstruct(Tensor x) => x.clone();
    public IEnumerable<(string Name, Parameter Param)> EncoderParameters() => [];
    public IEnumerable<(string Name, Parameter Param)> DecoderParameters() => [];
    public long LatentFloats(long frames, long height, long width) => 3 * frames * height * width;
    public double Gmacs(long frames, long height, long width) => 0;
    public ViTok.Models.ModelInfo Info(long frames, long height, long width) => throw new NotSupportedException("test double");

    public ViTok.Models.MemoryEstimate Memory(long frames, long height, long width, long batch, int dtypeBytes) => throw new NotSupportedException("test double");

    public IReadOnlyDictionary<string, string> ModelMetadata() => new Dictionary<string, string>();
    public void Dispose()
    {
        _module.Dispose();
        GC.SuppressFinalize(this);
    }
}
