using ViTok.Layers;

namespace ViTok.Models.Dit;

/// <summary>The latent diffusion transformer of the paper's §7 (DiT, Peebles &amp; Xie, <c>models.py</c>, with the
/// tokenizer's Llama upgrades): ViTok's tokens are DiT's tokens, so there is no patchify: <c>x_embedder</c>
/// Linear(c → W) in, adaLN-Zero blocks with SwiGLU and RoPE on the latent grid (2D for images, 3D for videos; no
/// absolute position embedding), and a final adaLN layer Linear(W → c) out. Conditioning c = t_embedder(t) +
/// y_embedder(y), where y = <see cref="NullClass"/> means "no class" (classifier-free guidance). The output is the
/// diffusion process's target (ε for DDPM, the velocity for rectified flow). x [B, N, c], t [B] (0 … 1000 scale),
/// y [B] int64 → [B, N, c].</summary>
public sealed class Dit : nn.Module
{
    private readonly Linear x_embedder;            // c -> W
    private readonly TimestepEmbedding t_embedder;
    private readonly LabelEmbedding y_embedder;
    private readonly ModuleList<DitBlock> blocks;
    private readonly DitFinalLayer final_layer;    // W -> c

    /// <summary>The configuration this model was built from.</summary>
    public DitConfig Config { get; }

    /// <summary>Label of the null class (= number of classes).</summary>
    public int NullClass => Config.NumClasses;

    /// <summary>Builds a randomly initialised model (DiT's init: xavier-uniform linears, zero biases, N(0, 0.02)
    /// embeddings, zero adaLN modulation and output layer).</summary>
    public Dit(DitConfig config) : base(nameof(Dit))
    {
        Config = config;
        x_embedder = nn.Linear(config.Channels, config.Width);
        t_embedder = new TimestepEmbedding(config.Width, config.FrequencyDim);
        y_embedder = new LabelEmbedding(config.NumClasses, config.Width);
        blocks = new ModuleList<DitBlock>([.. Enumerable.Range(0, config.Depth).Select(_ => new DitBlock(config.Width, config.Heads, config.MlpHidden, config.NormEps))]);
        final_layer = new DitFinalLayer(config.Width, config.Channels, config.NormEps);
        RegisterComponents();
        InitializeWeights();
    }

    /// <summary>DiT's <c>initialize_weights</c>, under no_grad.</summary>
    public void InitializeWeights()
    {
        using var _ = torch.no_grad();
        foreach (var (_, module) in named_modules())
        {
            if (module is not Linear lin) continue;
            nn.init.xavier_uniform_(lin.weight);
            if (lin.bias is not null) nn.init.zeros_(lin.bias);
        }
        foreach (var (name, p) in named_parameters())
        {
            if (name is "y_embedder.embedding_table.weight" or "t_embedder.mlp.0.weight" or "t_embedder.mlp.2.weight")
                nn.init.normal_(p, std: 0.02);
            // adaLN-Zero: every block starts as the identity; the output starts at zero.
            else if (name.Contains("adaLN_modulation.1.", StringComparison.Ordinal) || name.StartsWith("final_layer.linear.", StringComparison.Ordinal))
                nn.init.zeros_(p);
        }
    }

    /// <summary>The prediction for noisy latents <paramref name="x"/> [B, N, c] on <paramref name="grid"/> (N = T·H·W
    /// tokens in raster order) at times <paramref name="t"/> [B] with labels <paramref name="y"/> [B]; with autograd,
    /// no scope. The result has x's dtype.</summary>
    /// <exception cref="ViTokException">The latents do not have the grid's token count or the model's channels.</exception>
    public Tensor Forward(Tensor x, Tensor t, Tensor y, (long T, long H, long W) grid)
    {
        if (x.dim() != 3 || x.shape[2] != Config.Channels || x.shape[1] != grid.T * grid.H * grid.W)
            throw new ViTokException($"DiT expects latents [B, {grid.T * grid.H * grid.W}, {Config.Channels}] for grid {grid.T}×{grid.H}×{grid.W}, got [{string.Join(", ", x.shape)}]");
        var dtype = x_embedder.weight!.dtype;
        var (angleCos, angleSin) = GridRope.Angles(grid, Config.HeadDim, Config.RopeTheta, x.device);
        var (cos, sin) = Rope3D.PairTables(angleCos, angleSin);                         // [N, Dh] each, shared by the blocks
        var h = x_embedder.call(x.to(dtype));                                  // [B, N, W]
        var c = t_embedder.call(t).Plus(y_embedder.call(y));                       // [B, W]
        bool inference = !torch.is_grad_enabled();
        foreach (var block in blocks)
        {
            var input = h;
            // At inference each block's temporaries die with the block (the only inner scope).
            h = inference ? torch.WrappedTensorDisposeScope(() => block.call(input, c, cos, sin)) : block.call(input, c, cos, sin);
        }
        return final_layer.call(h, c).to(x.dtype);                             // [B, N, c]
    }

    /// <summary>Number of parameters.</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <summary>The parameters' dtype.</summary>
    public ScalarType ParameterDtype => x_embedder.weight!.dtype;
}
