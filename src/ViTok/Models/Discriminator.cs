namespace ViTok.Models;

/// <summary>StyleGAN-style residual discriminator with BlurPool downsampling (the paper code's stage-2 critic,
/// paper §3.2): conv stem, residual blocks halving the resolution down to 4×4 (channels doubling up to 8× the base),
/// then conv, flatten, Linear → lrelu → Linear to one logit per image. [B, 3, S, S] → [B].</summary>
public sealed class Discriminator : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d stem;
    private readonly ModuleList<DiscriminatorBlock> blocks;
    private readonly Conv2d final_conv;
    private readonly Linear fc;
    private readonly Linear out_proj;

    /// <summary>Creates the critic for square images of <paramref name="size"/> (a power of two ≥ 8).</summary>
    /// <exception cref="ViTokException"><paramref name="size"/> is not a power of two of at least 8.</exception>
    public Discriminator(int size, int channels = 64) : base(nameof(Discriminator))
    {
        if (size < 8 || (size & (size - 1)) != 0)
            throw new ViTokException($"the discriminator needs a power-of-two image size ≥ 8, got {size}");
        int n = (int)Math.Log2(size / 4);
        int maxCh = channels * 8;
        var list = new List<DiscriminatorBlock>();
        int ch = channels;
        for (int i = 0; i < n; i++)
        {
            int next = Math.Min(ch * 2, maxCh);
            list.Add(new DiscriminatorBlock(ch, next));
            ch = next;
        }
        stem = nn.Conv2d(3, channels, 3, padding: 1);
        blocks = new ModuleList<DiscriminatorBlock>([.. list]);
        final_conv = nn.Conv2d(ch, ch, 3, padding: 1);
        fc = nn.Linear(ch * 16, ch);
        out_proj = nn.Linear(ch, 1);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        var h = stem.call(x).leaky_relu(Scalars.Of(0.2));                     // [B, C, S, S]
        foreach (var b in blocks) h = b.call(h);                     // [B, C', 4, 4]
        h = final_conv.call(h).leaky_relu(Scalars.Of(0.2)).flatten(1);        // [B, C'·16]
        return out_proj.call(fc.call(h).leaky_relu(Scalars.Of(0.2))).squeeze(1); // [B]
    }
}
