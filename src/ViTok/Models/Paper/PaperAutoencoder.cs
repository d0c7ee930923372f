using ViTok.Layers;
using ViTok.Models.Paper;

namespace ViTok.Models.Paper;

/// <summary>The paper's ViTok auto-encoder (paper §2; mirrors vitok/models/ae.py with <c>simple=True</c>, plus the
/// paper's 3D axial RoPE and SwiGLU). Images [B, 3, H, W] (one-frame videos, q = 1) or videos [B, 3, T, H, W] in
/// [-1, 1] → tubelet tokens [B, L, W_enc] → encoder → Linear(W_enc → 2c) = (mean, logvar) → z [B, L, c] →
/// Linear(c → W_dec) → decoder → ConvTranspose3d → pixels of the input's shape.</summary>
public sealed class PaperAutoencoder : nn.Module<Tensor, Tensor>, IAutoencoder
{
    private readonly TubeletEmbed tubelet_embed;
    private readonly PaperTransformer encoder;
    private readonly Linear encoder_to_code;   // W_enc -> 2c (mean ‖ logvar)
    private readonly Linear code_to_decoder;   // c -> W_dec
    private readonly PaperTransformer decoder;
    private readonly TubeletDecode tubelet_decode;

    /// <summary>The configuration this model was built from.</summary>
    public PaperConfig Config { get; }

    /// <summary>Builds a randomly initialised model (the paper code's init).</summary>
    public PaperAutoencoder(PaperConfig config) : base(nameof(PaperAutoencoder))
    {
        Config = config;
        var c = config;
        tubelet_embed = new TubeletEmbed(c.EncoderWidth, c.TubeletSize, c.PatchSize);
        encoder = new PaperTransformer(c.EncoderWidth, c.EncoderDepth, c.EncoderHeads, c.EncoderHidden, c.NormEps);
        encoder_to_code = nn.Linear(c.EncoderWidth, 2 * c.Channels);
        code_to_decoder = nn.Linear(c.Channels, c.DecoderWidth);
        decoder = new PaperTransformer(c.DecoderWidth, c.DecoderDepth, c.DecoderHeads, c.DecoderHidden, c.NormEps);
        tubelet_decode = new TubeletDecode(c.DecoderWidth, c.TubeletSize, c.PatchSize);
        RegisterComponents();
        InitializeWeights();
    }

    /// <summary>The paper code's init, under no_grad.</summary>
    public void InitializeWeights()
    {
        using var _ = torch.no_grad();
        foreach (var (name, module) in named_modules())
        {
            switch (module)
            {
                // Linear: xavier-uniform weights, zero biases.
                case Linear lin:
                    nn.init.xavier_uniform_(lin.weight);
                    if (lin.bias is not null) nn.init.zeros_(lin.bias);
                    break;
                // LayerNorm: (1, 0).
                case LayerNorm ln:
                    nn.init.ones_(ln.weight);
                    nn.init.zeros_(ln.bias);
                    break;
            }
        }
        foreach (var (name, p) in named_parameters())
        {
            // Tubelet kernels: xavier-uniform on the flattened [out, in·q·p·p] (embed) view, zero biases.
            if (name == "tubelet_embed.proj.weight")
            {
                long fanOut = p.shape[0], fanIn = p.numel() / p.shape[0];
                double bound = Math.Sqrt(6.0 / (fanIn + fanOut));
                p.uniform_(-bound, bound);
            }
            else if (name is "tubelet_embed.proj.bias" or "tubelet_decode.proj.bias")
            {
                p.zero_();
            }
        }
    }

    /// <summary>Checks an input batch and returns it as a video [B, 3, T, H, W] (images gain T = 1). Sizes that are
    /// not multiples of the tubelet get a <see cref="ViTokException"/> naming the nearest valid size.</summary>
    public Tensor AsVideo(Tensor x, out bool isImage)
    {
        int q = Config.TubeletSize;
        if (x.dim() is not (4 or 5) || x.shape[1] != 3)
            throw new ViTokException($"expected images [B, 3, H, W] or videos [B, 3, T, H, W], got [{string.Join(", ", x.shape)}]");
        isImage = x.dim() == 4;
        if (isImage && q != 1)
            throw new ViTokException($"model {Config.Variant} has temporal stride q = {q}: it takes videos [B, 3, T, H, W] with T a multiple of {q}, not images");
        Config.ValidateInputSize(isImage ? 1 : x.shape[2], x.shape[^2], x.shape[^1], isImage);
        return isImage ? x.unsqueeze(2) : x;
    }

    /// <summary>Token grid (T/q, H/p, W/p) of a video batch [B, 3, T, H, W].</summary>
    public (long T, long H, long W) GridOf(Tensor video) =>
        (video.shape[2] / Config.TubeletSize, video.shape[3] / Config.PatchSize, video.shape[4] / Config.PatchSize);

    private (Tensor Cos, Tensor Sin) RopeFor((long T, long H, long W) grid, int headDim, Device device)
    {
        var pos = Rope3D.GridPositions(grid.T, grid.H, grid.W, device);
        var (cos, sin) = Rope3D.Angles(pos, headDim, Config.RopeTheta);
        return Rope3D.PairTables(cos, sin);
    }

    /// <summary>Encoder to posterior moments (with autograd; no scope): mean and clamped logvar, each [B, L, c].</summary>
    public (Tensor Mean, Tensor LogVar) EncodeMoments(Tensor video)
    {
        var grid = GridOf(video);
        var (cos, sin) = RopeFor(grid, Config.EncoderWidth / Config.EncoderHeads, video.device);
        var x = tubelet_embed.call(video);                                  // [B, L, W_enc]
        x = encoder.call(x, cos, sin);                                      // [B, L, W_enc]
        var moments = encoder_to_code.call(x).chunk(2, dim: -1);            // 2 × [B, L, c]
        return (moments[0], moments[1].clamp(Scalars.Of(Config.LogVarMin), Scalars.Of(Config.LogVarMax)));
    }

    // Decoder from latents z [B, L, c] on a token grid to pixels [B, 3, T, H, W] (with autograd; no scope).
    private Tensor DecodeVideo(Tensor z, (long T, long H, long W) grid)
    {
        var (cos, sin) = RopeFor(grid, Config.DecoderWidth / Config.DecoderHeads, z.device);
        var x = code_to_decoder.call(z);                                    // [B, L, W_dec]
        x = decoder.call(x, cos, sin);                                      // [B, L, W_dec]
        return tubelet_decode.call(x, grid);                                // [B, 3, T, H, W]
    }

    /// <summary>KL(q‖N(0, I)) as the mean over every latent element of ½(mean² + exp(logvar) − 1 − logvar)
    /// (<see cref="DiagonalGaussian.Kl(Tensor, Tensor)"/>).</summary>
    public static Tensor KlDivergence(Tensor mean, Tensor logVar) => DiagonalGaussian.Kl(mean, logVar);

    /// <summary>Full pass with autograd (training): reconstruction in the input's rank plus the posterior.</summary>
    public (Tensor Reconstruction, Tensor Z, Tensor Mean, Tensor LogVar) Forward(Tensor x, bool samplePosterior, Generator? generator = null)
    {
        var video = AsVideo(x, out bool isImage);
        var (mean, logVar) = EncodeMoments(video);
        var z = samplePosterior ? DiagonalGaussian.Sample(mean, logVar, generator) : mean;
        var recon = DecodeVideo(z, GridOf(video));
        return (isImage ? recon.squeeze(2) : recon, z, mean, logVar);
    }

    /// <summary>Deterministic reconstruction (z = mean), with autograd.</summary>
    public override Tensor forward(Tensor x) => Forward(x, samplePosterior: false).Reconstruction;

    /// <summary>Encodes images [B, 3, H, W] or videos [B, 3, T, H, W] in [-1, 1] (no_grad, own dispose scope): the
    /// contract's <see cref="IAutoencoder.Encode"/>, float32 latents [B, L, c] with the posterior and the grid. z is the
    /// posterior's mode (the mean) unless <paramref name="sample"/>; a seeded sample when <paramref name="seed"/> is
    /// given.</summary>
    /// <exception cref="ViTokException">The input's rank or size does not fit the model (names the nearest valid size).</exception>
    public Latents Encode(Tensor x, bool sample = false, long? seed = null)
    {
        Latents latents;
        using (var scope = torch.NewDisposeScope())
        using (torch.no_grad())
        {
            var video = AsVideo(x.to(ModelDtype), out bool isImage);                 // [B, 3, T, H, W]
            var (mean, logVar) = EncodeMoments(video);                                  // 2 × [B, L, c]
            var posterior = new DiagonalGaussian(mean.to(ScalarType.Float32).MoveToOuterDisposeScope(), logVar.to(ScalarType.Float32).MoveToOuterDisposeScope());
            var (t, h, w) = GridOf(video);
            latents = new Latents(posterior.Mode().MoveToOuterDisposeScope(), posterior, new TokenGrid(t, h, w, isImage),
                (isImage ? 1 : video.shape[2], video.shape[3], video.shape[4]));
        }
        if (!sample) return latents;
        using Generator? gen = seed is long s ? new Generator((ulong)s, latents.Z.device) : null;   // alive (rooted) until the end
        var z = latents.Posterior.Sample(gen);
        latents.Z.Dispose();
        return latents with { Z = z };
    }

    /// <summary>Decodes latents z [B, L, c] on <paramref name="grid"/> (no_grad, own dispose scope); images come back
    /// as [B, 3, H, W] when <paramref name="asImage"/>.</summary>
    public Tensor Decode(Tensor z, (long T, long H, long W) grid, bool asImage)
    {
        if (z.dim() != 3 || z.shape[2] != Config.Channels || z.shape[1] != grid.T * grid.H * grid.W)
            throw new ViTokException($"expected latents [B, {grid.T * grid.H * grid.W}, {Config.Channels}] for grid {grid.T}×{grid.H}×{grid.W}, got [{string.Join(", ", z.shape)}]");
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var recon = DecodeVideo(z.to(ModelDtype), grid);
        return (asImage ? recon.squeeze(2) : recon).MoveToOuterDisposeScope();
    }

    private ScalarType ModelDtype => code_to_decoder.weight!.dtype;

    /// <summary>The parameters' dtype (inputs are cast to it).</summary>
    public ScalarType ParameterDtype => ModelDtype;

    /// <summary>Deterministic reconstruction of images or videos (no_grad, own dispose scope).</summary>
    public Tensor Reconstruct(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        using var latents = Encode(x);
        return Decode(latents.Z, latents.Grid.Dims, latents.Grid.IsImage).MoveToOuterDisposeScope();
    }

    /// <summary>Reconstructs one image [3, H, W] of any size: pads bottom/right by edge replication to the patch
    /// multiple, reconstructs, and crops back to H×W, float32 (no_grad, own dispose scope;
    /// <see cref="LatentCodec.EncodeImage"/> then <see cref="LatentCodec.DecodeImage"/>).</summary>
    /// <exception cref="ViTokException">The image is not [3, H, W] or the model takes no images.</exception>
    public Tensor ReconstructImage(Tensor image)
    {
        using var latents = LatentCodec.EncodeImage(this, image, "image");
        return LatentCodec.DecodeImage(this, latents);
    }

    /// <summary>Reconstructs one video [3, T, H, W] of any length and size in chunks of <paramref name="chunkFrames"/>
    /// frames (<see cref="LatentCodec.ReconstructVideo"/>).</summary>
    /// <exception cref="ViTokException">The clip is not [3, T, H, W].</exception>
    public Tensor ReconstructVideo(Tensor clip, int chunkFrames = 16) => LatentCodec.ReconstructVideo(this, clip, chunkFrames);

    private static readonly string[] EncoderPrefixes = ["tubelet_embed.", "encoder.", "encoder_to_code."];

    /// <summary>Named parameters of the encoder side (tubelet embedding, encoder, encoder_to_code).</summary>
    public IEnumerable<(string Name, Parameter Param)> EncoderParameters() =>
        named_parameters().Where(p => EncoderPrefixes.Any(p.name.StartsWith));

    /// <summary>Named parameters of the decoder side (code_to_decoder, decoder, tubelet_decode): what stage 2 trains.</summary>
    public IEnumerable<(string Name, Parameter Param)> DecoderParameters() =>
        named_parameters().Where(p => !EncoderPrefixes.Any(p.name.StartsWith));

    /// <inheritdoc />
    public bool ActivationCheckpointing
    {
        get => encoder.ActivationCheckpointing;
        set
        {
            encoder.ActivationCheckpointing = value;
            decoder.ActivationCheckpointing = value;
        }
    }

    /// <inheritdoc />
    public string Family => PaperConfig.FamilyName;

    /// <inheritdoc />
    public string Variant => Config.Variant;

    /// <inheritdoc />
    public int Channels => Config.Channels;

    /// <inheritdoc />
    public int PatchSize => Config.PatchSize;

    /// <inheritdoc />
    public int TubeletSize => Config.TubeletSize;

    /// <inheritdoc />
    public nn.Module Module => this;

    /// <inheritdoc />
    public bool AcceptsImages => Config.TubeletSize == 1;

    /// <inheritdoc />
    public bool AcceptsVideos => true;

    /// <inheritdoc />
    public bool AcceptsAnySize => false;

    /// <inheritdoc />
    public bool HasTokenBudget => false;

    /// <inheritdoc />
    public string LatentNormalization => "none (posterior mean)";

    /// <inheritdoc />
    Latents IAutoencoder.Encode(Tensor x, int? tokenBudget)
    {
        if (tokenBudget is not null)
            throw new ArgumentException($"the paper family has no token budget (model {Config.Variant}).", nameof(tokenBudget));
        return Encode(x);
    }

    /// <inheritdoc />
    Tensor IAutoencoder.Decode(Tensor z, TokenGrid grid)
    {
        if (grid.IsImage && (grid.T != 1 || !AcceptsImages))
            throw new ViTokException(AcceptsImages ? $"an image grid has T = 1, got {grid}."
                : $"model {Config.Variant} has temporal stride q = {Config.TubeletSize}: it decodes video grids, not images.");
        using var scope = torch.NewDisposeScope();
        return Decode(z, grid.Dims, grid.IsImage).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public (Tensor Reconstruction, Tensor? Kl) TrainForward(Tensor x, Generator? generator)
    {
        var (recon, _, mean, logVar) = Forward(x, samplePosterior: true, generator);
        return (recon, DiagonalGaussian.Kl(mean, logVar));
    }

    /// <inheritdoc />
    public long LatentFloats(long frames, long height, long width) => PaperCost.Tokens(Config, frames, height, width) * Config.Channels;

    /// <inheritdoc />
    public double Gmacs(long frames, long height, long width)
    {
        var (e, d) = PaperCost.Gmacs(Config, PaperCost.Tokens(Config, frames, height, width));
        return e + d;
    }

    /// <inheritdoc />
    public ModelInfo Info(long frames, long height, long width) => ModelInfo.ForPaper(Config, frames, height, width);

    /// <inheritdoc />
    public MemoryEstimate Memory(long frames, long height, long width, long batch, int dtypeBytes) =>
        MemoryEstimate.ForPaper(Config, frames, height, width, batch, dtypeBytes);

    /// <inheritdoc />
    public IReadOnlyDictionary<string, string> ModelMetadata() => PaperCheckpoint.Metadata(Config);
}
