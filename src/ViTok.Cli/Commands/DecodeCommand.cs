using System.CommandLine;
using ViTok.IO;
using ViTok.Models;

namespace ViTok.Cli.Commands;

/// <summary><c>vitok decode</c>: a latent file back to 8-bit PNGs.</summary>
public static class DecodeCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var input = new Argument<string>("latents") { Description = "A latents file written by vitok encode." };
        var output = new Option<string>("-o", "--output") { Description = "Output folder.", Required = true };
        var model = new ModelOptions();
        var cmd = new Command("decode", "Decode a latent file into 8-bit PNGs named after the encoded images.") { input, output };
        model.AddTo(cmd);
        cmd.SetAction(parse => CommandRunner.Run(() =>
        {
            string path = parse.GetValue(input)!;
            var (contract, items) = LatentFile.Read(path);
            try
            {
                using var ae = model.Load(parse);
                if (contract.Family != ae.Family || contract.Variant != ae.Variant || contract.Channels != ae.Channels)
                    throw new ViTokException($"{path}: latents of {contract.Family} {contract.Variant} (c = {contract.Channels}) cannot be decoded by {ae.Family} {ae.Variant} (c = {ae.Channels}); pass the checkpoint that encoded them.");
                string outDir = parse.GetValue(output)!;
                Directory.CreateDirectory(outDir);
                foreach (var item in items)
                {
                    using var image = ImageCodec.Decode(ae, item);
                    string dest = Path.Combine(outDir, Path.GetFileNameWithoutExtension(item.Name) + ".png");
                    ImageIO.SavePng(image, dest);
                    Console.WriteLine($"{item.Name} -> {dest}");
                }
            }
            finally
            {
                foreach (var i in items) i.Dispose();
            }
            return 0;
        }));
        return cmd;
    }
}
