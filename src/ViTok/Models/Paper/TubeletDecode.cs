namespace ViTok.Models.Paper;

/// <summary>Tubelet decoding: tokens back to pixels with ConvTranspose3d(W → 3, kernel = stride = (q, p, p)).
/// [B, N, W] on a (t, h, w) grid → [B, 3, t·q, h·p, w·p]. No output activation.</summary>
public sealed class TubeletDecode : nn.Module<Tensor, (long T, long H, long W), Tensor>
{
    private readonly ConvTranspose3d proj;

    /// <summary>Creates the decoding for tubelet size <paramref name="q"/> × <paramref name="p"/> × <paramref name="p"/>.</summary>
    public TubeletDecode(int width, int q, int p, int outChannels = 3) : base(nameof(TubeletDecode))
    {
        proj = nn.ConvTranspose3d(width, outChannels, kernel_size: (q, p, p), stride: (q, p, p), bias: true);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x, (long T, long H, long W) grid)
    {
        long b = x.shape[0], w = x.shape[2];
        var g = x.reshape(b, grid.T, grid.H, grid.W, w).permute(0, 4, 1, 2, 3); // [B, W, t, h, w]
        return proj.call(g);                                                   // [B, 3, T, H, W]
    }
}
