namespace ViTok.Training;

/// <summary>Linear warmup from <see cref="Start"/> (default 0) to the peak, then cosine decay to a floor (nanoGPT's
/// get_lr; the paper code's 3 % warmup and 1e-5 floor by default; the authors' release warms up from 1e-5). A pure
/// function of the step: warmup step s (0-based) gets Start + (Peak − Start)·(s + 1)/WarmupSteps.</summary>
public sealed record LrSchedule(double Peak, int WarmupSteps, int TotalSteps, double Floor, double Start = 0)
{
    /// <summary>The schedule of a run config.</summary>
    public static LrSchedule For(RunConfig c, double? peak = null) =>
        new(peak ?? c.PeakLr, (int)Math.Round(c.WarmupRatio * c.Steps), c.Steps, Math.Min(c.MinLr, peak ?? c.PeakLr), Math.Min(c.WarmupStartLr, peak ?? c.PeakLr));

    /// <summary>Learning rate at optimiser step <paramref name="step"/> (0-based).</summary>
    public double At(int step)
    {
        if (WarmupSteps > 0 && step < WarmupSteps)
            return Start == 0 ? Peak * (step + 1) / WarmupSteps : Start + (Peak - Start) * (step + 1) / WarmupSteps;
        if (step >= TotalSteps) return Floor;
        double progress = (double)(step - WarmupSteps) / Math.Max(1, TotalSteps - WarmupSteps);
        return Floor + 0.5 * (Peak - Floor) * (1 + Math.Cos(Math.PI * progress));
    }
}
