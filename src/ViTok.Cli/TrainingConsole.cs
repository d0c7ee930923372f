using Spectre.Console;
using ViTok.Training;
using ViTok.Generation;

namespace ViTok.Cli;

/// <summary>Shows a run's progress: a live Spectre.Console bar (loss, lr, throughput, ETA) on a terminal, plain log
/// lines when output is redirected. Ctrl+C requests a clean stop (the trainer saves a checkpoint and exits).</summary>
public static class TrainingConsole
{
    /// <summary>Runs an auto-encoder trainer to completion with progress and Ctrl+C handling.</summary>
    public static void Run(AutoencoderTrainer trainer) => Run(trainer, false);

    /// <summary>Runs an auto-encoder trainer; with <paramref name="toStderr"/> every line goes to stderr (stdout
    /// carries <c>--json</c>). Writes the run folder's <c>loss.png</c> when training stops.</summary>
    public static void Run(AutoencoderTrainer trainer, bool toStderr) =>
        Run(trainer.Config.Steps, trainer.Step, System.Text.Json.JsonSerializer.Serialize(trainer.Config, ViTok.IO.Json.Compact), log => trainer.OnLog = log,
            progress => trainer.OnStep = s => progress(s.Step, s.Skipped ? $"step {s.Step + 1} skipped" : $"loss {s.Loss:F4} lr {s.Lr:E1} {s.ImagesPerSecond:F0} img/s"),
            trainer.RunLoop, trainer.Run.Root, toStderr);

    /// <summary>Runs a DiT trainer to completion with progress and Ctrl+C handling.</summary>
    public static void Run(DitTrainer trainer) => Run(trainer, false);

    /// <summary>Runs a DiT trainer; with <paramref name="toStderr"/> every line goes to stderr. Writes the run
    /// folder's <c>loss.png</c> when training stops.</summary>
    public static void Run(DitTrainer trainer, bool toStderr) =>
        Run(trainer.Config.Steps, trainer.Step, System.Text.Json.JsonSerializer.Serialize(trainer.Config, ViTok.IO.Json.Compact), log => trainer.OnLog = log,
            progress => trainer.OnStep = s => progress(s.Step, s.Skipped ? $"step {s.Step + 1} skipped" : $"loss {s.Loss:F4} lr {s.Lr:E1} {s.LatentsPerSecond:F0} latents/s"),
            trainer.RunLoop, trainer.Run.Root, toStderr);

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
    private static void Run(int totalSteps, int startStep, string configJson, Action<Action<string>> hookLog, Action<Action<int, string>> hookStep,
        Action<CancellationToken> runLoop, string runFolder, bool toStderr)
    {
        Action<string> plain = toStderr ? Console.Error.WriteLine : Console.WriteLine;
        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            if (!cts.IsCancellationRequested) Console.Error.WriteLine("stopping: finishing the step and saving a checkpoint (Ctrl+C again to abort)...");
            else Environment.Exit(130);
            cts.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            plain($"config: {configJson}");
            bool live = !toStderr && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
            if (!live)
            {
                hookLog(plain);
                try
                {
                    runLoop(cts.Token);
                }
                finally
                {
                    WriteLossCurve(runFolder, plain);
                }
                return;
            }
            AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("training", maxValue: totalSteps);
                    task.Value = startStep;
                    hookLog(line => AnsiConsole.MarkupLine(Markup.Escape(line)));
                    hookStep((step, description) =>
                    {
                        task.Value = step + 1;
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
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
