namespace ViTok.Cli;

/// <summary>The one carriage-returned progress line on stderr (e.g. <c>12/100 items</c>). Whatever is printed next,
/// an error above all, starts on a fresh line: <see cref="End"/> finishes an open progress line first.</summary>
public static class ProgressLine
{
    private static readonly Lock Gate = new();
    private static bool _open;

    /// <summary>Rewrites the progress line with <paramref name="text"/>.</summary>
    public static void Write(string text)
    {
        lock (Gate)
        {
            Console.Error.Write($"\r{text}");
            _open = true;
        }
    }

    /// <summary>Ends an open progress line with a newline (nothing when none is open).</summary>
    public static void End()
    {
        lock (Gate)
        {
            if (!_open) return;
            Console.Error.WriteLine();
            _open = false;
        }
    }
}
