using System.CommandLine;
using ViTok.IO;
using ViTok.Models;

namespace ViTok.Cli.Commands;

/// <summary><c>vitok encode</c>: images to a latent file with its contract.</summary>
public static class EncodeCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var inputs = new Argument<string[]>("inputs") { Description = "Image files.", Arity = ArgumentArity.OneOrMore };
        var output = CommonOptions.Output("Output latents .safetensors file.", required: true);
        var maxTokens = new Option<int>("--max-tokens") { Description = "ViTok-v2 token budget per image.", DefaultValueFactory = _ => 256 }.Range(1, 1 << 20);
        var json = CommonOptions.Json("Print one JSON object: output, images, latent_floats, family, variant, channels.");
        var model = new ModelOptions();
        var cmd = new Command("encode", "Encode images into latents z (deterministic), written with the latent contract.") { inputs, maxTokens, json };
        output.AddTo(cmd);
        model.AddTo(cmd);
        cmd.SetAction(parse => CommandRunner.Run(() =>
        {
            using var ae = model.Load(parse);
            var device = CommonOptions.ParseDevice(parse.GetValue(model.Device)!);
            var items = new List<ImageLatents>();
            try
            {
                foreach (string path in parse.GetValue(inputs)!)
                {
                    using var image = ImageIO.Load(path);
                    items.Add(ImageCodec.Encode(ae, image.to(device), Path.GetFileName(path), parse.GetValue(maxTokens)));
                }
                string dest = output.Get(parse)!;
                LatentFile.Write(dest, LatentFile.ContractOf(ae), items);
                long floats = items.Sum(i => i.Z.numel());
                if (parse.GetValue(json))
                    JsonOut.Print(new System.Text.Json.Nodes.JsonObject
                    {
                        ["output"] = Path.GetFullPath(dest), ["images"] = items.Count, ["latent_floats"] = floats,
                        ["family"] = ae.Family, ["variant"] = ae.Variant, ["channels"] = ae.Channels,
                    });
                else
                    Console.WriteLine($"wrote {dest}: {items.Count} image(s), {floats} latent floats, {ae.Family} {ae.Variant}");
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
