using TorchSharp.Modules;
using ViTok.Models;

namespace ViTok.Tests.Evaluation;

/// <summary>Test double: an "auto-encoder" whose reconstruction is its input, to check the evaluator's metric path on
/// identical images.</summary>
public sealed class IdentityAutoencoder : IAutoencoder
{
    private readonly nn.Module _module = nn.Identity();

    public bool ActivationCheckpointing { get; set; }

    public string Family => "identity";
    public string Variant => "identity";
    public int Channels => 3;
    public int PatchSize => 1;
    public int TubeletSize => 1;
    public nn.Module Module => _module;
    public (Tensor Reconstruction, Tensor? Kl) TrainForward(Tensor x, Generator? generator) => (x.clone(), null);
    public Tensor Reconstruct(Tensor x) => x.clone();
    public IEnumerable<(string Name, Parameter Param)> EncoderParameters() => [];
    public IEnumerable<(string Name, Parameter Param)> DecoderParameters() => [];
    public long LatentFloats(long frames, long height, long width) => 3 * frames * height * width;
    public double Gmacs(long frames, long height, long width) => 0;
    public IReadOnlyDictionary<string, string> ModelMetadata() => new Dictionary<string, string>();
    public void Dispose() => _module.Dispose();
}
