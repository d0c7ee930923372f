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
        var channels = new Option<int>("--channels") { Description = "Latent channels c.", DefaultValueFactory = _ => 16 };
        var seed = new Option<long>("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("-o", "--output") { Description = "Output .safetensors file.", Required = true };
        var cmd = new Command("init", "Write a randomly initialised paper-family checkpoint.") { variant, channels, seed, output };
        cmd.SetAction(parse => CommandRunner.Run(() =>
        {
            var config = PaperConfig.FromVariant(parse.GetValue(variant)!, parse.GetValue(channels));
            torch.manual_seed(parse.GetValue(seed));
            using var model = new PaperAutoencoder(config);
            string path = parse.GetValue(output)!;
            PaperCheckpoint.Save(model, path);
            var (pe, pd) = PaperCost.Parameters(config);
            Console.WriteLine($"wrote {path}: {config.Variant}, c = {config.Channels}, {(pe + pd) / 1e6:F2} M parameters");
            return 0;
        }));
        return cmd;
    }
}
