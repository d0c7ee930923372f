using System.Globalization;
using ViTok.Models;
using ViTok.Models.Paper;
using ViTok.Models.V2;

namespace ViTok.Export;

/// <summary>Exports an auto-encoder of either family as <c>encoder.onnx</c> / <c>decoder.onnx</c> (float32, dynamic
/// batch and token/grid axes, opset 17 by default). Each file's <c>metadata_props</c> carry the latent contract
/// (keys in <see cref="MetadataKeys"/>) plus the model's own metadata (family, variant, config), so
/// <see cref="OnnxCodec"/> and other runtimes can use the pair without the checkpoint.</summary>
public static class OnnxExport
{
    /// <summary>The contract keys written to every file: <c>vitok.family</c>, <c>vitok.variant</c>, <c>vitok.part</c>
    /// (encoder|decoder), <c>vitok.channels</c> (c), <c>vitok.patch_size</c> (p), <c>vitok.tubelet_size</c> (q),
    /// <c>vitok.pixel_range</c> ("-1,1"), <c>vitok.inputs</c> and <c>vitok.outputs</c> (names with shapes),
    /// <c>vitok.latent</c> (what the latent is and its layout).</summary>
    public static readonly IReadOnlyList<string> MetadataKeys =
        ["vitok.family", "vitok.variant", "vitok.part", "vitok.channels", "vitok.patch_size", "vitok.tubelet_size",
         "vitok.pixel_range", "vitok.inputs", "vitok.outputs", "vitok.latent"];

    /// <summary>Writes the requested parts into <paramref name="folder"/> (created if needed) and returns the files
    /// written (external data files included). <paramref name="externalThreshold"/> overrides the size above which
    /// the weights go to <c>&lt;part&gt;.onnx.data</c> (default <see cref="OnnxWriter.ExternalDataThreshold"/>).</summary>
    /// <exception cref="ViTokException">An unsupported model, opset, or a part the model does not have.</exception>
    public static IReadOnlyList<string> Export(IAutoencoder model, string folder, OnnxPart part = OnnxPart.Both, int opset = 17,
                                               long? externalThreshold = null, Action<string>? progress = null)
    {
        var written = new List<string>();
        foreach (var half in new[] { OnnxPart.Encoder, OnnxPart.Decoder }.Where(h => part.HasFlag(h)))
        {
            bool enc = half == OnnxPart.Encoder;
            progress?.Invoke($"building the {(enc ? "encoder" : "decoder")} graph");
            var graph = model switch
            {
                PaperAutoencoder p => enc ? PaperOnnx.Encoder(p, opset) : PaperOnnx.Decoder(p, opset),
                V2Autoencoder v => enc ? V2Onnx.Encoder(v, opset) : V2Onnx.Decoder(v, opset),
                _ => throw new ViTokException($"ONNX export supports the paper and v2 families; {model.GetType().Name} is neither."),
            };
            string path = Path.Combine(folder, enc ? "encoder.onnx" : "decoder.onnx");
            progress?.Invoke($"writing {path} ({graph.Nodes.Count} nodes, {graph.InitializerBytes / 1e6:F1} MB of weights)");
            var data = OnnxWriter.Write(graph, path, Metadata(model, enc), externalThreshold);
            written.Add(path);
            if (data is not null) written.Add(data);
            else if (File.Exists(path + ".data") && OnnxWriter.IsOwnFile(path + ".data")) File.Delete(path + ".data");   // stale, from a larger export
        }
        return written;
    }

    /// <summary>The metadata of one part: the latent contract and the model's own metadata.</summary>
    public static IReadOnlyDictionary<string, string> Metadata(IAutoencoder model, bool encoder)
    {
        var inv = CultureInfo.InvariantCulture;
        bool paper = model is PaperAutoencoder;
        int c = model.Channels, p = model.PatchSize, q = model.TubeletSize, d = 3 * q * p * p;
        string layout = "patch_mask[batch,tokens] bool; row_idx[batch,tokens] int64; col_idx[batch,tokens] int64";
        string inputs = (paper, encoder) switch
        {
            (true, true) => "pixels[batch,3,frames,height,width] float32 in [-1,1]; frames % q == 0, height and width % p == 0 (images: frames = 1)",
            (true, false) => $"z[batch,grid_t,grid_h,grid_w,{c}] float32",
            (false, true) => $"patches[batch,tokens,{d}] float32 in [-1,1], channel-major per token; {layout}",
            (false, false) => $"z[batch,tokens,{c}] float32; {layout}",
        };
        string outputs = (paper, encoder) switch
        {
            (true, true) => $"mean[batch,grid_t,grid_h,grid_w,{c}]; logvar[batch,grid_t,grid_h,grid_w,{c}]",
            (true, false) => "pixels[batch,3,grid_t*q,grid_h*p,grid_w*p] float32, about [-1,1] (not clamped)",
            (false, true) => $"z[batch,tokens,{c}]",
            (false, false) => $"patches[batch,tokens,{d}] float32, about [-1,1] (not clamped), padding rows 0",
        };
        string latent = paper
            ? "posterior mean (deterministic z) and clamped log-variance of a diagonal Gaussian per token; grid = (frames/q, height/p, width/p) in raster order"
            : "affine-free LayerNorm'd encoder output per patch token (deterministic); padding rows 0; decode with the same patch_mask/row_idx/col_idx";
        var meta = new Dictionary<string, string>
        {
            ["vitok.family"] = model.Family, ["vitok.variant"] = model.Variant, ["vitok.part"] = encoder ? "encoder" : "decoder",
            ["vitok.channels"] = c.ToString(inv), ["vitok.patch_size"] = p.ToString(inv), ["vitok.tubelet_size"] = q.ToString(inv),
            ["vitok.pixel_range"] = "-1,1", ["vitok.inputs"] = inputs, ["vitok.outputs"] = outputs, ["vitok.latent"] = latent,
        };
        foreach (var (k, v) in model.ModelMetadata()) meta.TryAdd(k, v);
        return meta;
    }
}
