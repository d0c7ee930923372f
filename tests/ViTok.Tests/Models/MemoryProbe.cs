using System.Text.RegularExpressions;
using ViTok.Data;
using ViTok.Models;
using ViTok.Models.Paper;
using ViTok.Models.V2;
using ViTok.Training;

namespace ViTok.Tests.Models;

/// <summary><c>dotnet ViTok.Tests.dll memory-probe FAMILY VARIANT HxW BATCH MODE</c> (MODE: baseline, encode, decode,
/// train, train-ckpt): runs that one thing in this fresh process (random weights, float32) and prints one line with the
/// process's peak RSS (VmHWM of /proc/self/status) beside <see cref="MemoryEstimate"/>'s peak, in bytes.
/// train = two steps of MSE (+ 1e-3·KL for the paper family) with the project's AdamW, each step in its own dispose scope.
/// An optional 7th argument sets ViTok-v2's sliding attention window (0: full attention); the environment variable
/// PROBE_PAD_TOKENS pads each v2 sequence by that many tokens (so the attention takes the key-mask path).</summary>
public static class MemoryProbe
{
    public static long PeakRss()
    {
        var m = Regex.Match(File.ReadAllText("/proc/self/status"), @"VmHWM:\s+(\d+) kB");
        return long.Parse(m.Groups[1].Value) * 1024;
    }

    private static void Phase(string name)
    {
        if (Environment.GetEnvironmentVariable("PROBE_PHASES") is null) return;
        var m = Regex.Match(File.ReadAllText("/proc/self/status"), @"VmRSS:\s+(\d+) kB");
        Console.WriteLine($"  {name}: rss {long.Parse(m.Groups[1].Value) / 1024} MB, peak {PeakRss() >> 20} MB");
    }

    public static int Run(string[] args)
    {
        string family = args[0], variant = args[1], mode = args[4];
        var parts = args[2].Split('x');
        long h = long.Parse(parts[0]), w = long.Parse(parts[1]);
        int batch = int.Parse(args[3]);
        if (int.TryParse(Environment.GetEnvironmentVariable("VITOK_THREADS"), out int t) && t > 0) torch.set_num_threads(t);
        torch.manual_seed(0);
        IAutoencoder model = Autoencoders.Create(family, variant, 16);
        if (args.Length > 5) model.AttentionWindow = int.Parse(args[5]);
        var estimate = family == "paper"
            ? MemoryEstimate.ForPaper(((PaperAutoencoder)model).Config, 1, h, w, batch, 4)
            : MemoryEstimate.ForV2(((V2Autoencoder)model).Config, h, w, batch, 4);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        using (var scope = torch.NewDisposeScope())
        {
            var x = torch.rand([batch, 3, h, w]) * 2 - 1;
            switch (mode)
            {
                case "baseline":
                    break;
                case "encode":
                    model.Module.eval();
                    if (model is PaperAutoencoder pe) pe.Encode(x);
                    else ((V2Autoencoder)model).Encode(Dense((V2Autoencoder)model, x));
                    break;
                case "decode":
                    model.Module.eval();
                    if (model is PaperAutoencoder pd)
                        pd.Decode(torch.randn(batch, h / pd.PatchSize * (w / pd.PatchSize), pd.Channels), (1, h / pd.PatchSize, w / pd.PatchSize), true);
                    else
                    {
                        var v = (V2Autoencoder)model;
                        using var layout = Dense(v, x);
                        v.Decode(torch.randn(batch, layout.MaxTokens, v.Channels), layout);
                    }
                    break;
                case "train" or "train-ckpt":
                    model.Module.train();
                    model.ActivationCheckpointing = mode == "train-ckpt";
                    using (var opt = new AdamW(model.Module.named_parameters(), (_, _) => true, 1e-4))
                        for (int step = 0; step < 2; step++)
                        {
                            using var stepScope = torch.NewDisposeScope();
                            opt.ZeroGrad();
                            var (recon, kl) = model.TrainForward(x, null);
                            var loss = F.mse_loss(recon, x);
                            if (kl is not null) loss = loss + kl * 1e-3;
                            Phase($"step {step} forward");
                            loss.backward();
                            Phase($"step {step} backward");
                            opt.StepOnce();
                            Phase($"step {step} optimizer");
                        }
                    break;
                default:
                    throw new ArgumentException(mode);
            }
        }
        long peak = PeakRss();
        long est = mode switch
        {
            "baseline" => MemoryEstimate.RuntimeBytes + estimate.WeightBytes,
            "encode" => estimate.EncodePeakBytes,
            "decode" => estimate.DecodePeakBytes,
            "train" => estimate.TrainPeakBytes,
            _ => estimate.TrainCheckpointedPeakBytes,
        };
        Console.WriteLine($"{family} {variant} {h}x{w} B={batch} {mode} window={model.AttentionWindow}: measured_peak_rss {peak} estimate {est} ratio {(double)est / peak:F3} seconds {sw.Elapsed.TotalSeconds:F1}");
        return 0;
    }

    private static PatchBatch Dense(V2Autoencoder v, Tensor x)
    {
        long p = v.PatchSize;
        int pad = int.TryParse(Environment.GetEnvironmentVariable("PROBE_PAD_TOKENS"), out int extra) ? extra : 0;
        int tokens = (int)((x.shape[2] / p) * (x.shape[3] / p)) + pad;
        return NaFlex.Patchify([.. Enumerable.Range(0, (int)x.shape[0]).Select(i => x[i])], v.PatchSize, tokens, resize: false);
    }
}
