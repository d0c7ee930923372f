using System.CommandLine;
using System.Text.Json;
using TorchSharp;
using ViTok.IO;
using ViTok.Metrics;
using static TorchSharp.torch;

namespace ViTok.Cli.Commands;

/// <summary><c>vitok metrics --ref A.png --test B.png [--json]</c>: PSNR and SSIM of one image pair.</summary>
public static class MetricsCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var reference = new Option<FileInfo>("--ref") { Description = "Reference image (PNG, JPEG, WebP, BMP).", Required = true };
        var test = new Option<FileInfo>("--test") { Description = "Test image of the same size (e.g. a reconstruction).", Required = true };
        var json = new Option<bool>("--json") { Description = "Print one JSON object with the keys psnr and ssim." };
        var cmd = new Command("metrics", "PSNR (dB, data range 255) and SSIM (Gaussian 11×11, σ 1.5) of an image pair, " +
                                         "as scikit-image computes them on 8-bit RGB.") { reference, test, json };
        cmd.SetAction(parse => CommandRunner.Run(() =>
        {
            string refPath = parse.GetValue(reference)!.FullName, testPath = parse.GetValue(test)!.FullName;
            using var scope = torch.NewDisposeScope();
            var a = ImageIO.Load(refPath);
            var b = ImageIO.Load(testPath);
            if (!a.shape.SequenceEqual(b.shape))
                throw new ViTokException($"{testPath}: the image is {b.shape[2]}x{b.shape[1]}, but the reference {refPath} is " +
                                         $"{a.shape[2]}x{a.shape[1]}; compare images of the same size.");
            if (a.shape[1] < 11 || a.shape[2] < 11)
                throw new ViTokException($"{refPath}: SSIM needs images of at least 11×11 pixels.");
            double psnr = Psnr.Mean(a, b), ssim = Ssim.Mean(a, b);
            if (parse.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, double> { ["psnr"] = psnr, ["ssim"] = ssim }, ViTok.IO.Json.Compact));
            else
            {
                Console.WriteLine($"psnr  {psnr:F4} dB");
                Console.WriteLine($"ssim  {ssim:F6}");
            }
            return 0;
        }));
        return cmd;
    }
}
