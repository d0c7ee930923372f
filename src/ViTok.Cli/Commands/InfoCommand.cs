using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using ViTok.Models;
using ViTok.Models.Paper;
using ViTok.Models.V2;

namespace ViTok.Cli.Commands;

/// <summary><c>vitok info</c>: tokens, latent floats, parameters and GMACs of a model variant.</summary>
public static class InfoCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var variant = new Argument<string>("variant") { Description = "Model variant, e.g. S-B/16, S-B/4x8 (paper) or Ld4-Ld24/1x16x64 (v2)." };
        var family = new Option<string>("--family") { Description = "Model family: paper or v2.", DefaultValueFactory = _ => "paper" };
        var channels = new Option<int>("--channels") { Description = "Latent channels c (paper family).", DefaultValueFactory = _ => 16 }.Range(1, 4096);
        var size = new Option<string>("--size") { Description = "Input size S or HxW.", DefaultValueFactory = _ => "256" };
        var frames = new Option<int?>("--frames") { Description = "Frames T, 1 to 4096 (default 1 for images, 16 when q > 1)." }.Range(1, 4096);
        var json = CommonOptions.Json("Print one JSON object: family, variant, channels, frames, height, width, tokens, latent_floats, params_*, gmacs_*; " +
                                      "with --memory also batch, dtype and memory_* (bytes; see the README).");
        var memory = new Option<bool>("--memory") { Description = "Also estimate memory: weights, activations and peak bytes of encode, decode and one training step (with and without activation checkpointing)." };
        var batch = new Option<int>("--batch") { Description = "Batch size for --memory.", DefaultValueFactory = _ => 1 }.Range(1, 1 << 16);
        var dtype = CommonOptions.DType();
        var cmd = new Command("info", "Print tokens, latent floats, parameters and GMACs per sample of a variant (and, with --memory, a memory estimate).")
        {
            variant, family, channels, size, frames, memory, batch, dtype, json,
        };
        cmd.SetAction(parse => CommandRunner.Run(() =>
        {
            var (h, w) = ParseSize(parse.GetValue(size)!);
            var info = Build(parse.GetValue(variant)!, parse.GetValue(family)!, parse.GetValue(channels), parse.GetValue(frames), h, w);
            if (!parse.GetValue(memory))
            {
                Console.WriteLine(parse.GetValue(json) ? ToJson(info) : ToText(info));
                return 0;
            }
            var dt = CommonOptions.ParseDType(parse.GetValue(dtype)!);
            int bytes = dt == ScalarType.Float32 ? 4 : 2;
            long b = parse.GetValue(batch);
            // Like Build, by the --family the user chose (a variant string, no model is built).
            var est = parse.GetValue(family) switch
            {
                "paper" => MemoryEstimate.ForPaper(PaperConfig.FromVariant(info.Variant, info.Channels), info.Frames, h, w, b, bytes),
                _ => MemoryEstimate.ForV2(V2Config.FromName(info.Variant), h, w, b, bytes),
            };
            string dtypeName = dt == ScalarType.Float32 ? "f32" : "bf16";
            Console.WriteLine(parse.GetValue(json) ? MemoryJson(info, est, b, dtypeName) : ToText(info) + "\n" + MemoryText(est, b, dtypeName));
            return 0;
        }));
        return cmd;
    }

    /// <summary>Parses "S" or "HxW".</summary>
    public static (long H, long W) ParseSize(string text)
    {
        var parts = text.Split('x', 'X', '×');
        if (parts.Length is 1 or 2 && parts.All(p => long.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0 && v <= MaxSide))
        {
            long h = long.Parse(parts[0], CultureInfo.InvariantCulture);
            return (h, parts.Length == 2 ? long.Parse(parts[1], CultureInfo.InvariantCulture) : h);
        }
        throw new ViTokException($"--size '{text}': expected a size S or HxW from 1 to {MaxSide}, e.g. 256 or 256x384");
    }

    /// <summary>The largest image side the commands accept (pixels).</summary>
    public const int MaxSide = 16384;

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

    /// <summary>The <c>--json</c> object with <c>--memory</c>: the plain keys plus <c>batch</c>, <c>dtype</c> and
    /// <c>memory_*</c> byte counts.</summary>
    public static string MemoryJson(ModelInfo i, MemoryEstimate m, long batch, string dtype)
    {
        var o = JsonNode.Parse(ToJson(i))!.AsObject();
        o["batch"] = batch;
        o["dtype"] = dtype;
        o["memory_runtime_bytes"] = MemoryEstimate.RuntimeBytes;
        o["memory_weights_bytes"] = m.WeightBytes;
        o["memory_encode_activations_bytes"] = m.EncodeActivationBytes;
        o["memory_encode_peak_bytes"] = m.EncodePeakBytes;
        o["memory_decode_activations_bytes"] = m.DecodeActivationBytes;
        o["memory_decode_peak_bytes"] = m.DecodePeakBytes;
        o["memory_train_state_bytes"] = m.TrainStateBytes;
        o["memory_train_activations_bytes"] = m.TrainActivationBytes;
        o["memory_train_peak_bytes"] = m.TrainPeakBytes;
        o["memory_train_checkpointed_activations_bytes"] = m.TrainCheckpointedActivationBytes;
        o["memory_train_checkpointed_peak_bytes"] = m.TrainCheckpointedPeakBytes;
        return o.ToJsonString();
    }

    private static string MemoryText(MemoryEstimate m, long batch, string dtype)
    {
        var inv = CultureInfo.InvariantCulture;
        static double Gb(long v) => v / 1e9;
        return string.Join('\n',
            $"  memory (estimate, batch {batch}, {dtype}; runtime {Gb(MemoryEstimate.RuntimeBytes).ToString("F2", inv)} GB included in the peaks)",
            string.Format(inv, "    weights                  {0,8:F2} GB", Gb(m.WeightBytes)),
            string.Format(inv, "    encode                   {0,8:F2} GB activations, peak {1:F2} GB", Gb(m.EncodeActivationBytes), Gb(m.EncodePeakBytes)),
            string.Format(inv, "    decode                   {0,8:F2} GB activations, peak {1:F2} GB", Gb(m.DecodeActivationBytes), Gb(m.DecodePeakBytes)),
            string.Format(inv, "    training step            {0,8:F2} GB activations + {1:F2} GB gradients and AdamW, peak {2:F2} GB", Gb(m.TrainActivationBytes), Gb(m.TrainStateBytes), Gb(m.TrainPeakBytes)),
            string.Format(inv, "    training, checkpointing  {0,8:F2} GB activations, peak {1:F2} GB", Gb(m.TrainCheckpointedActivationBytes), Gb(m.TrainCheckpointedPeakBytes)));
    }

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
