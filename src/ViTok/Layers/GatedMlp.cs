namespace ViTok.Layers;

/// <summary>The paper family's gated MLP (SwiGLU as the paper states; the release code's T5_MLP layout):
/// out = fc3(silu(fc1·x) ⊙ fc2·x), each Linear with bias, hidden = int(2.67·W). [B, N, W] → [B, N, W].</summary>
public sealed class GatedMlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc1;  // gate: W -> hidden
    private readonly Linear fc2;  // up:   W -> hidden
    private readonly Linear fc3;  // out:  hidden -> W

    /// <summary>Creates the MLP with the given width and hidden size.</summary>
    public GatedMlp(int dim, int hidden) : base(nameof(GatedMlp))
    {
        fc1 = nn.Linear(dim, hidden);
        fc2 = nn.Linear(dim, hidden);
        fc3 = nn.Linear(hidden, dim);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x) => fc3.call(F.silu(fc1.call(x)) * fc2.call(x));
}
