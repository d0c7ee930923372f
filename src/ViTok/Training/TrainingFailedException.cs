namespace ViTok.Training;

/// <summary>A runtime failure (native or managed, not an input error) in the middle of a training run. Its message is
/// one line: what failed, at which step, the newest checkpoint on disk and the exact command that resumes the run. The
/// CLI prints it and exits 2; the original exception is <see cref="Exception.InnerException"/>.</summary>
public sealed class TrainingFailedException : Exception
{
    /// <summary>The step (1-based, as in the logs) that was running when the failure happened.</summary>
    public int Step { get; }

    /// <summary>The command that resumes the run from its newest checkpoint.</summary>
    public string ResumeCommand { get; }

    /// <summary>Creates the one-line report of a failure.</summary>
    /// <param name="step">The failing step (1-based).</param>
    /// <param name="phase">What the step was doing (e.g. "the training step", "saving the checkpoint").</param>
    /// <param name="run">The run folder.</param>
    /// <param name="inner">The failure.</param>
    public TrainingFailedException(int step, string phase, RunDirectory run, Exception inner)
        : base(Describe(step, phase, run, inner), inner)
    {
        Step = step;
        ResumeCommand = run.ResumeCommand;
    }

    private static string Describe(int step, string phase, RunDirectory run, Exception inner)
    {
        string what = inner.Message.Split('\n', 2)[0].Trim();
        if (what.Length > 200) what = what[..200] + "…";
        var last = run.Checkpoints().LastOrDefault();
        string saved = last is null
            ? "no checkpoint was written yet, so a resume is not possible: start the run again"
            : $"the newest checkpoint is {Path.GetRelativePath(run.Root, last)}; resume with: {run.ResumeCommand}";
        return $"training failed at step {step} while {phase} ({inner.GetType().Name}: {what}); {saved}";
    }
}
