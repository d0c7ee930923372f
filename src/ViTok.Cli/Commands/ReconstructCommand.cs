using System.CommandLine;
using ViTok.IO;
using ViTok.Models;

namespace ViTok.Cli.Commands;

/// <summary><c>vitok reconstruct</c>: images through a tokenizer and back, written as 8-bit PNGs under the same names.</summary>
public static class ReconstructCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var inputs = new Argument<string[]>("inputs") { Description = "Image files (PNG, JPEG, WebP, BMP; a GIF is its first frame), or videos (any container ffprobe reads: MP4, MOV, MKV, WebM, MPEG-TS/MTS, 3GP, …) for paper-family video models (q > 1). Recognised by content, not by name.", Arity = ArgumentArity.OneOrMore };
        var frames = new Option<int>("--frames") { Description = "Videos: frames per chunk the model sees at once.", DefaultValueFactory = _ => 16 };
        var output = new Option<string>("-o", "--output") { Description = "Output folder.", Required = true };
        var maxTokens = new Option<int>("--max-tokens") { Description = "ViTok-v2 token budget per image (larger images are shrunk).", DefaultValueFactory = _ => 256 };
        var model = new ModelOptions();
        var cmd = new Command("reconstruct", "Encode and decode images (8-bit PNG out) or videos (MP4 out) under the same names.") { inputs, output, maxTokens, frames };
        model.AddTo(cmd);
        cmd.SetAction(parse => CommandRunner.Run(() =>
        {
            using var ae = model.Load(parse);
            string outDir = parse.GetValue(output)!;
            Directory.CreateDirectory(outDir);
            var device = CommonOptions.ParseDevice(parse.GetValue(model.Device)!);
            foreach (string path in parse.GetValue(inputs)!)
            {
                using var scope = torch.NewDisposeScope();
                if (IsVideo(path))
                {
                    ReconstructVideo(ae, path, outDir, parse.GetValue(frames), device);
                    continue;
                }
                var image = ImageIO.Load(path).to(device);
                using var latents = ImageCodec.Encode(ae, image, path, parse.GetValue(maxTokens));
                var recon = ImageCodec.Decode(ae, latents);
                string dest = Path.Combine(outDir, Path.GetFileNameWithoutExtension(path) + ".png");
                ImageIO.SavePng(recon, dest);
                string resized = (latents.ProcessedHeight, latents.ProcessedWidth) == (latents.OriginalHeight, latents.OriginalWidth)
                    ? "" : $" (shrunk to {latents.ProcessedWidth}x{latents.ProcessedHeight} for the token budget)";
                Console.WriteLine($"{path} -> {dest}{resized}");
            }
            return 0;
        }));
        return cmd;
    }

    private static void ReconstructVideo(IAutoencoder ae, string path, string outDir, int frames, Device device)
    {
        if (ae is not PaperAutoencoder paper)
            throw new ViTokException($"{path}: video reconstruction needs a paper-family video model (q > 1); {ae.Family} {ae.Variant} is an image model.");
        var info = VideoIO.Probe(path);
        using var clip = VideoIO.ReadClip(path).to(device);                                    // [3, T, H, W]
        using var recon = paper.ReconstructVideo(clip, frames);
        string dest = Path.Combine(outDir, Path.GetFileNameWithoutExtension(path) + ".mp4");
        VideoIO.WriteMp4(recon, dest, info.Fps > 0 ? info.Fps : 8);
        Console.WriteLine($"{path} -> {dest} ({clip.shape[1]} frames {clip.shape[3]}x{clip.shape[2]})");
    }

    // By content, never by name: images (GIF: its first frame) go through the image path; a video container (or a file
    // ffprobe reads as video) through the video path; anything else is named and refused.
    private static bool IsVideo(string path)
    {
        if (!File.Exists(path)) throw new ViTokException($"{path}: file not found.");
        FileContent c;
        try
        {
            c = FileContent.OfFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ViTokException($"{path}: cannot be read ({e.Message}).", e);
        }
        return c.Kind switch
        {
            ContentKind.Image => false,
            ContentKind.Video => true,
            ContentKind.Other when c.Format == "binary" && VideoIO.HasVideoStream(path) => true,
            ContentKind.Empty => throw new ViTokException($"{path}: is empty (0 bytes). Copy it again."),
            ContentKind.UnreadImage => throw new ViTokException($"{path}: is {c.Description}."),
            _ => throw new ViTokException($"{path}: is {c.Description}, not an image (PNG, JPEG, WebP, BMP, GIF) or a video. Check the path."),
        };
    }
}
