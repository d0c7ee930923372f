using System.CommandLine;
using System.Globalization;
using System.Text;
using ViTok.Models;
using ViTok.Models.V2;

namespace ViTok.Cli.Commands;

/// <summary><c>vitok pretrained list</c>: the released ViTok-v2 checkpoints, their variants, parameter counts and
/// where to get the files (nothing is downloaded).</summary>
public static class PretrainedCommand
{
    /// <summary>Builds the command with its <c>list</c> subcommand.</summary>
    public static Command Create()
    {
        var json = CommonOptions.Json("Print one JSON object: models (name, variant, params_encoder, params_decoder, url).");
        var list = new Command("list", "List the released ViTok-v2 models: name, variant, parameters and where to download the files.") { json };
        list.SetAction(parse => CommandRunner.Run(() =>
        {
            if (parse.GetValue(json)) JsonOut.Print(RenderJson());
            else parse.InvocationConfiguration.Output.Write(Render());
            return 0;
        }));
        var cmd = new Command("pretrained", "Released ViTok-v2 checkpoints (the registry; weights are downloaded by you, not by vitok).") { list };
        return cmd;
    }

    /// <summary>The object printed by <c>vitok pretrained list --json</c>.</summary>
    public static System.Text.Json.Nodes.JsonObject RenderJson() => new()
    {
        ["models"] = new System.Text.Json.Nodes.JsonArray(V2Pretrained.All.Select(m => (System.Text.Json.Nodes.JsonNode?)new System.Text.Json.Nodes.JsonObject
        {
            ["name"] = m.Name,
            ["variant"] = m.Variant,
            ["params_encoder"] = m.Config.EncoderParameterCount,
            ["params_decoder"] = m.Config.DecoderParameterCount,
            ["url"] = m.Url,
        }).ToArray()),
    };

    /// <summary>The table printed by <c>vitok pretrained list</c>.</summary>
    public static string Render()
    {
        var inv = CultureInfo.InvariantCulture;
        var rows = V2Pretrained.All.Select(m =>
        {
            var c = m.Config;
            return new[] { m.Name, m.Variant, Count(c.EncoderParameterCount), Count(c.DecoderParameterCount), m.Url };
        }).ToList();
        string[] head = ["name", "variant", "encoder", "decoder", "files (encoder.safetensors, decoder.safetensors)"];
        var widths = Enumerable.Range(0, head.Length).Select(i => rows.Select(r => r[i].Length).Append(head[i].Length).Max()).ToArray();
        var sb = new StringBuilder();
        void Line(string[] cells) =>
            sb.AppendLine(string.Join("  ", cells.Select((s, i) => i is 2 or 3 ? s.PadLeft(widths[i]) : s.PadRight(widths[i]))).TrimEnd());
        Line(head);
        foreach (var r in rows) Line(r);
        sb.AppendLine();
        sb.AppendLine("Parameter counts are computed from each variant. Nothing is downloaded by vitok: fetch encoder.safetensors and");
        sb.AppendLine("decoder.safetensors from the address above into one folder (e.g. `huggingface-cli download <repo> --local-dir DIR`)");
        sb.AppendLine("and pass that folder; the variant comes from --variant, a variant.txt beside the files, or the folder name when it is a");
        sb.AppendLine("released name (e.g. ViTok-v2-350M-f16x64).");
        return sb.ToString();

        string Count(long n) => n >= 1_000_000_000 ? (n / 1e9).ToString("F2", inv) + " B" : (n / 1e6).ToString("F2", inv) + " M";
    }
}
