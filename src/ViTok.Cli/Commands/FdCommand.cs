using System.CommandLine;
using System.Text.Json;
using TorchSharp;
using ViTok.IO;
using ViTok.Metrics;
using static TorchSharp.torch;

namespace ViTok.Cli.Commands;

/// <summary><c>vitok fd a.npy b.npy [--json]</c>: Fréchet distance between two feature sets stored as .npy.</summary>
public static class FdCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var a = new Argument<FileInfo>("a") { Description = "Features [N, D] as .npy (float32 or float64)." };
        var b = new Argument<FileInfo>("b") { Description = "Features [M, D] as .npy, same D." };
        var json = CommonOptions.Json("Print one JSON object with the key frechet_distance.");
        var cmd = new Command("fd", "Fréchet distance between Gaussians fitted to two feature sets (float64; copes with " +
                                   "fewer samples than dimensions).") { a, b, json };
        cmd.SetAction(parse => CommandRunner.Run(() =>
        {
            string pa = parse.GetValue(a)!.FullName, pb = parse.GetValue(b)!.FullName;
            using var scope = torch.NewDisposeScope();
            var fa = ReadFeatures(pa);
            var fb = ReadFeatures(pb);
            if (fa.shape[1] != fb.shape[1])
                throw new ViTokException($"{pb}: features have dimension {fb.shape[1]}, but {pa} has {fa.shape[1]}; " +
                                         "both sets must come from the same extractor.");
            double fd = FrechetDistance.Compute(fa, fb);
            if (parse.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, double> { ["frechet_distance"] = fd }, ViTok.IO.Json.Compact));
            else
                Console.WriteLine($"frechet distance  {fd:F6}  ({fa.shape[0]} vs {fb.shape[0]} samples, {fa.shape[1]} dims)");
            return 0;
        }));
        return cmd;
    }

    private static Tensor ReadFeatures(string path)
    {
        var t = Npy.Read(path);
        if (t.dim() != 2)
            throw new ViTokException($"{path}: expected a 2-D array [samples, features], got shape ({string.Join(", ", t.shape)}).");
        if (t.shape[0] < 2)
            throw new ViTokException($"{path}: a covariance needs at least 2 samples, the file has {t.shape[0]}.");
        if (!torch.isfinite(t).all().item<bool>())
            throw new ViTokException($"{path}: the features contain NaN or infinity.");
        return t;
    }
}
