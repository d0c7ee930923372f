using System.CommandLine;
using System.Text.Json;
using ViTok.IO;
using ViTok.Metrics;

namespace ViTok.Cli.Commands;

/// <summary><c>vitok metrics --ref A.png --test B.png [--json]</c>: PSNR and SSIM of one image pair.</summary>
public static class MetricsCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var reference = new Option<FileInfo>("--ref") { Description = "Reference image (PNG, JPEG, WebP, BMP).", Required = true };
        var test = new Option<FileInfo>("--test") { Description = "Test image of the same size (e.g. a reconstruction).", Required = true };
        var json = CommonOptions.Json("Print one JSON object with the keys psnr (dB; null when the images are identical), identical (1 or 0) and ssim.");
        var cmd = new Command("metrics", "PSNR (dB, data range 255) and SSIM (Gaussian 11×11, σ 1.5) of an image pair, " +
                                         "as scikit-image computes them on 8-bit RGB.") { reference, test, json };
        cmd.SetAction(parse => CommandRunner.Run(() =>
        {
            string refPath = parse.GetValue(reference)!.FullName, testPath = parse.GetValue(test)!.FullName;
            // 8-bit pixels only (3 bytes a pixel); ImagePairMetrics converts them to float a strip at a time, so an
            // 8192² pair needs a few hundred MB instead of many float64 copies of both images.
            // A decode leaves the encoded file's bytes as large-object garbage; collecting it after each image keeps
            // it out of the next decode's and the strips' peak (8192² photo pair: 1.80 → 1.64 GB peak RSS).
            var (a, ah, aw) = ImageIO.LoadRgb8(refPath);
            GC.Collect();
            var (b, bh, bw) = ImageIO.LoadRgb8(testPath);
            GC.Collect();
            if (ah != bh || aw != bw)
                throw new ViTokException($"{testPath}: the image is {bw}x{bh}, but the reference {refPath} is " +
                                         $"{aw}x{ah}; compare images of the same size.");
            if (ah < 11 || aw < 11)
                throw new ViTokException($"{refPath}: SSIM needs images of at least 11×11 pixels.");
            var (psnr, ssim) = ImagePairMetrics.OfRgb8(a, b, ah, aw);
            if (parse.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
                {
                    // psnr is null exactly when the images are identical (identical = 1): +∞ is not a JSON number.
                    ["psnr"] = ViTok.IO.Json.FiniteOrNull(psnr),
                    ["identical"] = double.IsPositiveInfinity(psnr) ? 1 : 0,
                    ["ssim"] = ViTok.IO.Json.FiniteOrNull(ssim),
                }, ViTok.IO.Json.Compact));
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
