using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using ViTok.Benchmarks;
using ViTok.IO;

namespace ViTok.Cli.Commands;

/// <summary><c>vitok bench MODE</c>: times a tokenizer (encode, decode, both, or one training-loop step) with
/// warm-up and repeats, the cost model's GFLOP/s, a GEMM roof measured in the same process, peak memory; with
/// <c>--compare KEY=VALUE,…</c> a second setting runs interleaved and the speed-up B/A is printed.</summary>
public static class BenchCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var mode = new Argument<string>("mode") { Description = "What to time: encode, decode, both (inference, no_grad) or train-step (one step of the training loop, AdamW included)." };
        mode.AcceptOnlyFromAmong("encode", "decode", "both", "train-step");
        var family = new Option<string>("--family") { Description = "Model family of a random-weight model: paper or v2.", DefaultValueFactory = _ => "paper" };
        var variant = new Option<string?>("--variant") { Description = "Variant of a random-weight model (e.g. S-B/16, Bd2-Bd4/1x16x32); with a v2 --checkpoint folder lacking variant.txt, its variant." };
        var channels = new Option<int>("--channels") { Description = "Latent channels c of a random-weight paper-family model.", DefaultValueFactory = _ => 16 }.Range(1, 4096);
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Time these weights instead (a .safetensors checkpoint or a ViTok-v2 folder)." };
        var size = new Option<string>("--size") { Description = "Input size S or HxW (train-step: square).", DefaultValueFactory = _ => "256" };
        var frames = new Option<int>("--frames") { Description = "Frames T per item (1 = images).", DefaultValueFactory = _ => 1 }.Range(1, 4096);
        var batch = new Option<int>("--batch") { Description = "Items per batch.", DefaultValueFactory = _ => 1 }.Range(1, 65536);
        var device = CommonOptions.Device();
        var dtype = CommonOptions.DType();
        var threads = new Option<int>("--threads") { Description = "libtorch threads (0: VITOK_THREADS or one per core).", DefaultValueFactory = _ => 0 }.Range(0, 4096);
        var warmup = new Option<int>("--warmup") { Description = "Untimed repeats first.", DefaultValueFactory = _ => 1 }.Range(0, 100000);
        var repeats = new Option<int>("--repeats") { Description = "Timed repeats.", DefaultValueFactory = _ => 5 }.Range(1, 100000);
        var seed = CommonOptions.Seed("Seed of the random weights and inputs.");
        var profile = new Option<bool>("--profile") { Description = "Share of the timed wall time: train-step per phase (data, forward, backward, optimiser, other); encode/decode/both per model component (attn_proj, attn_core, mlp_gemm, mlp_gate, norm, rope, residual, other)." };
        var roof = new Option<int>("--roof-size") { Description = "Side n of the n×n matrix product timed as the GEMM roof.", DefaultValueFactory = _ => 2048 }.Range(16, 32768);
        var compare = new Option<string?>("--compare") { Description = "Run a second setting B interleaved with this one (A, B, A, B, …) and print B's speed-up over A: the changes as KEY=VALUE[,KEY=VALUE], keys dtype, threads, batch, size, device, e.g. --compare dtype=bf16 or --compare threads=1." };
        var data = new Option<string?>("--data") { Description = "train-step: read batches from this data (what a run config's data takes, e.g. /usr/share/datasets/fashion-mnist) through the real loader instead of in-memory random images." };
        var images = new Option<string[]>("--images") { Description = "With --compare and an inference mode: PSNR of B's 8-bit reconstructions against A's on these images (e.g. bf16 against f32).", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [] };
        var json = CommonOptions.Json("Print one JSON object: mode, label, seconds_median/min/max, images_per_second, gflop_per_repeat, achieved_gflops, roof_gflops, roof_share, shape_roof_gflops, shape_roof_share (inference: the roof of the model's own GEMM shapes), peak_rss_mb, profile; with --compare: a, b, speedup, speedup_min, speedup_max, psnr_b_vs_a_db.");
        var cmd = new Command("bench", "Time a tokenizer: inference or a training step, with GFLOP/s, the GEMM roof of the same run and peak memory.")
        {
            mode, family, variant, channels, checkpoint, size, frames, batch, device, dtype, threads, warmup, repeats, profile, data, roof, compare, images, json,
        };
        seed.AddTo(cmd);
        cmd.SetAction(parse => CommandRunner.Run(() =>
        {
            var (h, w) = InfoCommand.ParseSize(parse.GetValue(size)!);
            var a = new BenchSettings
            {
                Mode = ParseMode(parse.GetValue(mode)!),
                Family = parse.GetValue(family)!,
                Variant = parse.GetValue(variant),
                Channels = parse.GetValue(channels),
                Checkpoint = parse.GetValue(checkpoint),
                Height = h,
                Width = w,
                Frames = parse.GetValue(frames),
                Batch = parse.GetValue(batch),
                Dtype = CommonOptions.ParseDType(parse.GetValue(dtype)!),
                Device = CommonOptions.ParseDevice(parse.GetValue(device)!).ToString(),
                Threads = parse.GetValue(threads),
                Seed = seed.Get(parse),
                Data = parse.GetValue(data),
            };
            if (a.Data is not null && a.Mode != BenchMode.TrainStep) throw new ViTokException("--data is for train-step; inference modes time random inputs of --size.");
            bool asJson = parse.GetValue(json);
            Action<string> progress = asJson ? SafeConsole.Error : Console.Out.WriteLine;
            int warm = parse.GetValue(warmup), reps = parse.GetValue(repeats), roofSize = parse.GetValue(roof);
            bool prof = parse.GetValue(profile);
            var imagePaths = parse.GetValue(images) ?? [];
            if (parse.GetValue(compare) is not string changes)
            {
                if (imagePaths.Length > 0) throw new ViTokException("--images needs --compare (the PSNR is of setting B's reconstructions against A's).");
                var r = ModelBench.Run(a, warm, reps, prof, roofSize, progress);
                if (asJson) JsonOut.Print(ToJson(r));
                else Console.WriteLine(ToText(r));
                return 0;
            }
            var b = ApplyChanges(a, changes);
            var c = ModelBench.Compare(a, b, warm, reps, prof, roofSize, progress);
            IReadOnlyList<double>? psnr = null;
            if (imagePaths.Length > 0)
            {
                if (a.Mode == BenchMode.TrainStep) throw new ViTokException("--images: the reconstruction agreement is of inference settings; use mode both.");
                var loaded = imagePaths.Select(p => (p, ImageIO.Load(p))).ToList();
                try
                {
                    psnr = ModelBench.ReconstructionAgreement(a, b, loaded);
                }
                finally
                {
                    foreach (var (_, t) in loaded) t.Dispose();
                }
            }
            if (asJson) JsonOut.Print(ToJson(c, psnr));
            else Console.WriteLine(ToText(c, psnr));
            return 0;
        }));
        return cmd;
    }

    private static BenchMode ParseMode(string text) => text switch
    {
        "encode" => BenchMode.Encode,
        "decode" => BenchMode.Decode,
        "both" => BenchMode.Both,
        _ => BenchMode.TrainStep,
    };

    /// <summary>Setting B: A with the <c>--compare</c> changes (dtype, threads, batch, size, device).</summary>
    /// <exception cref="ViTokException">An unknown key or a bad value (names the fix).</exception>
    public static BenchSettings ApplyChanges(BenchSettings a, string changes)
    {
        var b = a;
        foreach (var part in changes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new ViTokException($"--compare '{part}': expected KEY=VALUE, e.g. dtype=bf16 or threads=1.");
            string key = part[..eq].Trim(), value = part[(eq + 1)..].Trim();
            b = key switch
            {
                "dtype" => b with { Dtype = CommonOptions.ParseDType(value) },
                "threads" => b with { Threads = PositiveInt(key, value) },
                "batch" => b with { Batch = PositiveInt(key, value) },
                "size" => InfoCommand.ParseSize(value) is var (h, w) ? b with { Height = h, Width = w } : b,
                "device" => b with { Device = CommonOptions.ParseDevice(value).ToString() },
                _ => throw new ViTokException($"--compare '{part}': unknown key '{key}'; the keys are dtype, threads, batch, size, device."),
            };
        }
        if (b == a) throw new ViTokException($"--compare '{changes}': setting B equals A; change at least one of dtype, threads, batch, size, device.");
        return b;
    }

    private static int PositiveInt(string key, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1
            ? n
            : throw new ViTokException($"--compare {key}={value}: expected a whole number ≥ 1.");

    /// <summary>The <c>--json</c> object of one setting.</summary>
    public static JsonObject ToJson(BenchResult r)
    {
        var s = r.Settings;
        var o = new JsonObject
        {
            ["mode"] = BenchSettings.ModeName(s.Mode),
            ["label"] = s.Label,
            ["family"] = s.Checkpoint is null ? s.Family : null,
            ["variant"] = s.Checkpoint is null ? s.Variant : null,
            ["checkpoint"] = s.Checkpoint,
            ["height"] = s.Height,
            ["width"] = s.Width,
            ["frames"] = s.Frames,
            ["batch"] = s.Batch,
            ["dtype"] = BenchSettings.DtypeName(s.Dtype),
            ["device"] = s.Device,
            ["threads"] = s.Threads > 0 ? s.Threads : torch.get_num_threads(),
            ["repeats"] = r.Seconds.Count,
            ["seconds"] = new JsonArray([.. r.Seconds.Select(x => (JsonNode?)Math.Round(x, 6))]),
            ["seconds_median"] = Math.Round(r.Median, 6),
            ["seconds_min"] = Math.Round(r.Min, 6),
            ["seconds_max"] = Math.Round(r.Max, 6),
            ["images_per_second"] = Math.Round(r.ImagesPerSecond, 4),
            ["gflop_per_repeat"] = Math.Round(r.GflopPerRepeat, 4),
            ["achieved_gflops"] = Math.Round(r.AchievedGflops, 3),
            ["roof_gflops"] = Math.Round(r.RoofGflops, 3),
            ["roof_share"] = Math.Round(r.RoofShare, 4),
            ["peak_rss_mb"] = Math.Round(r.PeakRssBytes / 1048576.0, 1),
        };
        if (r.ShapeRoof is { } sr)
        {
            o["shape_roof_gflops"] = Math.Round(sr.Gflops, 3);
            o["shape_roof_share"] = Math.Round(r.ShapeRoofShare, 4);
            o["shape_roof_calls"] = sr.Calls;
            o["shape_roof_shapes"] = sr.Shapes;
            o["linear_gflop_per_forward"] = Math.Round(sr.GflopPerForward, 4);
        }
        if (r.Profile is not null) o["profile"] = new JsonObject([.. r.Profile.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)Math.Round(kv.Value, 4)))]);
        return o;
    }

    /// <summary>The <c>--json</c> object of a comparison.</summary>
    public static JsonObject ToJson(BenchComparison c, IReadOnlyList<double>? psnr) => new()
    {
        ["a"] = ToJson(c.A),
        ["b"] = ToJson(c.B),
        ["speedup"] = Math.Round(c.Speedup, 4),
        ["speedup_min"] = Math.Round(c.SpeedupMin, 4),
        ["speedup_max"] = Math.Round(c.SpeedupMax, 4),
        ["psnr_b_vs_a_db"] = psnr is null ? null : new JsonArray([.. psnr.Select(p => double.IsFinite(p) ? (JsonNode?)Math.Round(p, 3) : null)]),
    };

    private static string ToText(BenchResult r)
    {
        var inv = CultureInfo.InvariantCulture;
        var lines = new List<string>
        {
            r.Settings.Label,
            string.Format(inv, "  seconds     median {0:F4}  min {1:F4}  max {2:F4}  ({3} repeats)", r.Median, r.Min, r.Max, r.Seconds.Count),
            string.Format(inv, "  throughput  {0:F3} images/s", r.ImagesPerSecond),
            string.Format(inv, "  compute     {0:F1} GFLOP/s achieved ({1:F2} GFLOP per repeat), GEMM roof {2:F1} GFLOP/s: {3:P1} of it", r.AchievedGflops, r.GflopPerRepeat, r.RoofGflops, r.RoofShare),
        };
        if (r.ShapeRoof is { } sr)
            lines.Add(string.Format(inv, "  shape roof  {0:F1} GFLOP/s over the model's {1} linear calls ({2} shapes, F.linear alone): {3:P1} of it", sr.Gflops, sr.Calls, sr.Shapes, r.ShapeRoofShare));
        lines.AddRange(
        [
            string.Format(inv, "  memory      peak RSS {0:F0} MB", r.PeakRssBytes / 1048576.0),
        ]);
        if (r.Profile is not null)
            lines.Add("  profile     " + string.Join("  ", r.Profile.Select(kv => string.Format(inv, "{0} {1:P1}", kv.Key, kv.Value))));
        return string.Join('\n', lines);
    }

    private static string ToText(BenchComparison c, IReadOnlyList<double>? psnr)
    {
        var inv = CultureInfo.InvariantCulture;
        var text = $"A: {ToText(c.A)}\nB: {ToText(c.B)}\n" +
                   string.Format(inv, "speed-up B/A: {0:F3} (per round {1:F3} to {2:F3}, {3} interleaved rounds)", c.Speedup, c.SpeedupMin, c.SpeedupMax, c.Speedups.Count);
        if (psnr is not null)
            text += "\nPSNR of B's 8-bit reconstructions against A's: " + string.Join(", ", psnr.Select(p => double.IsFinite(p) ? p.ToString("F2", inv) + " dB" : "identical"));
        return text;
    }
}
