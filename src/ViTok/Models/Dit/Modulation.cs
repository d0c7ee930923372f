using ViTok.Layers;

namespace ViTok.Models.Dit;

/// <summary>adaLN modulation (DiT's <c>modulate</c>): x·(1 + scale) + shift, with per-sample shift and scale [B, W]
/// broadcast over the tokens of x [B, N, W].</summary>
public static class Modulation
{
    /// <summary>Applies the modulation.</summary>
    public static Tensor Apply(Tensor x, Tensor shift, Tensor scale) =>
        (x * (scale.unsqueeze(1).Plus(1))).Plus(shift.unsqueeze(1));
}
