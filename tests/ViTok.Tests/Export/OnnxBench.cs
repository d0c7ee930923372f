using System.Diagnostics;
using ViTok.Data;
using ViTok.Export;
using ViTok.Models.V2;

namespace ViTok.Tests.Export;

/// <summary><c>dotnet ViTok.Tests.dll onnx-bench [VARIANT] [SIZE] [BATCH] [REPS]</c>: ONNX Runtime vs TorchSharp
/// inference (encode + decode, float32, random weights, VITOK_THREADS threads for both) of a ViTok-v2 variant, interleaved rep by rep so machine load
/// hits both alike; prints per-rep times, the medians, their ratio and the parity (max abs) at full size.
/// <c>onnx-bench paper VARIANT SIZE</c> checks a paper-family model's parity at full size instead.</summary>
public static class OnnxBench
{
    /// <summary><c>onnx-bench paper VARIANT SIZE</c>: parity (max abs of mean, logvar and pixels) of a randomly
    /// initialised paper-family model at full size, batch 1.</summary>
    public static int RunPaper(string[] args)
    {
        string variant = args[0];
        int size = int.Parse(args[1]);
        torch.manual_seed(0);
        using var model = new ViTok.Models.Paper.PaperAutoencoder(ViTok.Models.Paper.PaperConfig.FromVariant(variant));
        model.eval();
        string dir = Path.Combine(Path.GetTempPath(), $"onnx-parity-{Guid.NewGuid():N}");
        OnnxExport.Export(model, dir);
        using var codec = OnnxCodec.Open(dir, torch.get_num_threads());
        using var noGrad = torch.no_grad();
        var x = torch.rand([1, 3, 1, size, size]) * 2 - 1;
        var (mean, logVar) = model.EncodeMoments(x);
        var grid = model.GridOf(x);
        var recon = model.Decode(mean, grid, asImage: false);
        var (om, ol) = codec.EncodePaper(x);
        var orec = codec.DecodePaper(mean.reshape(1, grid.T, grid.H, grid.W, -1));
        double D(Tensor a, Tensor b) => (a.reshape(-1) - b.reshape(-1)).abs().max().item<float>();
        Console.WriteLine($"paper {variant} {size}²: mean {D(mean, om):E2}, logvar {D(logVar, ol):E2}, pixels {D(recon, orec):E2}");
        Directory.Delete(dir, true);
        return 0;
    }

    public static int Run(string[] args)
    {
        if (args.Length > 0 && args[0] == "paper") return RunPaper(args[1..]);
        string variant = args.Length > 0 ? args[0] : "Bd2-Bd4/1x16x32";
        int size = args.Length > 1 ? int.Parse(args[1]) : 256, batch = args.Length > 2 ? int.Parse(args[2]) : 4;
        int reps = args.Length > 3 ? int.Parse(args[3]) : 7;
        if (int.TryParse(Environment.GetEnvironmentVariable("VITOK_THREADS"), out int t) && t > 0) torch.set_num_threads(t);
        int threads = torch.get_num_threads();
        torch.manual_seed(0);
        using var model = new V2Autoencoder(V2Config.FromVariant(variant));
        model.eval();
        string dir = Path.Combine(Path.GetTempPath(), $"onnx-bench-{Guid.NewGuid():N}");
        OnnxExport.Export(model, dir);
        using var codec = OnnxCodec.Open(dir, threads);
        var images = Enumerable.Range(0, batch).Select(_ => torch.rand(3, size, size) * 2 - 1).ToList();
        using var layout = NaFlex.Patchify(images, model.Config.PatchSize, (size / model.Config.PatchSize) * (size / model.Config.PatchSize));
        double Time(Func<Tensor> f, out Tensor result)
        {
            var sw = Stopwatch.StartNew();
            result = f();
            return sw.Elapsed.TotalSeconds;
        }
        var torchTimes = new List<double>();
        var ortTimes = new List<double>();
        double parity = 0;
        for (int r = 0; r <= reps; r++)   // rep 0 warms both up and is not counted
        {
            using var scope = torch.NewDisposeScope();
            double tt = Time(() => model.Decode(model.Encode(layout), layout), out var a);
            double to = Time(() => codec.DecodeV2(codec.EncodeV2(layout), layout), out var b);
            parity = Math.Max(parity, (a - b).abs().max().item<float>());
            Console.WriteLine($"rep {r}: torchsharp {tt:F3} s, onnxruntime {to:F3} s");
            if (r == 0) continue;
            torchTimes.Add(tt);
            ortTimes.Add(to);
        }
        double Median(List<double> v) => v.Order().ElementAt(v.Count / 2);
        double mt = Median(torchTimes), mo = Median(ortTimes);
        Console.WriteLine($"{variant} {size}² batch {batch}, {threads} thread(s): torchsharp {batch / mt:F2} img/s, onnxruntime {batch / mo:F2} img/s, " +
                          $"ratio ORT/TorchSharp throughput {mt / mo:F2}; parity max abs {parity:E2}; load {File.ReadAllText("/proc/loadavg").Trim()}");
        Directory.Delete(dir, true);
        return 0;
    }
}
