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
        var cls = new Option<int?>("--class") { Description = "Class index (default: every class in turn; ignored by an unconditional DiT)." };
        var n = new Option<int>("--n") { Description = "Number of samples.", DefaultValueFactory = _ => 16 };
        var output = new Option<string>("-o", "--output") { Description = "Output folder.", Required = true };
        var fps = new Option<double>("--fps") { Description = "Frame rate of video samples.", DefaultValueFactory = _ => 8.0 };
        var overwrite = OutputOptions.Overwrite();
        var cmd = new Command("sample", "Sample a trained DiT and decode through the tokenizer: sample_NNNN.png and grid.png (images), " +
                                        "sample_NNNN.mp4 and strip.png (videos).") { cls, n, output, fps, overwrite };
        dit.AddTo(cmd);
        cmd.SetAction(parse => CommandRunner.Run(() =>
        {
            int count = parse.GetValue(n);
            if (count <= 0) throw new ViTokException($"--n must be positive (got {count}).");
            string dir = OutputPaths.RequireFolder(parse.GetValue(output), "-o");
            var (gen, tokenizer) = dit.Load(parse);
            using (gen)
            using (tokenizer)
            {
                int classes = gen.Model.Config.NumClasses;
                int? c = parse.GetValue(cls);
                if (c is int k && classes > 0 && (k < 0 || k >= classes))
                    throw new ViTokException($"--class {k}: the DiT knows classes 0..{classes - 1} ({string.Join(", ", gen.Space.Classes.Take(10))}{(classes > 10 ? ", ..." : "")}).");
                string ext = gen.Space.IsImage ? ".png" : ".mp4";
                string grid = Path.Combine(dir, gen.Space.IsImage ? "grid.png" : "strip.png");
                var guard = new OverwriteGuard(parse.GetValue(overwrite)).Protect(parse.GetValue(dit.Dit), "the DiT checkpoint")
                    .Protect(parse.GetValue(dit.Tokenizer) ?? gen.Space.Tokenizer, "the tokenizer");
                for (int i = 0; i < count; i++) guard.Check(Path.Combine(dir, $"sample_{i:D4}{ext}"), d => gen.Space.IsImage && ImageIO.IsOwnPng(d));
                guard.Check(grid, ImageIO.IsOwnPng);
                var labels = Enumerable.Range(0, count).Select(i => classes == 0 ? -1L : c ?? (long)(i % classes)).ToArray();
                var process = gen.Diffusion.CreateProcess();
                int steps = parse.GetValue(dit.Steps) ?? gen.Diffusion.SampleSteps ?? process.DefaultSampleSteps;
                using var scope = torch.NewDisposeScope();
                var z = DitSampler.Generate(gen.Model, process, gen.Space, labels, parse.GetValue(dit.Cfg), steps, parse.GetValue(dit.Seed));
                var pixels = DitSampler.Decode(tokenizer, z, gen.Space);
                Finite.CheckOutput(pixels, $"{parse.GetValue(dit.Dit)} (cfg {parse.GetValue(dit.Cfg)}, seed {parse.GetValue(dit.Seed)})", "sampled pixels");
                for (int i = 0; i < count; i++)
                {
                    if (gen.Space.IsImage) ImageIO.SavePng(pixels[i], Path.Combine(dir, $"sample_{i:D4}.png"));
                    else VideoIO.WriteMp4(pixels[i], Path.Combine(dir, $"sample_{i:D4}.mp4"), parse.GetValue(fps));
                }
                int columns = classes > 0 && c is null ? Math.Min(count, classes) : (int)Math.Ceiling(Math.Sqrt(count));
                DitSampler.SaveGrid(gen.Space.IsImage ? pixels : pixels.narrow(0, 0, Math.Min(count, 8)), columns, grid);
                string what = classes == 0 ? "unconditional" : c is int cc ? $"class {cc} ({gen.Space.Classes[cc]})" : "classes in turn";
                Console.WriteLine($"{count} {(gen.Space.IsImage ? "image" : "clip")}(s), {what}, {process.Kind} {steps} steps, cfg {parse.GetValue(dit.Cfg)} → {dir} ({Path.GetFileName(grid)})");
            }
            return 0;
        }));
        return cmd;
    }
}
