using ViTok.Layers;

namespace ViTok.Models.Dit;

/// <summary>DiT's timestep embedder (mirrors <c>models.py: TimestepEmbedder</c>): a sinusoidal embedding of the
/// (possibly fractional) timestep, cosines first, then an MLP <c>Linear(256 → W) – SiLU – Linear(W → W)</c> (keys
/// <c>mlp.0</c>, <c>mlp.2</c>). t [B] → [B, W].</summary>
public sealed class TimestepEmbedding : nn.Module<Tensor, Tensor>
{
    /// <summary>Width of the sinusoidal embedding (DiT: 256).</summary>
    public const int DefaultFrequencyDim = 256;

    private readonly Sequential mlp;
    private readonly int _frequencyDim;
    private readonly double _maxPeriod;

    /// <summary>Creates the embedder for model width <paramref name="width"/>.</summary>
    public TimestepEmbedding(int width, int frequencyDim = DefaultFrequencyDim, double maxPeriod = 10000.0) : base(nameof(TimestepEmbedding))
    {
        _frequencyDim = frequencyDim;
        _maxPeriod = maxPeriod;
        mlp = nn.Sequential(nn.Linear(frequencyDim, width), nn.SiLU(), nn.Linear(width, width));
        RegisterComponents();
    }

    /// <summary>[cos(t·ω_k), sin(t·ω_k)] with ω_k = maxPeriod^(−k/half), k = 0 … half − 1; float32 [B, dim] (a zero
    /// column is appended when dim is odd).</summary>
    public static Tensor Sinusoidal(Tensor t, int dim, double maxPeriod = 10000.0)
    {
        int half = dim / 2;
        var k = torch.arange(Scalars.Of(0), Scalars.Of(half), Scalars.One, ScalarType.Float32, t.device);
        var freqs = torch.exp(k.Times((-Math.Log(maxPeriod) / half)));                    // [half]
        var args = t.to(ScalarType.Float32).unsqueeze(1) * freqs.unsqueeze(0);       // [B, half]
        var emb = torch.cat([args.cos(), args.sin()], dim: -1);                      // [B, 2·half]
        return dim % 2 == 1 ? torch.cat([emb, torch.zeros_like(emb[.., ..1])], dim: -1) : emb;
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor t)
    {
        var dtype = mlp.parameters().First().dtype;
        return mlp.call(Sinusoidal(t, _frequencyDim, _maxPeriod).to(dtype));        // [B, W]
    }
}
