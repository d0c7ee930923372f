using TorchSharp.Modules;
using ViTok.Models;

namespace ViTok.Tests.Models;

/// <summary>Test double for tiling: a fixed-grid "auto-encoder" (p = 1, c = 3) whose latents are the pixels plus the mean
/// colour of the whole input it is given, z = x + mean(x), and whose decoder is the identity. It is the simplest model
/// with a global-context term, the effect that makes a tile's latents differ from the untiled ones everywhere inside the
/// tile (see <see cref="Tiling"/>).</summary>
public sealed class GlobalMeanAutoencoder : IAutoencoder
{
    private readonly nn.Module _module = nn.Identity();

    public bool ActivationCheckpointing { get; set; }
    public string Family => "global-mean";
    public string Variant => "global-mean";
    public int Channels => 3;
    public int PatchSize => 1;
    public int TubeletSize => 1;
    public nn.Module Module => _module;
    public bool AcceptsImages => true;
    public bool AcceptsVideos => false;
    public bool AcceptsAnySize => false;
    public bool HasTokenBudget => false;
    public string LatentNormalization => "none (pixels plus their mean)";

    public Latents Encode(Tensor x, int? tokenBudget = null)
    {
        var z = (x + x.mean([2L, 3L], keepdim: true)).flatten(2).transpose(1, 2).contiguous();   // [B, H·W, 3]
        var posterior = DiagonalGaussian.Deterministic(z);
        return new Latents(posterior.Mode(), posterior, new TokenGrid(1, x.shape[2], x.shape[3], true), (1, x.shape[2], x.shape[3]));
    }

    public Tensor Decode(Tensor z, TokenGrid grid) => z.transpose(1, 2).reshape(z.shape[0], 3, grid.H, grid.W);
    public (Tensor Reconstruction, Tensor? Kl) TrainForward(Tensor x, Generator? generator) => throw new NotSupportedException("test double");
    public Tensor Reconstruct(Tensor x) => throw new NotSupportedException("test double");
    public IEnumerable<(string Name, Parameter Param)> EncoderParameters() => [];
    public IEnumerable<(string Name, Parameter Param)> DecoderParameters() => [];
    public long LatentFloats(long frames, long height, long width) => 3 * height * width;
    public double Gmacs(long frames, long height, long width) => 0;
    public ViTok.Models.ModelInfo Info(long frames, long height, long width) => throw new NotSupportedException("test double");
    public ViTok.Models.MemoryEstimate Memory(long frames, long height, long width, long batch, int dtypeBytes) => throw new NotSupportedException("test double");
    public IReadOnlyDictionary<string, string> ModelMetadata() => new Dictionary<string, string>();
    public void Dispose() => _module.Dispose();
}
