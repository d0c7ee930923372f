using System.CommandLine;
using ViTok.Generation;
using ViTok.Demos;

namespace ViTok.Cli.Commands;

/// <summary><c>vitok generate-demo</c>: the generation demo on Fashion-MNIST (encode, train a small DiT for a bounded
/// time, grid and distances into generation.json).</summary>
public static class GenerateDemoCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var tokenizer = new Option<string>("--tokenizer") { Description = "A trained image tokenizer checkpoint (Fashion-MNIST).", Required = true };
        var minutes = new Option<double>("--minutes") { Description = "DiT training time in minutes.", DefaultValueFactory = _ => DemoCommand.DefaultGenerateMinutes }.Range(0.1, 1440);
        var output = CommonOptions.Output("Output folder (latents/, dit/, samples.png, generation.json).", required: true);
        var variant = new Option<string?>("--variant") { Description = "DiT size (default Bw128d6h4)." };
        var kind = new Option<string?>("--diffusion") { Description = "flow (default) or ddpm." };
        var samples = new Option<int?>("--fd-samples") { Description = "Samples per distance (default 1000)." }.Range(2, 1_000_000);
        var seed = CommonOptions.Seed("Seed.");
        var json = CommonOptions.Json("Print generation.json's object: metric, fd_model, fd_noise, fd_real_latents, gap_ratio, samples, grid, ...");
        var cmd = new Command("generate-demo", "Generation demo: Fashion-MNIST latents → class-conditional DiT → 10×8 grid and fd_model / fd_noise / fd_real_latents.")
            { tokenizer, minutes, variant, kind, samples, json };
        output.AddTo(cmd);
        seed.AddTo(cmd);
        cmd.SetAction(parse => CommandRunner.Run(() =>
        {
            bool asJson = parse.GetValue(json);
            var o = new GenerationDemoOptions { Seed = seed.Get(parse) };
            if (parse.GetValue(variant) is string v) o = o with { Variant = v };
            if (parse.GetValue(kind) is string k) o = o with { Diffusion = o.Diffusion with { Kind = k, SampleSteps = k == "ddpm" ? 50 : o.Diffusion.SampleSteps } };
            if (parse.GetValue(samples) is int s) o = o with { FdSamples = s };
            var r = GenerationDemo.Run(parse.GetValue(tokenizer)!, output.Get(parse)!, parse.GetValue(minutes), o, JsonOut.Log(asJson));
            if (asJson) JsonOut.Print(r);
            else Console.WriteLine($"{r.Metric}: model {r.FdModel:F3}, noise {r.FdNoise:F3}, real latents {r.FdRealLatents:F3} → gap ratio {r.GapRatio:F3} (target < 0.25); grid {r.Grid}");
            return 0;
        }));
        return cmd;
    }
}
