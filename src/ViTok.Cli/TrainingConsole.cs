using Spectre.Console;
using ViTok.Training;

namespace ViTok.Cli;

/// <summary>Shows a run's progress: a live Spectre.Console bar (loss, lr, images/s, ETA) on a terminal, plain log lines
/// when output is redirected. Ctrl+C requests a clean stop (the trainer saves a checkpoint and exits).</summary>
public static class TrainingConsole
{
    /// <summary>Runs <paramref name="trainer"/> to completion with progress and Ctrl+C handling.</summary>
    public static void Run(AutoencoderTrainer trainer)
    {
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
            Console.WriteLine($"config: {System.Text.Json.JsonSerializer.Serialize(trainer.Config, ViTok.IO.Json.Compact)}");
            bool live = !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
            if (!live)
            {
                trainer.OnLog = Console.WriteLine;
                trainer.RunLoop(cts.Token);
                return;
            }
            AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("training", maxValue: trainer.Config.Steps);
                    task.Value = trainer.Step;
                    trainer.OnLog = line => AnsiConsole.MarkupLine(Markup.Escape(line));
                    trainer.OnStep = s =>
                    {
                        task.Value = s.Step + 1;
                        task.Description = Markup.Escape(s.Skipped
                            ? $"step {s.Step + 1} skipped"
                            : $"loss {s.Loss:F4} lr {s.Lr:E1} {s.ImagesPerSecond:F0} img/s");
                    };
                    trainer.RunLoop(cts.Token);
                });
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
