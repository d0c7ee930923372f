namespace ViTok.Cli;

/// <summary>Writes diagnostics that must never fail the process: a closed or full standard error (e.g. <c>2&gt;/dev/full</c>)
/// loses the line instead of throwing, so the exit code stays the one the error policy chose.</summary>
public static class SafeConsole
{
    /// <summary>Writes one line to standard error; I/O failures are ignored.</summary>
    /// <param name="line">The text (one line).</param>
    public static void Error(string line)
    {
        try
        {
            Console.Error.WriteLine(line);
            Console.Error.Flush();
        }
        catch (IOException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
