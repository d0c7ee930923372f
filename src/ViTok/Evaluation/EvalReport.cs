using System.Globalization;
using System.Text;
using ViTok.IO;

namespace ViTok.Evaluation;

/// <summary>Writes an <see cref="EvalResult"/> as a Markdown report (atomically) with the best and worst
/// reconstructions as a PNG grid beside it (<c>&lt;name&gt;-grid.png</c>): for images, labelled rows original /
/// reconstruction / difference (|x̂ − x| × 4) with tiles upscaled and each column captioned with its rank and PSNR, best
/// first, worst last; for clips, two rows per clip (original frames, reconstructed frames, at most 8 frames evenly
/// spaced). Best and worst are ranked by relative error (MSE over the original's pixel variance), not by PSNR.</summary>
public static class EvalReport
{
    /// <summary>Most frames of a clip shown in the grid.</summary>
    public const int GridFrames = 8;

    /// <summary>The grid's path for a report path: <c>dir/name.md</c> → <c>dir/name-grid.png</c>.</summary>
    public static string GridPathFor(string reportPath) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(reportPath))!, Path.GetFileNameWithoutExtension(reportPath) + "-grid.png");

    /// <summary>Writes the report to <paramref name="path"/> and, when there are examples, the grid beside it; returns
    /// the grid's path (null without examples). <paramref name="checkpoint"/> is shown as the model's origin.</summary>
    /// <exception cref="ViTokException">The report or the grid cannot be written (the message names the path); a grid
    /// written for a report that then failed is removed again.</exception>
    public static string? Write(EvalResult r, string path, string? checkpoint = null)
    {
        string? grid = null;
        var examples = r.Best.Concat(r.Worst).ToList();
        if (examples.Count > 0)
        {
            grid = GridPathFor(path);
            WriteGrid(examples, r.Best.Count, grid);
        }
        try
        {
            AtomicFile.WriteAllText(path, Markdown(r, checkpoint, grid is null ? null : Path.GetFileName(grid)));
        }
        catch (ViTokException)
        {
            if (grid is not null && File.Exists(grid)) File.Delete(grid);
            throw;
        }
        return grid;
    }

    /// <summary>True when <paramref name="path"/> is a report written by <see cref="Write"/> (it starts with the
    /// report's title line).</summary>
    public static bool IsOwnReport(string path)
    {
        try
        {
            using var reader = new StreamReader(path);
            return reader.ReadLine()?.StartsWith("# ViTok evaluation", StringComparison.Ordinal) == true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The report text; <paramref name="gridFile"/> is the grid's file name relative to the report.</summary>
    public static string Markdown(EvalResult r, string? checkpoint, string? gridFile)
    {
        var s = new StringBuilder();
        string items = r.Frames > 0 ? "clips" : "images";
        string shape = r.Frames > 0 ? $"{r.Frames} frames of {r.Width}x{r.Height}" : $"{r.Width}x{r.Height}";
        s.AppendLine(r.Variant is null ? "# ViTok evaluation: generated vs reference" : $"# ViTok evaluation: {r.Family} {r.Variant}");
        s.AppendLine();
        s.AppendLine("| | |");
        s.AppendLine("| --- | --- |");
        if (checkpoint is not null) s.AppendLine($"| checkpoint | `{checkpoint}` |");
        s.AppendLine($"| data | `{r.Data}` ({r.Kind}) |");
        s.AppendLine($"| items | {r.Count} {items} of {shape}" + (r.ReferenceCount != r.Count ? $" (reference: {r.ReferenceCount})" : "") +
                     (r.Skipped > 0 ? $", {r.Skipped} unreadable skipped" : "") + " |");
        s.AppendLine($"| date | {DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC |");
        s.AppendLine();
        s.AppendLine("## Metrics");
        s.AppendLine();
        s.AppendLine("Inputs, references and reconstructions are quantised to 8 bits before every metric.");
        s.AppendLine();
        s.AppendLine("| metric | value | how |");
        s.AppendLine("| --- | ---: | --- |");
        foreach (var m in r.Metrics) s.AppendLine($"| `{m.Key}` | {Num(m.Value)} | {m.Description} |");
        s.AppendLine();
        s.AppendLine("## Cost");
        s.AppendLine();
        s.AppendLine("| | |");
        s.AppendLine("| --- | ---: |");
        if (r.Variant is not null)
        {
            s.AppendLine($"| reconstruct throughput | {Num(r.ItemsPerSecond ?? double.NaN)} {items}/s ({Num(r.ReconstructSeconds ?? double.NaN)} s) |");
            s.AppendLine($"| GMACs per item | {Num(r.Gmacs ?? double.NaN)} |");
            s.AppendLine($"| latent floats E | {r.LatentFloats} |");
        }
        s.AppendLine($"| wall time (loading, reconstruction, metrics) | {Num(r.WallSeconds)} s |");
        if (gridFile is not null)
        {
            s.AppendLine();
            s.AppendLine("## Best and worst reconstructions (by relative error: MSE over the original's pixel variance)");
            s.AppendLine();
            s.AppendLine($"![best and worst reconstructions]({gridFile})");
            s.AppendLine();
            s.AppendLine(r.Frames > 0
                ? "Two rows per clip, in the order below: original frames, then reconstructed frames."
                : "Rows: originals, reconstructions, |difference| × 4; columns in the order below. Ranked by relative error " +
                  "(mean squared error divided by the original's pixel variance), which is fair across images of different contrast; " +
                  "PSNR alone would call the flattest, darkest images best.");
            s.AppendLine();
            s.AppendLine("| # | kind | item | relative error | PSNR (dB) |");
            s.AppendLine("| ---: | --- | --- | ---: | ---: |");
            int k = 1;
            foreach (var e in r.Best) s.AppendLine($"| {k++} | best | `{e.Source}` | {Num(e.RelativeError)} | {Num(e.Psnr)} |");
            foreach (var e in r.Worst) s.AppendLine($"| {k++} | worst | `{e.Source}` | {Num(e.RelativeError)} | {Num(e.Psnr)} |");
        }
        if (r.Notes.Count > 0)
        {
            s.AppendLine();
            s.AppendLine("## Notes");
            s.AppendLine();
            foreach (var n in r.Notes) s.AppendLine($"- {n}");
        }
        return s.ToString();
    }

    private static void WriteGrid(IReadOnlyList<EvalExample> examples, int best, string path)
    {
        using var scope = torch.NewDisposeScope();
        var rows = new List<Tensor>();
        if (examples[0].Frames == 0)
        {
            var original = torch.stack(examples.Select(e => e.OriginalTensor()));          // [K, 3, H, W]
            var reconstruction = torch.stack(examples.Select(e => e.ReconstructionTensor()));
            var difference = torch.sub(reconstruction, original).abs().Times(4.0).clamp(Scalars.Of(0L), Scalars.Of(2L)).Minus(1.0);   // |x̂ − x| × 4, black = exact
            var captions = examples.Select((e, i) => (i < best ? $"best {i + 1}" : $"worst {i - best + 1}") + $" {e.Psnr.ToString("F1", CultureInfo.InvariantCulture)} dB").ToList();
            ViTok.Plots.LabelledGrid.Save([original, reconstruction, difference], ["original", "reconstruction", "|difference| x4"], captions, path);
            return;
        }
        else
        {
            int t = examples[0].Frames, shown = Math.Min(GridFrames, t);
            var pick = Enumerable.Range(0, shown).Select(i => shown == 1 ? 0L : (long)Math.Round(i * (t - 1) / (double)(shown - 1))).ToArray();
            var index = torch.tensor(pick);
            foreach (var e in examples)
            {
                rows.Add(e.OriginalTensor().index_select(1, index).permute(1, 0, 2, 3));        // [frames, 3, H, W]
                rows.Add(e.ReconstructionTensor().index_select(1, index).permute(1, 0, 2, 3));
            }
        }
        ImageGrid.Save(rows, path);
    }

    private static string Num(double v) => double.IsPositiveInfinity(v) ? "∞" : double.IsNaN(v) ? "n/a"
        : Math.Abs(v) >= 1000 ? v.ToString("F1", CultureInfo.InvariantCulture)
        : v.ToString("G6", CultureInfo.InvariantCulture);
}
