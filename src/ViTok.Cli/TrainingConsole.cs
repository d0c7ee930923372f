using System.Runtime.InteropServices;
using Spectre.Console;
using ViTok.Training;
using ViTok.Generation;

namespace ViTok.Cli;

/// <summary>Shows a run's progress: a live Spectre.Console bar (loss, lr, throughput, ETA) on a terminal, plain log
/// lines when output is redirected. SIGINT (Ctrl+C) and SIGTERM (schedulers, <c>docker stop</c>) request a clean stop:
/// the trainer finishes its step, saves a checkpoint and returns; the exit code is then 130 (SIGINT) or 143 (SIGTERM),
/// so scripts tell an interrupted run from a finished one (0). A second signal ends the process at once.</summary>
public static class TrainingConsole
{
    /// <summary>Exit code of a run stopped by SIGINT (128 + 2).</summary>
    public const int InterruptedBySigint = 130;

    /// <summary>Exit code of a run stopped by SIGTERM (128 + 15).</summary>
    public const int InterruptedBySigterm = 143;

    /// <summary>Runs an auto-encoder trainer to completion with progress and signal handling.</summary>
    /// <returns>0 when the run finished (or reached its time limit), 130/143 when a signal stopped it.</returns>
    public static int Run(AutoencoderTrainer trainer) => Run(trainer, false);

    /// <summary>Runs an auto-encoder trainer; with <paramref name="toStderr"/> every line goes to stderr (stdout
    /// carries <c>--json</c>). Writes the run folder's <c>loss.png</c> when training stops.</summary>
    /// <returns>0 when the run finished (or reached its time limit), 130/143 when a signal stopped it.</returns>
    public static int Run(AutoencoderTrainer trainer, bool toStderr) => Run(trainer, toStderr, quiet: false);

    /// <summary>As <see cref="Run(AutoencoderTrainer, bool)"/>; <paramref name="quiet"/> (MPI ranks other than 0)
    /// prints nothing and leaves <c>loss.png</c> to rank 0, but still stops cleanly on a signal.</summary>
    public static int Run(AutoencoderTrainer trainer, bool toStderr, bool quiet) =>
        Run(trainer, toStderr, quiet, s => $"loss {s.Loss:F4} lr {s.Lr:E1} {s.ImagesPerSecond:F0} img/s");

    /// <summary>Runs a DiT trainer to completion with progress and signal handling.</summary>
    /// <returns>0 when the run finished (or reached its time limit), 130/143 when a signal stopped it.</returns>
    public static int Run(DitTrainer trainer) => Run(trainer, false);

    /// <summary>Runs a DiT trainer; with <paramref name="toStderr"/> every line goes to stderr. Writes the run
    /// folder's <c>loss.png</c> when training stops.</summary>
    /// <returns>0 when the run finished (or reached its time limit), 130/143 when a signal stopped it.</returns>
    public static int Run(DitTrainer trainer, bool toStderr) => Run(trainer, toStderr, quiet: false);

    /// <summary>As <see cref="Run(DitTrainer, bool)"/>; <paramref name="quiet"/> (MPI ranks other than 0) prints
    /// nothing and leaves <c>loss.png</c> to rank 0, but still stops cleanly on a signal.</summary>
    public static int Run(DitTrainer trainer, bool toStderr, bool quiet) =>
        Run(trainer, toStderr, quiet, s => $"loss {s.Loss:F4} lr {s.Lr:E1} {s.LatentsPerSecond:F0} latents/s");

    /// <summary>Any recipe on the shared loop; <paramref name="describe"/> is the progress text of a step that ran.</summary>
    private static int Run<TConfig, TStats>(TrainingRun<TConfig, TStats> trainer, bool toStderr, bool quiet, Func<TStats, string> describe)
        where TConfig : RunConfig
        where TStats : IStepStats =>
        Run(trainer.Config.Steps, () => trainer.Step, trainer.Run.ResumeCommand, trainer.Config.ToJson(indented: false), log => trainer.OnLog = log,
            progress => trainer.OnStep = s => progress(s.Step, s.Skipped ? $"step {s.Step + 1} skipped" : describe(s)),
            trainer.RunLoop, trainer.Run.Root, toStderr, quiet);

    /// <summary>Writes <c>loss.png</c> of a run folder; a failure to draw is reported on one line, never fatal.</summary>
    public static void WriteLossCurve(string runFolder, Action<string> log)
    {
        try
        {
            if (ViTok.Plots.LossCurve.Write(runFolder) is string path) log($"loss curve: {path}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or TypeInitializationException or DllNotFoundException)
        {
            SafeConsole.Error($"warning: could not draw the loss curve ({e.GetType().Name}: {e.Message}).");
        }
    }

    /// <summary>The shared loop: <paramref name="hookLog"/> and <paramref name="hookStep"/> install the trainer's
    /// callbacks (step index, description), <paramref name="runLoop"/> trains until done or cancelled.</summary>
    private static int Run(int totalSteps, Func<int> step, string resumeCommand, string configJson, Action<Action<string>> hookLog, Action<Action<int, string>> hookStep,
        Action<CancellationToken> runLoop, string runFolder, bool toStderr, bool quiet)
    {
        Action<string> plain = quiet ? _ => { } : toStderr ? Console.Error.WriteLine : Console.WriteLine;
        using var cts = new CancellationTokenSource();
        int signalled = 0;
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            int code = context.Signal == PosixSignal.SIGTERM ? InterruptedBySigterm : InterruptedBySigint;
            if (Interlocked.CompareExchange(ref signalled, code, 0) != 0) Environment.Exit(code);
            if (!quiet) Console.Error.WriteLine($"stopping ({(code == InterruptedBySigterm ? "SIGTERM" : "Ctrl+C")}): finishing the step and saving a checkpoint (a second signal aborts)...");
            cts.Cancel();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        int startStep = step();
        plain($"config: {configJson}");
        bool live = !quiet && !toStderr && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        if (!live)
        {
            hookLog(plain);
            try
            {
                runLoop(cts.Token);
            }
            finally
            {
                if (!quiet) WriteLossCurve(runFolder, plain);
            }
        }
        else
        {
            AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("training", maxValue: totalSteps);
                    task.Value = startStep;
                    hookLog(line => AnsiConsole.MarkupLine(Markup.Escape(line)));
                    hookStep((s, description) =>
                    {
                        task.Value = s + 1;
                        task.Description = Markup.Escape(description);
                    });
                    try
                    {
                        runLoop(cts.Token);
                    }
                    finally
                    {
                        WriteLossCurve(runFolder, line => AnsiConsole.MarkupLine(Markup.Escape(line)));
                    }
                });
        }
        int code = Volatile.Read(ref signalled);
        if (code == 0 || step() >= totalSteps) return 0;
        if (!quiet) Console.Error.WriteLine($"interrupted at step {step()} of {totalSteps} (checkpoint saved); resume with: {resumeCommand}");
        return code;
    }
}
