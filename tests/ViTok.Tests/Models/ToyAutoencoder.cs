using TorchSharp.Modules;
using ViTok.Models;

namespace ViTok.Tests.Models;

/// <summary>A third model family for the contract tests, written against <see cref="IAutoencoder"/> alone: z is the
/// per-patch channel mean (p = 2, c = 3) with a fixed log-variance −2, decoding repeats each token over its patch. Its
/// size rule (H, W multiples of p) makes <see cref="LatentCodec"/> pad and crop for it.</summary>
public sealed class ToyAutoencoder : IAutoencoder
{
    private readonly nn.Module _module = nn.Sequential();
    public const double LogVariance = -2.0;
    public string Family => "toy";
    public string Variant => "mean2";
    public int Channels => 3;
    public int PatchSize => 2;
    public int TubeletSize => 1;
    public bool AcceptsImages => true;
    public bool AcceptsVideos => false;
    public bool AcceptsAnySize => false;
    public bool HasTokenBudget => false;
    public string LatentNormalization => "none (patch mean)";
    public bool ActivationCheckpointing { get; set; }
    public nn.Module Module => _module;

    public Latents Encode(Tensor x, int? tokenBudget = null)
    {
        if (tokenBudget is not null) throw new ArgumentException("no token budget", nameof(tokenBudget));
        if (x.dim() != 4 || x.shape[2] % 2 != 0 || x.shape[3] % 2 != 0) throw new ViTokException($"toy: bad input [{string.Join(", ", x.shape)}]");
        using var scope = torch.NewDisposeScope();
        long b = x.shape[0], h = x.shape[2] / 2, w = x.shape[3] / 2;
        var mean = F.avg_pool2d(x.to(ScalarType.Float32), 2).flatten(2).transpose(1, 2).contiguous();   // [B, h·w, 3]
        var posterior = new DiagonalGaussian(mean.MoveToOuterDisposeScope(), torch.full_like(mean, LogVariance).MoveToOuterDisposeScope());
        return new Latents(posterior.Mode().MoveToOuterDisposeScope(), posterior, new TokenGrid(1, h, w, true), (1, x.shape[2], x.shape[3]));
    }

    public Tensor Decode(Tensor z, TokenGrid grid)
    {
        if (z.dim() != 3 || z.shape[1] != grid.Tokens || z.shape[2] != 3) throw new ViTokException("toy: latents do not fit the grid");
        using var scope = torch.NewDisposeScope();
        var image = z.to(ScalarType.Float32).transpose(1, 2).reshape(z.shape[0], 3, grid.H, grid.W);     // [B, 3, h, w]
        return image.repeat_interleave(2, 2).repeat_interleave(2, 3).MoveToOuterDisposeScope();        // [B, 3, 2h, 2w]
    }

    public (Tensor Reconstruction, Tensor? Kl) TrainForward(Tensor x, Generator? generator)
    {
        using var latents = Encode(x);
        return (Decode(latents.Posterior.Sample(generator), latents.Grid), latents.Posterior.Kl());
    }

    public Tensor Reconstruct(Tensor x)
    {
        using var latents = Encode(x);
        return Decode(latents.Z, latents.Grid);
    }

    public IEnumerable<(string Name, Parameter Param)> EncoderParameters() => [];
    public IEnumerable<(string Name, Parameter Param)> DecoderParameters() => [];
    public long LatentFloats(long frames, long height, long width) => height / 2 * (width / 2) * 3;
    public double Gmacs(long frames, long height, long width) => 0;
    public ViTok.Models.ModelInfo Info(long frames, long height, long width) => throw new NotSupportedException("test double");

    public ViTok.Models.MemoryEstimate Memory(long frames, long height, long width, long batch, int dtypeBytes) => throw new NotSupportedException("test double");

    public IReadOnlyDictionary<string, string> ModelMetadata() => new Dictionary<string, string> { ["family"] = Family };
    public void Dispose() => _module.Dispose();
}
