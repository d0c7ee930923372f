using ViTok.Data;
using ViTok.IO;
using ViTok.Models.Paper;

namespace ViTok.Models.V2;

/// <summary>The <see cref="IAutoencoder"/> side of ViTok-v2: dense image batches [B, 3, H, W] as full patch grids
/// (zero-padded inside to the patch multiple), or shrunk and padded to a token budget, so the trainer, evaluator, CLI
/// and generator treat every family alike.</summary>
public sealed partial class V2Autoencoder
{
    /// <inheritdoc />
    public bool ActivationCheckpointing { get; set; }

    /// <inheritdoc />
    public bool HasAttentionWindow => true;

    /// <inheritdoc />
    /// <remarks>Set on every encoder and decoder block; 0 keeps today's exact full-attention path.</remarks>
    public int AttentionWindow
    {
        get;
        set
        {
            if (value < 0) throw new ViTokException($"--window {value}: the attention window must be 0 (off) or a positive number of tokens.");
            foreach (var block in (encoder_blocks ?? []).Concat(decoder_blocks ?? []))
                block.Window = value;
            field = value;
        }
    }

    /// <inheritdoc />
    public string Family => Config.Family;

    /// <inheritdoc />
    public string Variant => Config.ToString();

    /// <inheritdoc />
    public int Channels => Config.Channels;

    /// <inheritdoc />
    public int PatchSize => Config.PatchSize;

    /// <inheritdoc />
    public int TubeletSize => Config.TemporalStride;

    /// <inheritdoc />
    public nn.Module Module => this;

    /// <inheritdoc />
    public bool AcceptsImages => Config.TemporalStride == 1;

    /// <inheritdoc />
    public bool AcceptsVideos => false;

    /// <inheritdoc />
    public bool AcceptsAnySize => true;

    /// <inheritdoc />
    public bool HasTokenBudget => true;

    /// <inheritdoc />
    public string LatentNormalization => "per-token layernorm (affine-free, eps 1e-6)";

    /// <inheritdoc />
    Latents IAutoencoder.Encode(Tensor x, int? tokenBudget)
    {
        using var scope = torch.NewDisposeScope();
        // Same-size images: one processed size and grid for the whole batch.
        var batch = tokenBudget is int budget ? NaFlex.Patchify(ImagesOf(x), Config.PatchSize, budget) : DenseBatch(x.to(ScalarType.Float32));
        var z = Encode(batch);                                                          // [B, N, c] float32
        var (ph, pw) = batch.Sizes()[0];
        long p = Config.PatchSize;
        var grid = new TokenGrid(1, (ph + p - 1) / p, (pw + p - 1) / p, IsImage: true);
        var posterior = DiagonalGaussian.Deterministic(z.MoveToOuterDisposeScope());
        return new Latents(posterior.Mode().MoveToOuterDisposeScope(), posterior, grid, (1, ph, pw));
    }

    /// <inheritdoc />
    Tensor IAutoencoder.Decode(Tensor z, TokenGrid grid)
    {
        RequireImages();
        if (!grid.IsImage || grid.T != 1)
            throw new ViTokException($"ViTok-v2 decodes image grids (T = 1), got {grid}.");
        if (z.dim() != 3 || z.shape[1] != grid.Tokens || z.shape[2] != Config.Channels)
            throw new ViTokException($"expected latents [B, {grid.Tokens}, {Config.Channels}] for grid {grid.T}×{grid.H}×{grid.W}, got [{string.Join(", ", z.shape)}]");
        using var scope = torch.NewDisposeScope();
        int p = Config.PatchSize;
        long b = z.shape[0], n = grid.Tokens;
        var rows = torch.arange(Scalars.Of(0), Scalars.Of(n), Scalars.One, dtype: ScalarType.Int64).div(Scalars.Of(grid.W), RoundingMode.floor).unsqueeze(0).expand(b, n);
        var cols = torch.arange(Scalars.Of(0), Scalars.Of(n), Scalars.One, dtype: ScalarType.Int64).remainder(Scalars.Of(grid.W)).unsqueeze(0).expand(b, n);
        var layout = new PatchBatch(torch.zeros(b, n, 3 * p * p), torch.ones([b, n], ScalarType.Bool), rows.contiguous(), cols.contiguous(),
            torch.full([b], Scalars.Of(grid.H * p), ScalarType.Int64), torch.full([b], Scalars.Of(grid.W * p), ScalarType.Int64), p);
        var patches = Decode(z.to(ScalarType.Float32), layout);                         // [B, N, 3p²]
        return NaFlex.Unpatchify(patches, layout).MoveToOuterDisposeScope();            // [B, 3, H·p, W·p]
    }

    // The images of a batch [B, 3, H, W] as a list of [3, H, W] views.
    private List<Tensor> ImagesOf(Tensor x)
    {
        RequireImages();
        if (x.dim() != 4 || x.shape[1] != 3)
            throw new ViTokException($"ViTok-v2 takes images [B, 3, H, W]; got [{string.Join(", ", x.shape)}]");
        return Enumerable.Range(0, (int)x.shape[0]).Select(i => x[i]).ToList();
    }

    private PatchBatch DenseBatch(Tensor x)
    {
        var images = ImagesOf(x);
        long h = x.shape[2], w = x.shape[3], p = Config.PatchSize;
        int tokens = (int)(((h + p - 1) / p) * ((w + p - 1) / p));
        return NaFlex.Patchify(images, Config.PatchSize, tokens, resize: false);
    }

    /// <inheritdoc />
    public (Tensor Reconstruction, Tensor? Kl) TrainForward(Tensor x, Generator? generator)
    {
        var batch = DenseBatch(x.to(ScalarType.Float32));
        var patches = forward(batch.WithPatches(batch.Patches.to(x.dtype)));           // [B, N, 3p²]
        var canvas = NaFlex.Unpatchify(patches, batch);                                 // [B, 3, H', W']
        return (canvas.narrow(2, 0, x.shape[2]).narrow(3, 0, x.shape[3]), null);        // deterministic: no KL
    }

    /// <inheritdoc />
    public Tensor Reconstruct(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var (recon, _) = TrainForward(x, null);
        return recon.to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    IEnumerable<(string Name, Parameter Param)> IAutoencoder.EncoderParameters() =>
        named_parameters().Where(p => IsEncoderKey(p.name));

    /// <inheritdoc />
    IEnumerable<(string Name, Parameter Param)> IAutoencoder.DecoderParameters() =>
        named_parameters().Where(p => IsDecoderKey(p.name));

    /// <inheritdoc />
    public long LatentFloats(long frames, long height, long width) => Tokens(height, width) * Config.Channels;

    /// <inheritdoc />
    public double Gmacs(long frames, long height, long width) => Config.GMacsPerSample((int)Tokens(height, width));

    private long Tokens(long height, long width)
    {
        long p = Config.PatchSize;
        return ((height + p - 1) / p) * ((width + p - 1) / p);
    }

    /// <inheritdoc />
    public ModelInfo Info(long frames, long height, long width) => ModelInfo.ForV2(Config, height, width);

    /// <inheritdoc />
    public MemoryEstimate Memory(long frames, long height, long width, long batch, int dtypeBytes) =>
        MemoryEstimate.ForV2(Config, height, width, batch, dtypeBytes);

    /// <inheritdoc />
    public IReadOnlyDictionary<string, string> ModelMetadata() => new Dictionary<string, string>
    {
        [PaperCheckpoint.FormatKey] = PaperCheckpoint.Format,
        [PaperCheckpoint.FamilyKey] = Config.Family,
        ["variant"] = Config.ToString(),
    };

    /// <summary>Loads a single-file ViTok.NET v2 checkpoint (a model export or a training state; the variant comes from
    /// <paramref name="variant"/> or the file's metadata).</summary>
    public static V2Autoencoder FromFile(string path, string? variant = null, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var header = Safetensors.ReadHeader(path);
        string v = variant ?? (header.Metadata.TryGetValue("variant", out var mv) ? mv
            : throw new ViTokException($"{path}: no variant in the metadata; pass --variant (e.g. Ld4-Ld24/1x16x64)."));
        var config = V2Config.FromVariant(V2Pretrained.TryGet(v)?.Variant ?? v);
        var model = new V2Autoencoder(config, V2Parts.Both, device, dtype);
        using var scope = torch.NewDisposeScope();
        var (all, meta) = Safetensors.Read(path);
        var weights = StateDictSections.ModelWeights(all, meta).ToDictionary(kv => NormalizeKey(kv.Key), kv => kv.Value);
        StateDict.LoadStrict(model, weights, path, $"variant {config}");
        model.eval();
        return model;
    }
}
