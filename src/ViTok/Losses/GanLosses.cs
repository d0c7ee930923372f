namespace ViTok.Losses;

/// <summary>Adversarial losses of the paper code: hinge for the discriminator, −D(x̂) for the generator, and the
/// generator's linear ramp.</summary>
public static class GanLosses
{
    /// <summary>Hinge loss: mean(relu(1 − D(x))) + mean(relu(1 + D(x̂))).</summary>
    public static Tensor DiscriminatorHinge(Tensor realLogits, Tensor fakeLogits) =>
        F.relu(realLogits.SubtractedFrom(1.0)).mean().Plus(F.relu(fakeLogits.Plus(1.0)).mean());

    /// <summary>Generator loss −mean(D(x̂)).</summary>
    public static Tensor Generator(Tensor fakeLogits) => -fakeLogits.mean();

    /// <summary>Linear ramp of the generator's adversarial weight: 0 before <paramref name="start"/>, 1 after
    /// start + warmup.</summary>
    public static double Ramp(int step, int start, int warmup) =>
        step < start ? 0.0 : warmup <= 0 ? 1.0 : Math.Min(1.0, (double)(step - start) / warmup);
}
