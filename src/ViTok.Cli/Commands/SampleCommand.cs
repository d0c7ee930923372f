using System.CommandLine;
using ViTok.Generation;
using ViTok.IO;

namespace ViTok.Cli.Commands;

/// <summary><c>vitok sample</c>: draw samples from a trained DiT and decode them: PNGs and a grid for images, MP4s and
/// a frame strip for videos.</summary>
public static class SampleCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var dit = new DitOptions(4.0);
        var cls = new Option<int?>("--class") { Description = "Class index (default: every class in turn; ignored by an unconditional DiT)." }.Range(0, 1_000_000);
        var n = CommonOptions.Count("Number of samples (1 to 100000).", 16, 1, 100_000, "--n");
        var output = CommonOptions.Output("Output folder.", required: true);
        var fps = new Option<double>("--fps") { Description = "Frame rate of video samples.", DefaultValueFactory = _ => 8.0 }.Range(0.01, 1000);
        var json = CommonOptions.Json("Print one JSON object: output, count, files, grid, sampler, steps, cfg, class.");
        var cmd = new Command("sample", "Sample a trained DiT and decode through the tokenizer: sample_NNNN.png and grid.png (images), " +
                                        "sample_NNNN.mp4 and strip.png (videos).") { cls, fps, json };
        n.AddTo(cmd);
        output.AddTo(cmd);
        dit.AddTo(cmd);
        cmd.SetAction(parse => CommandRunner.Run(() =>
        {
            int count = n.Get(parse);
            var (gen, tokenizer) = dit.Load(parse);
            using (gen)
            using (tokenizer)
            {
                int classes = gen.Model.Config.NumClasses;
                int? c = parse.GetValue(cls);
                if (c is int k && classes > 0 && (k < 0 || k >= classes))
                    throw new ViTokException($"--class {k}: the DiT knows classes 0..{classes - 1} ({string.Join(", ", gen.Space.Classes.Take(10))}{(classes > 10 ? ", ..." : "")}).");
                var labels = Enumerable.Range(0, count).Select(i => classes == 0 ? -1L : c ?? (long)(i % classes)).ToArray();
                var process = gen.Diffusion.CreateProcess();
                int steps = parse.GetValue(dit.Steps) ?? gen.Diffusion.SampleSteps ?? process.DefaultSampleSteps;
                using var scope = torch.NewDisposeScope();
                var z = DitSampler.Generate(gen.Model, process, gen.Space, labels, parse.GetValue(dit.Cfg), steps, dit.Seed.Get(parse));
                var pixels = DitSampler.Decode(tokenizer, z, gen.Space);
                string dir = output.Get(parse)!;
                Directory.CreateDirectory(dir);
                var files = new List<string>();
                for (int i = 0; i < count; i++)
                {
                    string file = Path.Combine(dir, gen.Space.IsImage ? $"sample_{i:D4}.png" : $"sample_{i:D4}.mp4");
                    if (gen.Space.IsImage) ImageIO.SavePng(pixels[i], file);
                    else VideoIO.WriteMp4(pixels[i], file, parse.GetValue(fps));
                    files.Add(file);
                }
                string grid = Path.Combine(dir, gen.Space.IsImage ? "grid.png" : "strip.png");
                int columns = classes > 0 && c is null ? Math.Min(count, classes) : (int)Math.Ceiling(Math.Sqrt(count));
                DitSampler.SaveGrid(gen.Space.IsImage ? pixels : pixels.narrow(0, 0, Math.Min(count, 8)), columns, grid);
                string what = classes == 0 ? "unconditional" : c is int cc ? $"class {cc} ({gen.Space.Classes[cc]})" : "classes in turn";
                if (parse.GetValue(json))
                    JsonOut.Print(new System.Text.Json.Nodes.JsonObject
                    {
                        ["output"] = Path.GetFullPath(dir),
                        ["count"] = count,
                        ["files"] = new System.Text.Json.Nodes.JsonArray(files.Select(f => (System.Text.Json.Nodes.JsonNode?)Path.GetFullPath(f)).ToArray()),
                        ["grid"] = Path.GetFullPath(grid),
                        ["sampler"] = process.Kind,
                        ["steps"] = steps,
                        ["cfg"] = parse.GetValue(dit.Cfg),
                        ["class"] = c,
                    });
                else
                    Console.WriteLine($"{count} {(gen.Space.IsImage ? "image" : "clip")}(s), {what}, {process.Kind} {steps} steps, cfg {parse.GetValue(dit.Cfg)} → {dir} ({Path.GetFileName(grid)})");
            }
            return 0;
        }));
        return cmd;
    }
}
