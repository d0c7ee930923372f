using System.CommandLine;
using ViTok.IO;
using ViTok.Models;

namespace ViTok.Cli.Commands;

/// <summary><c>vitok reconstruct</c>: images through a tokenizer and back, written as 8-bit PNGs under the same names.</summary>
public static class ReconstructCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var inputs = new Argument<string[]>("inputs") { Description = "Image files (PNG, JPEG, WebP, BMP).", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("-o", "--output") { Description = "Output folder.", Required = true };
        var maxTokens = new Option<int>("--max-tokens") { Description = "ViTok-v2 token budget per image (larger images are shrunk).", DefaultValueFactory = _ => 256 };
        var model = new ModelOptions();
        var cmd = new Command("reconstruct", "Encode and decode images; write 8-bit PNGs under the same names.") { inputs, output, maxTokens };
        model.AddTo(cmd);
        cmd.SetAction(parse => CommandRunner.Run(() =>
        {
            using var ae = model.Load(parse);
            string outDir = parse.GetValue(output)!;
            Directory.CreateDirectory(outDir);
            var device = CommonOptions.ParseDevice(parse.GetValue(model.Device)!);
            foreach (string path in parse.GetValue(inputs)!)
            {
                using var scope = torch.NewDisposeScope();
                var image = ImageIO.Load(path).to(device);
                using var latents = ImageCodec.Encode(ae, image, path, parse.GetValue(maxTokens));
                var recon = ImageCodec.Decode(ae, latents);
                string dest = Path.Combine(outDir, Path.GetFileNameWithoutExtension(path) + ".png");
                ImageIO.SavePng(recon, dest);
                string resized = (latents.ProcessedHeight, latents.ProcessedWidth) == (latents.OriginalHeight, latents.OriginalWidth)
                    ? "" : $" (shrunk to {latents.ProcessedHeight}×{latents.ProcessedWidth} for the token budget)";
                Console.WriteLine($"{path} -> {dest}{resized}");
            }
            return 0;
        }));
        return cmd;
    }
}
