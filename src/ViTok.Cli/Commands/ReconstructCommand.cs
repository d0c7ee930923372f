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
        var checkpoint = new Option<string>("--checkpoint") { Description = "A paper-family .safetensors checkpoint.", Required = true };
        var output = new Option<string>("-o", "--output") { Description = "Output folder.", Required = true };
        var device = CommonOptions.Device();
        var dtype = CommonOptions.DType();
        var cmd = new Command("reconstruct", "Encode and decode images; write 8-bit PNGs under the same names.")
        {
            inputs, checkpoint, output, device, dtype,
        };
        cmd.SetAction(parse => CommandRunner.Run(() =>
        {
            var dev = CommonOptions.ParseDevice(parse.GetValue(device)!);
            var dt = CommonOptions.ParseDType(parse.GetValue(dtype)!);
            using var model = PaperCheckpoint.Load(parse.GetValue(checkpoint)!, dev);
            model.to(dt);
            string outDir = parse.GetValue(output)!;
            Directory.CreateDirectory(outDir);
            foreach (string path in parse.GetValue(inputs)!)
            {
                using var scope = torch.NewDisposeScope();
                var image = ImageIO.Load(path).to(dev);
                var recon = model.ReconstructImage(image);
                string dest = Path.Combine(outDir, Path.GetFileNameWithoutExtension(path) + ".png");
                ImageIO.SavePng(recon, dest);
                Console.WriteLine($"{path} -> {dest}");
            }
            return 0;
        }));
        return cmd;
    }
}
