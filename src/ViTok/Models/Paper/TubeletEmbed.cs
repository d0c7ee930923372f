namespace ViTok.Models.Paper;

/// <summary>Tubelet embedding: Conv3d(3 → W, kernel = stride = (q, p, p)) with bias, flattened to tokens.
/// [B, 3, T, H, W] → [B, (T/q)·(H/p)·(W/p), W] in raster order (t, row, col).</summary>
public sealed class TubeletEmbed : nn.Module<Tensor, Tensor>
{
    private readonly Conv3d proj;

    /// <summary>Creates the embedding for tubelet size <paramref name="q"/> × <paramref name="p"/> × <paramref name="p"/>.</summary>
    public TubeletEmbed(int width, int q, int p, int inChannels = 3) : base(nameof(TubeletEmbed))
    {
        proj = nn.Conv3d(inChannels, width, kernel_size: (q, p, p), stride: (q, p, p), bias: true);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x) => proj.call(x).flatten(2).transpose(1, 2); // [B, N, W]
}
