using System.CommandLine;
using System.Text.Json;
using ViTok.Generation;

namespace ViTok.Cli.Commands;

/// <summary><c>vitok eval-gen</c>: generated samples against real data (fd_resnet18, or fid with its weights), overall
/// and per class.</summary>
public static class EvalGenCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var dit = new DitOptions(1.5);
        var source = new SourceOptions();
        var n = CommonOptions.Count("Generated samples (class-balanced); at least 1000 for a meaningful distance.", 1000, 2, "--n");
        var nReal = new Option<int>("--n-real") { Description = "Real items in the reference set (0 = as many as --count).", DefaultValueFactory = _ => 0 }.Range(0);
        var fid = new Option<string?>("--fid-weights") { Description = "pytorch-fid's pt_inception-2015-12-05-6726825d.pth: report FID instead of fd_resnet18." };
        var json = CommonOptions.Json("Print one JSON object: the metric (fd_resnet18 or fid), <metric>_per_class, samples, real_samples, cfg, steps, sampler.");
        var batch = new Option<int>("--batch-size") { Description = "Samples per DiT / tokenizer call.", DefaultValueFactory = _ => 64 }.Range(1, 65536);
        var cmd = new Command("eval-gen", "Fréchet distance of generated samples to real data, overall and per class (real items are padded like the latents were).")
            { nReal, fid, json, batch };
        n.AddTo(cmd);
        dit.AddTo(cmd);
        source.AddTo(cmd);
        cmd.SetAction(parse => CommandRunner.Run(() =>
        {
            var (gen, tokenizer) = dit.Load(parse);
            using (gen)
            using (tokenizer)
            {
                bool asJson = parse.GetValue(json);
                var report = GenerationEvaluator.Run(gen, tokenizer, source.Open(parse, 0, dit.Seed.Get(parse)), new GenerationEvalOptions
                {
                    Samples = n.Get(parse),
                    RealSamples = parse.GetValue(nReal),
                    Cfg = parse.GetValue(dit.Cfg),
                    Steps = parse.GetValue(dit.Steps),
                    Seed = dit.Seed.Get(parse),
                    FidWeights = parse.GetValue(fid),
                    BatchSize = parse.GetValue(batch),
                }, asJson ? null : Console.WriteLine);
                if (asJson)
                {
                    var o = new Dictionary<string, object>
                    {
                        [report.Metric] = report.Overall,
                        [report.Metric + "_per_class"] = report.PerClass,
                        ["samples"] = report.Samples,
                        ["real_samples"] = report.RealSamples,
                        ["cfg"] = report.Cfg,
                        ["steps"] = report.Steps,
                        ["sampler"] = report.Sampler,
                    };
                    Console.WriteLine(JsonSerializer.Serialize(o, ViTok.IO.Json.Compact));
                }
                else
                {
                    Console.WriteLine($"{report.Metric}  {report.Overall:F4}  ({report.Samples} generated vs {report.RealSamples} real, {report.Sampler} {report.Steps} steps, cfg {report.Cfg})");
                    foreach (var (name, v) in report.PerClass) Console.WriteLine($"  {name,-14} {v:F4}");
                }
            }
            return 0;
        }));
        return cmd;
    }
}
