using ViTok.IO;
using ViTok.Training;

namespace ViTok.Cli;

/// <summary>Runs a command body with the CLI's error policy: a <see cref="ViTokException"/> (bad input) prints its
/// message and exits 1; anything else prints one line and exits 2, with the stack trace only when VITOK_VERBOSE=1.</summary>
public static class CommandRunner
{
    /// <summary>Exit code for a usage, config or input error.</summary>
    public const int UsageError = 1;

    /// <summary>Exit code for a runtime failure.</summary>
    public const int RuntimeError = 2;

    /// <summary>Runs <paramref name="body"/> and maps exceptions to exit codes.</summary>
    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (TrainingFailedException e)
        {
            // Already one line: what failed, at which step, the newest checkpoint and the resume command.
            Console.Error.WriteLine($"error: {e.Message}");
            if (Environment.GetEnvironmentVariable("VITOK_VERBOSE") == "1") Console.Error.WriteLine(e.InnerException);
            return RuntimeError;
        }
        catch (ViTokException e)
        {
            ProgressLine.End();
            SafeConsole.Error($"error: {e.Message}");
            return UsageError;
        }
        catch (ViTok.IO.BadItemException e)
        {
            // An unreadable input file (image, video, shard member) is bad input too: one line naming it, exit 1.
            ProgressLine.End();
            Console.Error.WriteLine($"error: {e.Message}. {e.Fix}");
            return UsageError;
        }
        catch (OperationCanceledException)
        {
            ProgressLine.End();
            SafeConsole.Error("cancelled.");
            return RuntimeError;
        }
        catch (Exception e)
        {
            ProgressLine.End();
            string message = e is IOException io && IsConsoleStream(io) ? $"cannot write the output ({e.Message})" : $"{e.GetType().Name}: {e.Message}";
            SafeConsole.Error($"error: {message}");
            if (Environment.GetEnvironmentVariable("VITOK_VERBOSE") == "1") SafeConsole.Error(e.ToString());
            else SafeConsole.Error("(set VITOK_VERBOSE=1 for the stack trace)");
            return RuntimeError;
        }
        finally
        {
            ProgressLine.End();
        }
    }

    // An IOException thrown by a console write (stdout on a full disk or /dev/full) rather than by a file of the command.
    private static bool IsConsoleStream(IOException e) => e.StackTrace?.Contains("System.ConsolePal", StringComparison.Ordinal) == true;
}
