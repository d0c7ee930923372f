using System.CommandLine;
using ViTok.IO;

namespace ViTok.Cli.Commands;

/// <summary>The <c>--overwrite</c> flag and the checks every writing command makes before its work: inputs exist, the
/// destination is usable, and no output replaces an input, the checkpoint or a file vitok did not write.</summary>
public static class OutputOptions
{
    /// <summary><c>--overwrite</c>: allow outputs to replace inputs, the checkpoint or files vitok did not write.</summary>
    public static Option<bool> Overwrite() => new("--overwrite")
    {
        Description = "Replace existing files even when they are inputs of this command, the checkpoint, or were not written by vitok " +
                      "(without it such outputs are refused; earlier vitok outputs are always replaced).",
    };

    /// <summary>Checks that every input path is given and exists (before any model is loaded).</summary>
    /// <exception cref="ViTokException">An empty or missing input.</exception>
    public static void RequireInputs(IEnumerable<string> inputs)
    {
        foreach (string p in inputs)
        {
            if (string.IsNullOrWhiteSpace(p)) throw new ViTokException("an input path is empty; give image or video files.");
            if (!File.Exists(p))
                throw new ViTokException(Directory.Exists(p) ? $"{p}: is a folder; give image files (e.g. {Path.Combine(p, "*.png")})." : $"{p}: file not found.");
        }
    }

    /// <summary>Destination paths (in <paramref name="outDir"/>) for <paramref name="inputs"/>: distinct names
    /// (<see cref="OutputNames"/>) with <paramref name="extension"/>, the note printed on stdout when names were made
    /// distinct (through <paramref name="log"/>: stdout, or stderr under --json).</summary>
    public static IReadOnlyList<string> Destinations(string outDir, IReadOnlyList<string> inputs, Func<string, string> extension, Action<string> log,
        bool storedNames = false)
    {
        var names = OutputNames.Distinct(inputs, keepExtension: false, out string? note, storedNames);
        if (note is not null) log(note);
        return [.. names.Select((n, i) => Path.Combine(outDir, n + extension(inputs[i])))];
    }
}
