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
        catch (ViTokException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return UsageError;
        }
        catch (ViTok.Data.BadItemException e)
        {
            // An unreadable input file (image, video, shard member) is bad input too: one line naming it, exit 1.
            Console.Error.WriteLine($"error: {e.Message}. {e.Fix}");
            return UsageError;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled.");
            return RuntimeError;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"error: {e.GetType().Name}: {e.Message}");
            if (Environment.GetEnvironmentVariable("VITOK_VERBOSE") == "1") Console.Error.WriteLine(e);
            else Console.Error.WriteLine("(set VITOK_VERBOSE=1 for the stack trace)");
            return RuntimeError;
        }
    }
}
