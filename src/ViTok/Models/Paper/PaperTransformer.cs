
namespace ViTok.Models.Paper;

/// <summary>A stack of <see cref="PaperBlock"/>s followed by a final LayerNorm (the release code's
/// <c>Transformer(final_ln=True)</c>; keys <c>blocks.N.*</c> and <c>norm.*</c>). [B, N, W] → [B, N, W]; the two other inputs
/// are the RoPE tables of <see cref="ViTok.Layers.Rope3D.PairTables"/> [N, Dh].</summary>
public sealed class PaperTransformer : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly ModuleList<PaperBlock> blocks;
    private readonly LayerNorm norm;

    /// <summary>Recompute each block in the backward pass instead of storing its activations (training only).</summary>
    public bool ActivationCheckpointing { get; set; }

    /// <summary>Creates <paramref name="depth"/> blocks of width <paramref name="dim"/>.</summary>
    public PaperTransformer(int dim, int depth, int heads, int hidden, double eps) : base(nameof(PaperTransformer))
    {
        blocks = new ModuleList<PaperBlock>([.. Enumerable.Range(0, depth).Select(_ => new PaperBlock(dim, heads, hidden, eps))]);
        norm = nn.LayerNorm(dim, eps);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x, Tensor cos, Tensor sin)
    {
        bool inference = !torch.is_grad_enabled();
        foreach (var block in blocks)
        {
            var input = x;
            // At inference each block's temporaries die with the block (the only inner scope).
            if (inference) x = torch.WrappedTensorDisposeScope(() => block.call(input, cos, sin));
            else if (ActivationCheckpointing) x = Layers.ActivationCheckpoint.Run(h => block.call(h, cos, sin), input);
            else x = block.call(input, cos, sin);
        }
        return norm.call(x);
    }
}
