using System.CommandLine;

namespace ViTok.Cli.Commands;

/// <summary><c>vitok info</c>: size, latent and cost figures of a model variant.</summary>
public static class InfoCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var variant = new Argument<string>("variant") { Description = "Model variant, e.g. S-B/16 (paper) or Ld4-Ld24/1x16x64 (v2)." };
        var cmd = new Command("info", "Print tokens, latent floats, parameters and GMACs of a variant.") { variant };
        cmd.SetAction(parse => CommandRunner.Run(() =>
        {
            Console.WriteLine(parse.GetValue(variant));
            return 0;
        }));
        return cmd;
    }
}
