using System.Diagnostics;
using System.Text;

namespace ViTok.IO;

/// <summary>Runs ffmpeg with raw pipes: stdin fed from a buffer, stdout read into a buffer, stderr kept for the
/// error message. A timer kills the process tree at the deadline, so a stuck decoder can never hang a caller.
/// Arguments always travel as a list (<see cref="ProcessStartInfo.ArgumentList"/>), never as one command string, and
/// file names go through <see cref="FileUrl"/>: a file name is data, never syntax.</summary>
internal static class FfmpegProcess
{
    private static readonly object Gate = new();
    private static (string Ffmpeg, string Ffprobe, string? Missing)? _checked;

    /// <summary>The ffmpeg executable: <c>VITOK_FFMPEG</c> when set (a path), else <c>ffmpeg</c> from PATH.</summary>
    public static string Ffmpeg => Tool("VITOK_FFMPEG", "ffmpeg");

    /// <summary>The ffprobe executable: <c>VITOK_FFPROBE</c> when set (a path), else <c>ffprobe</c> from PATH.</summary>
    public static string Ffprobe => Tool("VITOK_FFPROBE", "ffprobe");

    /// <summary>The name of the first missing tool (ffmpeg or ffprobe), or null when both run. Checked once per pair
    /// of executables.</summary>
    public static string? MissingTool
    {
        get
        {
            string ffmpeg = Ffmpeg, ffprobe = Ffprobe;
            lock (Gate)
            {
                if (_checked is { } c && c.Ffmpeg == ffmpeg && c.Ffprobe == ffprobe) return c.Missing;
            }
            string? missing = null;
            foreach (var (name, exe) in new[] { ("ffmpeg", ffmpeg), ("ffprobe", ffprobe) })
            {
                try
                {
                    var (_, _, code, _) = Run(exe, ["-version"], null, 1 << 16, TimeSpan.FromSeconds(20));
                    if (code == 0) continue;
                }
                catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or TimeoutException)
                {
                }
                missing = name;
                break;
            }
            lock (Gate) _checked = (ffmpeg, ffprobe, missing);
            return missing;
        }
    }

    /// <summary>The argument that names an input or output file for ffmpeg/ffprobe: the absolute path behind the
    /// <c>file:</c> protocol, so that no file name (leading dashes, quotes, colons, newlines) can be read as an option
    /// or as another protocol.</summary>
    public static string FileUrl(string path) => "file:" + Path.GetFullPath(path);

    /// <summary>Throws a <see cref="ViTokException"/> with the install command when ffmpeg/ffprobe is missing.</summary>
    /// <exception cref="ViTokException">ffmpeg or ffprobe is not found.</exception>
    public static void Require()
    {
        if (MissingTool is { } m)
            throw new ViTokException($"{m} was not found (PATH, or VITOK_{m.ToUpperInvariant()}); video needs Debian's ffmpeg. Install it with `apt-get install -y ffmpeg`.");
    }

    private static string Tool(string variable, string name) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } v ? v : name;

    /// <summary>Runs <paramref name="exe"/> and returns stdout (up to <paramref name="maxOutput"/> bytes; the rest is
    /// drained and dropped), its length, the exit code and the tail of stderr. Throws <see cref="TimeoutException"/>
    /// after killing the process when it outlives <paramref name="timeout"/>.</summary>
    public static (byte[] Output, int Length, int ExitCode, string Stderr) Run(string exe, IReadOnlyList<string> args,
        byte[]? stdin, int maxOutput, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {exe}");
        var err = new StringBuilder();
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (err)
            {
                err.AppendLine(e.Data);
                if (err.Length > 4096) err.Remove(0, err.Length - 4096);
            }
        };
        p.BeginErrorReadLine();
        bool timedOut = false;
        using var timer = new Timer(_ =>
        {
            timedOut = true;
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        }, null, timeout, Timeout.InfiniteTimeSpan);

        var buf = new byte[maxOutput];
        int n = 0;
        Exception? writeError = null;
        Thread? writer = null;
        if (stdin is not null)
        {
            // Feed stdin on its own thread so a full stdout pipe can never deadlock against a full stdin pipe.
            writer = new Thread(() =>
            {
                try
                {
                    p.StandardInput.BaseStream.Write(stdin);
                    p.StandardInput.Close();
                }
                catch (IOException e)
                {
                    writeError = e;
                }
            }) { IsBackground = true };
            writer.Start();
        }
        else
        {
            p.StandardInput.Close();
        }
        var output = p.StandardOutput.BaseStream;
        int r;
        while (n < buf.Length && (r = output.Read(buf, n, buf.Length - n)) > 0) n += r;
        var sink = new byte[1 << 16];
        while (output.Read(sink) > 0) { }
        writer?.Join();
        p.WaitForExit();
        if (timedOut) throw new TimeoutException($"{exe} did not finish within {timeout.TotalSeconds:0} s and was stopped");
        string tail;
        lock (err) tail = err.ToString().Trim();
        if (writeError is not null && p.ExitCode == 0) throw new IOException($"{exe}: writing its input failed: {writeError.Message}");
        return (buf, n, p.ExitCode, tail);
    }
}
