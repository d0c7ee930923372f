namespace ViTok.Layers;

/// <summary>SwiGLU feed-forward without biases (mirrors <c>vitok/models/modules/mlp.py: SwiGLU</c>):
/// fc2(silu(gate) · value) where fc1's output is split in two, the first half the value and the second the gate.
/// The hidden size is int(dim · mlp_factor) rounded to the nearest multiple of 16.</summary>
public sealed class SwiGlu : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc1;
    private readonly Linear fc2;

    /// <summary>Creates the MLP for <paramref name="dim"/> features with <paramref name="hidden"/> hidden units
    /// (already rounded; see <see cref="HiddenSize"/>).</summary>
    public SwiGlu(long dim, long hidden, Device? device = null, ScalarType? dtype = null) : base(nameof(SwiGlu))
    {
        fc1 = nn.Linear(dim, 2 * hidden, hasBias: false, device: device, dtype: dtype);
        fc2 = nn.Linear(hidden, dim, hasBias: false, device: device, dtype: dtype);
        RegisterComponents();
    }

    /// <summary>The reference hidden size: h0 = int(dim · mlpFactor), then ((h0 + 8) // 16) · 16.</summary>
    public static long HiddenSize(long dim, double mlpFactor)
    {
        long h0 = (long)Math.Floor(dim * mlpFactor);
        return (h0 + 8) / 16 * 16;
    }

    /// <summary>Applies the MLP to x [..., dim].</summary>
    public override Tensor forward(Tensor x)
    {
        Tensor[] vg;
        using (ComponentProfile.Time(ComponentProfile.MlpGemm))
            vg = fc1.call(x).chunk(2, -1); // value, gate: [..., hidden] each
        Tensor h;
        using (ComponentProfile.Time(ComponentProfile.MlpGate))
            h = torch.is_grad_enabled() ? F.silu(vg[1]) * vg[0] : F.silu(vg[1]).mul_(vg[0]);   // inference: no extra buffer
        using (ComponentProfile.Time(ComponentProfile.MlpGemm))
            return fc2.call(h);
    }
}
