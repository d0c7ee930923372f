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
        var frames = new Option<int>("--frames") { Description = "Videos: frames per chunk the model sees at once.", DefaultValueFactory = _ => 16 }.Range(1, 4096);
        var output = CommonOptions.Output("Output folder.", required: true);
        var maxTokens = new Option<int>("--max-tokens") { Description = "ViTok-v2 token budget per image (larger images are shrunk; raise it with --window to keep large images at full size).", DefaultValueFactory = _ => 256 }.Range(1, 1 << 20);
        var json = CommonOptions.Json("Print one JSON object: output, items (input, output, height, width, processed_height, processed_width or frames; chunk_overlap for videos).");
        var overwrite = OutputOptions.Overwrite();
        var onnx = new Option<string?>("--onnx") { Description = "Run an exported encoder.onnx/decoder.onnx pair from this folder with ONNX Runtime instead of --checkpoint (images only; see `vitok export onnx`)." };
        var tile = new Option<string>("--tile") { Description = "Paper-family images: tiled encode/decode (auto: when the estimated peak memory of the untiled pass exceeds --max-memory).", DefaultValueFactory = _ => "auto" };
        tile.AcceptOnlyFromAmong("auto", "on", "off");
        var tileSize = new Option<int>("--tile-size") { Description = "Tile side in pixels (a multiple of the patch size).", DefaultValueFactory = _ => 256 }.Range(1, 1 << 14);
        var tileOverlap = new Option<int>("--tile-overlap") { Description = "Overlap of neighbouring tiles in pixels (a multiple of the patch size, at most half the tile).", DefaultValueFactory = _ => 32 }.Range(0, 1 << 13);
        var tileMargin = new Option<int>("--tile-margin") { Description = "Context in pixels the model sees around each kept tile core and that is then dropped (a multiple of the patch size; 0: the whole window is kept and blended).", DefaultValueFactory = _ => 0 }.Range(0, 1 << 13);
        var chunkOverlap = new Option<int?>("--chunk-overlap") { Description = "Videos: frames shared by neighbouring chunks, blended with a raised-cosine ramp (a multiple of the tubelet size q, at most half of --frames; 0: consecutive chunks, the old behaviour). Default: one tubelet (q frames)." }.Range(0, 4096);
        var window = new Option<int>("--window") { Description = "ViTok-v2: sliding-window attention over the raster-order tokens (key j visible to query i iff |i - j| <= SW), so a large --max-tokens runs in O(N*SW) attention work and memory; 0: full attention (the reference's flash-attn window_size=(SW, SW)).", DefaultValueFactory = _ => 0 }.Range(0, 1 << 20);
        var maxMemory = new Option<string?>("--max-memory") { Description = "Memory limit for one image, e.g. 8G or 512M (default: 80 % of the memory available now)." };
        var model = new ModelOptions();
        model.Checkpoint.Required = false;   // --checkpoint or --onnx: checked below
        var cmd = new Command("reconstruct", "Encode and decode images (8-bit RGB PNG out) or videos (MP4 out) under the same names " +
                                             "(inputs that share a name keep their folders below their common parent).") { inputs, maxTokens, frames, json, overwrite, onnx, tile, tileSize, tileOverlap, tileMargin, maxMemory, window, chunkOverlap };
        output.AddTo(cmd);
        model.AddTo(cmd);
        cmd.SetAction(parse => CommandRunner.Run(() =>
        {
            bool asJson = parse.GetValue(json);
            var log = JsonOut.Log(asJson);
            var items = new System.Text.Json.Nodes.JsonArray();
            // Everything that can be checked is checked before the model is loaded.
            string[] paths = parse.GetValue(inputs)!;
            OutputOptions.RequireInputs(paths);
            string outDir = OutputPaths.RequireFolder(output.Get(parse), "-o");
            bool[] video = [.. paths.Select(IsVideo)];
            var dests = OutputOptions.Destinations(outDir, paths, p => video[Array.IndexOf(paths, p)] ? ".mp4" : ".png", log);
            string? onnxDir = parse.GetValue(onnx);
            if ((onnxDir is null) == (parse.GetValue(model.Checkpoint) is null))
                throw new ViTokException("give either --checkpoint (a model) or --onnx (a folder written by `vitok export onnx`), not both or neither.");
            var guard = new OverwriteGuard(parse.GetValue(overwrite)).Protect(parse.GetValue(model.Checkpoint) ?? onnxDir, "the checkpoint");
            foreach (string p in paths) guard.Protect(p, "an input");
            for (int i = 0; i < paths.Length; i++) guard.Check(dests[i], d => !video[i] && ImageIO.IsOwnPng(d));
            if (onnxDir is not null && parse.GetValue(window) > 0)
                throw new ViTokException("--window applies to a --checkpoint model; the exported ONNX graph has full attention.");
            if (onnxDir is not null)
            {
                foreach (var item in ReconstructOnnx(onnxDir, paths, dests, video, parse.GetValue(maxTokens), log)) items.Add(item);
                if (asJson) JsonOut.Print(new System.Text.Json.Nodes.JsonObject { ["output"] = Path.GetFullPath(outDir), ["items"] = items });
                return 0;
            }
            var tiling = new TilePlan(parse.GetValue(tile)!, parse.GetValue(tileSize), parse.GetValue(tileOverlap), TilePlan.ParseBytes(parse.GetValue(maxMemory)))
            {
                Margin = parse.GetValue(tileMargin),
            };
            using var ae = model.Load(parse);
            if (parse.GetValue(window) > 0) ae.AttentionWindow = parse.GetValue(window);   // a family without one: one-line error
            var device = CommonOptions.ParseDevice(parse.GetValue(model.Device)!);
            for (int i = 0; i < paths.Length; i++)
            {
                string path = paths[i], dest = dests[i];
                using var scope = torch.NewDisposeScope();
                if (video[i])
                {
                    items.Add(ReconstructVideo(ae, path, dest, parse.GetValue(frames), parse.GetValue(chunkOverlap), device, log));
                    continue;
                }
                var image = ImageIO.Load(path).to(device);
                if (tiling.Decide(ae, image, path, CommonOptions.ParseDType(parse.GetValue(model.DType)!)))
                {
                    var tiled = Tiling.Reconstruct(ae, image, tiling.Size, tiling.Overlap, tiling.Margin, harmonise: true, (d, n) => ProgressLine.Write($"{path}: tile {d}/{n}"));
                    ProgressLine.End();
                    Finite.CheckOutput(tiled, path, "reconstructed pixels");
                    ImageIO.SavePng(tiled, dest);
                    log($"{path} -> {dest} (tiled: {Tiling.TileCount(image.shape[1], image.shape[2], tiling.Size, tiling.Overlap, tiling.Margin)} tiles of {tiling.Size} px, {tiling.Overlap} px overlap{(tiling.Margin > 0 ? $", {tiling.Margin} px margin" : "")})");
                    items.Add(new System.Text.Json.Nodes.JsonObject
                    {
                        ["input"] = path, ["output"] = Path.GetFullPath(dest), ["height"] = image.shape[1], ["width"] = image.shape[2],
                        ["processed_height"] = image.shape[1], ["processed_width"] = image.shape[2], ["tiled"] = true,
                    });
                    continue;
                }
                using var latents = LatentCodec.EncodeImage(ae, image, path, parse.GetValue(maxTokens));
                var recon = LatentCodec.DecodeImage(ae, latents);
                Finite.CheckOutput(recon, path, "reconstructed pixels");
                ImageIO.SavePng(recon, dest);
                string resized = (latents.ProcessedHeight, latents.ProcessedWidth) == (latents.OriginalHeight, latents.OriginalWidth)
                    ? "" : $" (shrunk to {latents.ProcessedWidth}x{latents.ProcessedHeight} for the token budget)";
                log($"{path} -> {dest}{resized}");
                items.Add(new System.Text.Json.Nodes.JsonObject
                {
                    ["input"] = path, ["output"] = Path.GetFullPath(dest),
                    ["height"] = latents.OriginalHeight, ["width"] = latents.OriginalWidth,
                    ["processed_height"] = latents.ProcessedHeight, ["processed_width"] = latents.ProcessedWidth,
                });
            }
            if (asJson) JsonOut.Print(new System.Text.Json.Nodes.JsonObject { ["output"] = Path.GetFullPath(outDir), ["items"] = items });
            return 0;
        }));
        return cmd;
    }

    private static IEnumerable<System.Text.Json.Nodes.JsonObject> ReconstructOnnx(string folder, string[] paths, IReadOnlyList<string> dests, bool[] video,
                                                                               int maxTokens, Action<string> log)
    {
        if (video.Any(v => v))
            throw new ViTokException($"{paths[Array.IndexOf(video, true)]}: --onnx reconstructs images only; reconstruct videos with --checkpoint.");
        using var codec = ViTok.Export.OnnxCodec.Open(folder, torch.get_num_threads());
        for (int i = 0; i < paths.Length; i++)
        {
            using var scope = torch.NewDisposeScope();
            var image = ImageIO.Load(paths[i]);                                                   // [3, H, W]
            var recon = codec.ReconstructImage(image, maxTokens);
            Finite.CheckOutput(recon, paths[i], "reconstructed pixels");
            ImageIO.SavePng(recon, dests[i]);
            long h = image.shape[1], w = image.shape[2], rh = recon.shape[1], rw = recon.shape[2];
            log($"{paths[i]} -> {dests[i]} (ONNX Runtime, {codec.Family} {codec.Variant}{((rh, rw) == (h, w) ? "" : $", shrunk to {rw}x{rh} for the token budget")})");
            yield return new System.Text.Json.Nodes.JsonObject
            {
                ["input"] = paths[i], ["output"] = Path.GetFullPath(dests[i]), ["height"] = h, ["width"] = w,
                ["processed_height"] = rh, ["processed_width"] = rw,
            };
        }
    }

    // Default overlap: one tubelet, within half the chunk (rounded down to the tubelet).
    private static System.Text.Json.Nodes.JsonObject ReconstructVideo(IAutoencoder ae, string path, string dest, int frames, int? chunkOverlap,
                                                                      Device device, Action<string> log)
    {
        if (!ae.AcceptsVideos)
            throw new ViTokException($"{path}: video reconstruction needs a paper-family video model (q > 1); {ae.Family} {ae.Variant} is an image model.");
        int q = ae.TubeletSize, chunk = Math.Max(q, frames / q * q);
        int overlap = chunkOverlap ?? Math.Min(q, chunk / 2 / q * q);
        var info = VideoIO.Probe(path);
        using var clip = VideoIO.ReadClip(path).to(device);                                    // [3, T, H, W]
        using var recon = LatentCodec.ReconstructVideo(ae, clip, frames, overlap, (d, n) => ProgressLine.Write($"{path}: chunk {d}/{n}"));
        ProgressLine.End();
        Finite.CheckOutput(recon, path, "reconstructed pixels");
        VideoIO.WriteMp4(recon, dest, info.Fps > 0 ? info.Fps : 8);
        log($"{path} -> {dest} ({clip.shape[1]} frames {clip.shape[3]}x{clip.shape[2]}, chunks of {chunk} frames, {overlap} overlapping)");
        return new System.Text.Json.Nodes.JsonObject
        {
            ["input"] = path, ["output"] = Path.GetFullPath(dest), ["frames"] = clip.shape[1], ["height"] = clip.shape[2], ["width"] = clip.shape[3], ["chunk_overlap"] = overlap,
        };
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
