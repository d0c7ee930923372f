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
        return Rope3D.Angles(pos, headDim, Config.RopeTheta);
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

    /// <summary>Decoder from latents z [B, L, c] on a token grid to pixels [B, 3, T, H, W] (with autograd; no scope).</summary>
    public Tensor DecodeVideo(Tensor z, (long T, long H, long W) grid)
    {
        var (cos, sin) = RopeFor(grid, Config.DecoderWidth / Config.DecoderHeads, z.device);
        var x = code_to_decoder.call(z);                                    // [B, L, W_dec]
        x = decoder.call(x, cos, sin);                                      // [B, L, W_dec]
        return tubelet_decode.call(x, grid);                                // [B, 3, T, H, W]
    }

    /// <summary>z = mean + exp(½·logvar)·ε.</summary>
    public static Tensor Sample(Tensor mean, Tensor logVar, Generator? generator = null) =>
        mean.Plus(torch.exp(logVar.Times(0.5)) * BatchDraws.Randn(mean.shape, mean.dtype, mean.device, generator));

    /// <summary>KL(q‖N(0, I)) as the mean over every latent element of ½(mean² + exp(logvar) − 1 − logvar).</summary>
    public static Tensor KlDivergence(Tensor mean, Tensor logVar) =>
        ((mean.pow(Scalars.Of(2)).Plus(logVar.exp()).Minus(1.0) - logVar).Times(0.5)).mean();

    /// <summary>Full pass with autograd (training): reconstruction in the input's rank plus the posterior.</summary>
    public (Tensor Reconstruction, Tensor Z, Tensor Mean, Tensor LogVar) Forward(Tensor x, bool samplePosterior, Generator? generator = null)
    {
        var video = AsVideo(x, out bool isImage);
        var (mean, logVar) = EncodeMoments(video);
        var z = samplePosterior ? Sample(mean, logVar, generator) : mean;
        var recon = DecodeVideo(z, GridOf(video));
        return (isImage ? recon.squeeze(2) : recon, z, mean, logVar);
    }

    /// <summary>Deterministic reconstruction (z = mean), with autograd.</summary>
    public override Tensor forward(Tensor x) => Forward(x, samplePosterior: false).Reconstruction;

    /// <summary>Encodes images or videos (no_grad, own dispose scope). Deterministic (z = mean) unless
    /// <paramref name="sample"/>; a seeded sample when <paramref name="seed"/> is given.</summary>
    public PaperLatents Encode(Tensor x, bool sample = false, long? seed = null)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var video = AsVideo(x, out bool isImage);
        var (mean, logVar) = EncodeMoments(video);
        using Generator? gen = seed is long s ? new Generator((ulong)s, video.device) : null;   // alive (rooted) until the end
        var z = sample ? Sample(mean, logVar, gen) : mean.alias();
        return new PaperLatents(z.MoveToOuterDisposeScope(), mean.MoveToOuterDisposeScope(), logVar.MoveToOuterDisposeScope(), GridOf(video), isImage);
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
        return Decode(latents.Z, latents.Grid, latents.IsImage).MoveToOuterDisposeScope();
    }

    /// <summary>Reconstructs one image [3, H, W] of any size: pads bottom/right by edge replication to the patch
    /// multiple, reconstructs, and crops back to H×W (no_grad, own dispose scope).</summary>
    public Tensor ReconstructImage(Tensor image)
    {
        if (image.dim() != 3 || image.shape[0] != 3)
            throw new ViTokException($"expected an image [3, H, W], got [{string.Join(", ", image.shape)}]");
        using var scope = torch.NewDisposeScope();
        long h = image.shape[1], w = image.shape[2], p = Config.PatchSize;
        long padH = (p - h % p) % p, padW = (p - w % p) % p;
        var x = image.unsqueeze(0).to(ModelDtype);
        if (padH + padW > 0) x = F.pad(x, [0, padW, 0, padH], PaddingModes.Replicate);   // [1, 3, H', W']
        var recon = Reconstruct(x)[0, .., ..(int)h, ..(int)w];                                // [3, H, W]
        return recon.to(ScalarType.Float32).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Reconstructs one video [3, T, H, W] of any length and size: cut into chunks of
    /// <paramref name="chunkFrames"/> frames (rounded to the tubelet), each padded by edge replication (last frame, last
    /// row and column) to the tubelet multiple, reconstructed, and cropped back (no_grad, own dispose scope).</summary>
    public Tensor ReconstructVideo(Tensor clip, int chunkFrames = 16)
    {
        if (clip.dim() != 4 || clip.shape[0] != 3)
            throw new ViTokException($"expected a video [3, T, H, W], got [{string.Join(", ", clip.shape)}]");
        using var scope = torch.NewDisposeScope();
        int q = Config.TubeletSize, p = Config.PatchSize;
        long t = clip.shape[1], h = clip.shape[2], w = clip.shape[3];
        int chunk = Math.Max(q, chunkFrames / q * q);
        var parts = new List<Tensor>();
        for (long start = 0; start < t; start += chunk)
        {
            long len = Math.Min(chunk, t - start);
            var x = clip.narrow(1, start, len).unsqueeze(0).to(ModelDtype);                    // [1, 3, len, H, W]
            long padT = (q - len % q) % q, padH = (p - h % p) % p, padW = (p - w % p) % p;
            if (padT + padH + padW > 0) x = F.pad(x, [0, padW, 0, padH, 0, padT], PaddingModes.Replicate);
            parts.Add(Reconstruct(x)[0].narrow(1, 0, len).narrow(2, 0, h).narrow(3, 0, w));      // [3, len, H, W]
        }
        return torch.cat(parts, 1).to(ScalarType.Float32).contiguous().MoveToOuterDisposeScope();
    }

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
    public (Tensor Reconstruction, Tensor? Kl) TrainForward(Tensor x, Generator? generator)
    {
        var (recon, _, mean, logVar) = Forward(x, samplePosterior: true, generator);
        return (recon, KlDivergence(mean, logVar));
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
    public IReadOnlyDictionary<string, string> ModelMetadata() => PaperCheckpoint.Metadata(Config);
}
