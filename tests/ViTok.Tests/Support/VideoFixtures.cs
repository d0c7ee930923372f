using System.Diagnostics;

namespace ViTok.Tests.Support;

/// <summary>Tiny media files made by the tests with Debian's ffmpeg (argument lists, never a command string).</summary>
public static class VideoFixtures
{
    /// <summary>The hostile file names every video-reading command must treat as data: quotes that would close an
    /// argument string and add ffprobe options, leading dashes, spaces, a newline, a colon, unicode.</summary>
    public static readonly string[] HostileNames =
    [
        "a.mp4\" -o \"victim.bin\" -print_filename \"x.mp4",
        "-i evil.mp4",
        "--help.mp4",
        "sp ace 'q\".mp4",
        "new\nline.mp4",
        "a:b.mp4",
        "ünïcødé 视频.mp4",
    ];

    /// <summary>Runs ffmpeg with <paramref name="args"/> (prefixed by -nostdin -loglevel error -y) and fails the test on
    /// a non-zero exit.</summary>
    public static void Ffmpeg(params string[] args)
    {
        var psi = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["-nostdin", "-hide_banner", "-loglevel", "error", "-y", .. args]) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"ffmpeg {string.Join(' ', args)}: {err}");
    }

    /// <summary>A testsrc video of <paramref name="frames"/> frames at 8 fps, W×H, in the given pixel format, codec and
    /// container (ffmpeg's -f name).</summary>
    public static string Make(string path, int width = 16, int height = 16, int frames = 8, string codec = "libx264",
        string pixFmt = "yuv420p", string format = "mp4")
    {
        Ffmpeg("-f", "lavfi", "-i", $"testsrc=size={width}x{height}:rate=8", "-frames:v", frames.ToString(),
            "-c:v", codec, "-pix_fmt", pixFmt, "-f", format, "file:" + Path.GetFullPath(path));
        return path;
    }

    /// <summary>The full path of <paramref name="exe"/> on PATH.</summary>
    public static string Which(string exe) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, exe)).First(File.Exists);

    /// <summary>A shell script that appends every argument it gets (NUL-terminated) to <paramref name="log"/>, then runs
    /// the real tool with them.</summary>
    public static string Recorder(string scriptPath, string realTool, string log)
    {
        File.WriteAllText(scriptPath, $"#!/bin/sh\nprintf '%s\\0' \"$@\" >> '{log}'\nprintf '\\n' >> '{log}'\nexec '{realTool}' \"$@\"\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(scriptPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return scriptPath;
    }

    /// <summary>The argument lists a <see cref="Recorder"/> logged, one per call.</summary>
    public static List<string[]> Calls(string log) =>
        File.Exists(log)
            ? File.ReadAllText(log).Split("\0\n", StringSplitOptions.RemoveEmptyEntries).Select(c => c.Split('\0')).ToList()
            : [];
}
