using ViTok.Layers;

namespace ViTok.Models.V2;

/// <summary>Per-channel learned scale <c>gamma</c> (mirrors <c>vitok/models/modules/layerscale.py</c>); the
/// ViTok-v2 auto-encoder initialises it to 1e-4.</summary>
public sealed class LayerScale : nn.Module<Tensor, Tensor>
{
    private readonly Parameter gamma;

    /// <summary>Creates the scale over <paramref name="dim"/> channels, filled with <paramref name="init"/>.</summary>
    public LayerScale(long dim, double init = 1e-4, Device? device = null, ScalarType? dtype = null) : base(nameof(LayerScale))
    {
        // Detached: a module built inside a dispose scope must keep its parameters after the scope ends.
        gamma = new Parameter(torch.full(dim, Scalars.Of(init), dtype: dtype ?? ScalarType.Float32, device: device).DetachFromDisposeScope());
        RegisterComponents();
    }

    /// <summary>The scale [dim].</summary>
    public Tensor Gamma => gamma;

    /// <summary>Returns x · gamma for x [..., dim].</summary>
    public override Tensor forward(Tensor x) => x * gamma;
}
