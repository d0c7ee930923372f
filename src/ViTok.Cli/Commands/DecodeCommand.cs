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
        var overwrite = OutputOptions.Overwrite();
        var model = new ModelOptions();
        var cmd = new Command("decode", "Decode a latent file into 8-bit RGB PNGs named after the encoded images (stored folders are kept; " +
                                        "names that would collide are made distinct).") { input, output, overwrite };
        model.AddTo(cmd);
        cmd.SetAction(parse => CommandRunner.Run(() =>
        {
            string path = parse.GetValue(input)!;
            OutputOptions.RequireInputs([path]);
            string outDir = OutputPaths.RequireFolder(parse.GetValue(output), "-o");
            var (contract, items) = LatentFile.Read(path);
            try
            {
                var dests = OutputOptions.Destinations(outDir, [.. items.Select(i => i.Name)], _ => ".png", storedNames: true);
                var guard = new OverwriteGuard(parse.GetValue(overwrite)).Protect(path, "the input").Protect(parse.GetValue(model.Checkpoint), "the checkpoint");
                foreach (string d in dests) guard.Check(d, ImageIO.IsOwnPng);
                using var ae = model.Load(parse);
                if (contract.Family != ae.Family || contract.Variant != ae.Variant || contract.Channels != ae.Channels)
                    throw new ViTokException($"{path}: latents of {contract.Family} {contract.Variant} (c = {contract.Channels}) cannot be decoded by {ae.Family} {ae.Variant} (c = {ae.Channels}); pass the checkpoint that encoded them.");
                for (int i = 0; i < items.Count; i++)
                {
                    var item = items[i];
                    string dest = dests[i];
                    using var image = ImageCodec.Decode(ae, item);
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
