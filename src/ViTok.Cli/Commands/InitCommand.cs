using System.CommandLine;
using ViTok.IO;
using ViTok.Models;
using ViTok.Models.Paper;

namespace ViTok.Cli.Commands;

/// <summary><c>vitok init</c>: writes a randomly initialised paper-family checkpoint.</summary>
public static class InitCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var variant = new Argument<string>("variant") { Description = "Paper-family variant, e.g. S-B/16 or Sw64d2h4-Bw64d2h4/8." };
        var channels = new Option<int>("--channels") { Description = "Latent channels c.", DefaultValueFactory = _ => 16 }.Range(1, 4096);
        var seed = CommonOptions.Seed("Random seed.");
        var output = CommonOptions.Output("Output .safetensors file.", required: true);
        var json = CommonOptions.Json("Print one JSON object: output, variant, channels, params_total.");
        var cmd = new Command("init", "Write a randomly initialised paper-family checkpoint.") { variant, channels, json };
        seed.AddTo(cmd);
        output.AddTo(cmd);
        cmd.SetAction(parse => CommandRunner.Run(() =>
        {
            var config = PaperConfig.FromVariant(parse.GetValue(variant)!, parse.GetValue(channels));
            torch.manual_seed(seed.Get(parse));
            using var model = new PaperAutoencoder(config);
            string path = output.Get(parse)!;
            PaperCheckpoint.Save(model, path);
            var (pe, pd) = PaperCost.Parameters(config);
            if (parse.GetValue(json))
                JsonOut.Print(new System.Text.Json.Nodes.JsonObject
                {
                    ["output"] = Path.GetFullPath(path), ["variant"] = config.Variant, ["channels"] = config.Channels, ["params_total"] = pe + pd,
                });
            else
                Console.WriteLine($"wrote {path}: {config.Variant}, c = {config.Channels}, {(pe + pd) / 1e6:F2} M parameters");
            return 0;
        }));
        return cmd;
    }
}
