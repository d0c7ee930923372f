namespace ViTok.Diffusion;

/// <summary>Classifier-free guidance (Ho &amp; Salimans): the model is run on [null labels ‖ labels] in one batch and
/// the two predictions are combined as p_u + s·(p_c − p_u), on every channel. s = 1 is the conditional model, s = 0
/// the unconditional one.</summary>
public static class Guidance
{
    /// <summary>p_u + s·(p_c − p_u).</summary>
    public static Tensor Combine(Tensor unconditional, Tensor conditional, double scale) =>
        unconditional.Plus((conditional - unconditional).Times(scale));

    /// <summary>Wraps a conditional denoiser into a guided one with guidance scale <paramref name="scale"/>.</summary>
    public static Denoiser Apply(Denoiser model, int nullClass, double scale) => (x, t, y) =>
    {
        var both = model(torch.cat([x, x]), torch.cat([t, t]), torch.cat([torch.full_like(y, Scalars.Of(nullClass)), y]));
        var halves = both.chunk(2, dim: 0);
        return Combine(halves[0], halves[1], scale);
    };
}
