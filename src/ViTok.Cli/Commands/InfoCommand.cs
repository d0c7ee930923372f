using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using ViTok.Models;

namespace ViTok.Cli.Commands;

/// <summary><c>vitok info</c>: tokens, latent floats, parameters and GMACs of a model variant.</summary>
public static class InfoCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var variant = new Argument<string>("variant") { Description = "Model variant, e.g. S-B/16, S-B/4x8 (paper) or Ld4-Ld24/1x16x64 (v2)." };
        var family = new Option<string>("--family") { Description = "Model family: paper or v2.", DefaultValueFactory = _ => "paper" };
        var channels = new Option<int>("--channels") { Description = "Latent channels c (paper family).", DefaultValueFactory = _ => 16 };
        var size = new Option<string>("--size") { Description = "Input size S or HxW.", DefaultValueFactory = _ => "256" };
        var frames = new Option<int?>("--frames") { Description = "Frames T (default 1 for images, 16 when q > 1)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        var cmd = new Command("info", "Print tokens, latent floats, parameters and GMACs per sample of a variant.")
        {
            variant, family, channels, size, frames, json,
        };
        cmd.SetAction(parse => CommandRunner.Run(() =>
        {
            var (h, w) = ParseSize(parse.GetValue(size)!);
            var info = Build(parse.GetValue(variant)!, parse.GetValue(family)!, parse.GetValue(channels), parse.GetValue(frames), h, w);
            Console.WriteLine(parse.GetValue(json) ? ToJson(info) : ToText(info));
            return 0;
        }));
        return cmd;
    }

    /// <summary>Parses "S" or "HxW".</summary>
    public static (long H, long W) ParseSize(string text)
    {
        var parts = text.Split('x', 'X', '×');
        if (parts.Length is 1 or 2 && parts.All(p => long.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0))
        {
            long h = long.Parse(parts[0], CultureInfo.InvariantCulture);
            return (h, parts.Length == 2 ? long.Parse(parts[1], CultureInfo.InvariantCulture) : h);
        }
        throw new ViTokException($"--size '{text}': expected a size S or HxW, e.g. 256 or 256x384");
    }

    private static ModelInfo Build(string variant, string family, int channels, int? frames, long h, long w)
    {
        switch (family)
        {
            case "paper":
                if (!PaperVariant.TryParse(variant, out _, out string why) && V2Variant.TryParse(variant, out _, out _))
                    throw new ViTokException($"'{variant}' is not a paper-family variant ({why}); it reads as a ViTok-v2 variant: add --family v2");
                var c = PaperConfig.FromVariant(variant, channels);
                long t = frames ?? (c.TubeletSize == 1 ? 1 : 16);
                c.ValidateInputSize(t, h, w, isImage: c.TubeletSize == 1 && t == 1);
                return ModelInfo.ForPaper(c, t, h, w);
            case "v2":
                return ModelInfo.ForV2(V2Config.FromName(variant), h, w);
            default:
                throw new ViTokException($"--family '{family}': expected paper or v2");
        }
    }

    /// <summary>The <c>--json</c> object.</summary>
    public static string ToJson(ModelInfo i) => new JsonObject
    {
        ["family"] = i.Family,
        ["variant"] = i.Variant,
        ["channels"] = i.Channels,
        ["frames"] = i.Frames,
        ["height"] = i.Height,
        ["width"] = i.Width,
        ["tokens"] = i.Tokens,
        ["latent_floats"] = i.LatentFloats,
        ["params_encoder"] = i.ParamsEncoder,
        ["params_decoder"] = i.ParamsDecoder,
        ["params_total"] = i.ParamsTotal,
        ["gmacs_encoder"] = Math.Round(i.GmacsEncoder, 4),
        ["gmacs_decoder"] = Math.Round(i.GmacsDecoder, 4),
        ["gmacs_total"] = Math.Round(i.GmacsTotal, 4),
    }.ToJsonString();

    private static string ToText(ModelInfo i)
    {
        var inv = CultureInfo.InvariantCulture;
        return string.Join('\n',
            $"{i.Family} {i.Variant}, c = {i.Channels}, input {(i.Frames > 1 ? $"{i.Frames} frames of " : "")}{i.Width}x{i.Height}",
            $"  tokens         {i.Tokens}",
            $"  latent floats  {i.LatentFloats} (E)",
            string.Format(inv, "  parameters     {0:F2} M encoder + {1:F2} M decoder = {2:F2} M", i.ParamsEncoder / 1e6, i.ParamsDecoder / 1e6, i.ParamsTotal / 1e6),
            string.Format(inv, "  GMACs/sample   {0:F2} encoder + {1:F2} decoder = {2:F2}", i.GmacsEncoder, i.GmacsDecoder, i.GmacsTotal));
    }
}
