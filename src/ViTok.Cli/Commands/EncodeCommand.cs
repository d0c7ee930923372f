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
        var overwrite = OutputOptions.Overwrite();
        var model = new ModelOptions();
        var cmd = new Command("encode", "Encode images into latents z (deterministic), written with the latent contract; each image is stored " +
                                        "under its file name (inputs that share a name keep their folders below their common parent).") { inputs, maxTokens, json, overwrite };
        output.AddTo(cmd);
        model.AddTo(cmd);
        cmd.SetAction(parse => CommandRunner.Run(() =>
        {
            string[] paths = parse.GetValue(inputs)!;
            OutputOptions.RequireInputs(paths);
            string dest = OutputPaths.RequireFile(output.Get(parse), "-o");
            var guard = new OverwriteGuard(parse.GetValue(overwrite)).Protect(parse.GetValue(model.Checkpoint), "the checkpoint");
            foreach (string p in paths) guard.Protect(p, "an input");
            guard.Check(dest, OverwriteGuard.IsOwnLatentFile);
            var names = OutputNames.Distinct(paths, keepExtension: true, out string? note);
            if (note is not null) JsonOut.Log(parse.GetValue(json))(note);
            using var ae = model.Load(parse);
            var device = CommonOptions.ParseDevice(parse.GetValue(model.Device)!);
            var items = new List<ImageLatents>();
            try
            {
                for (int i = 0; i < paths.Length; i++)
                {
                    using var image = ImageIO.Load(paths[i]);
                    var encoded = LatentCodec.EncodeImage(ae, image.to(device), paths[i], parse.GetValue(maxTokens));
                    items.Add(encoded with { Name = names[i] });
                }
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
