using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tensor = TorchSharp.torch.Tensor;
using ViTok.Models.V2;

namespace ViTok.Export;

/// <summary>Runs an exported <c>encoder.onnx</c> / <c>decoder.onnx</c> pair (or one of them) with ONNX Runtime on the
/// CPU, taking and returning TorchSharp tensors (float32, on the CPU). The family and sizes come from the files'
/// metadata (see <see cref="OnnxExport.MetadataKeys"/>). Dispose it to free the sessions.</summary>
public sealed class OnnxCodec : IDisposable
{
    private readonly InferenceSession? _encoder;
    private readonly InferenceSession? _decoder;

    /// <summary>"paper" or "v2".</summary>
    public string Family { get; }

    /// <summary>The exported model's variant.</summary>
    public string Variant { get; }

    /// <summary>Latent channels c.</summary>
    public int Channels { get; }

    /// <summary>Patch size p.</summary>
    public int PatchSize { get; }

    /// <summary>Tubelet (temporal) size q.</summary>
    public int TubeletSize { get; }

    private OnnxCodec(InferenceSession? encoder, InferenceSession? decoder)
    {
        _encoder = encoder;
        _decoder = decoder;
        var meta = (encoder ?? decoder)!.ModelMetadata.CustomMetadataMap;
        string Get(string k) => meta.TryGetValue(k, out var v) ? v
            : throw new ViTokException($"the ONNX file has no '{k}' metadata; export it with `vitok export onnx`.");
        Family = Get("vitok.family");
        Variant = Get("vitok.variant");
        Channels = int.Parse(Get("vitok.channels"), CultureInfo.InvariantCulture);
        PatchSize = int.Parse(Get("vitok.patch_size"), CultureInfo.InvariantCulture);
        TubeletSize = int.Parse(Get("vitok.tubelet_size"), CultureInfo.InvariantCulture);
    }

    /// <summary>Opens the <c>encoder.onnx</c> and/or <c>decoder.onnx</c> found in <paramref name="folder"/>, with
    /// <paramref name="threads"/> intra-op threads (0: ONNX Runtime's default).</summary>
    /// <exception cref="ViTokException">When the folder holds neither file or a file cannot be loaded.</exception>
    public static OnnxCodec Open(string folder, int threads = 0)
    {
        string enc = Path.Combine(folder, "encoder.onnx"), dec = Path.Combine(folder, "decoder.onnx");
        if (!File.Exists(enc) && !File.Exists(dec))
            throw new ViTokException($"{folder}: neither encoder.onnx nor decoder.onnx is there; write them with `vitok export onnx --checkpoint CKPT -o {folder}`.");
        using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 };
        InferenceSession? Load(string path)
        {
            if (!File.Exists(path)) return null;
            try { return new InferenceSession(path, options); }
            catch (OnnxRuntimeException e) { throw new ViTokException($"{path}: ONNX Runtime cannot load it ({e.Message.Split('\n')[0]}); export it again.", e); }
        }
        var e = Load(enc);
        return new OnnxCodec(e, Load(dec));
    }

    /// <summary>Paper family: pixels [B, 3, T, H, W] in [-1, 1] → posterior mean and log-variance, each
    /// [B, T/q, H/p, W/p, c].</summary>
    public (Tensor Mean, Tensor LogVar) EncodePaper(Tensor pixels)
    {
        var outs = Run(Require(_encoder, "encoder"), [Input<float>("pixels", pixels)], "mean", "logvar");
        return (outs[0], outs[1]);
    }

    /// <summary>Paper family: latents z [B, t, h, w, c] → pixels [B, 3, t·q, h·p, w·p].</summary>
    public Tensor DecodePaper(Tensor z) => Run(Require(_decoder, "decoder"), [Input<float>("z", z)], "pixels")[0];

    /// <summary>ViTok-v2: a NaFlex batch → z [B, N, c] (padding rows 0).</summary>
    public Tensor EncodeV2(PatchBatch batch) =>
        Run(Require(_encoder, "encoder"), [Input<float>("patches", batch.Patches), .. Layout(batch)], "z")[0];

    /// <summary>ViTok-v2: z [B, N, c] at the positions of <paramref name="positions"/> → patches [B, N, 3p²].</summary>
    public Tensor DecodeV2(Tensor z, PatchBatch positions) =>
        Run(Require(_decoder, "decoder"), [Input<float>("z", z), .. Layout(positions)], "patches")[0];

    /// <summary>Reconstructs one image [3, H, W] in [-1, 1] through the pair. Paper family: padded by edge
    /// replication to the patch multiple and cropped back. v2: patchified under <paramref name="maxTokens"/> (larger
    /// images are shrunk, as <c>V2Autoencoder.Reconstruct(images, maxTokens)</c> does), so the result may be smaller.</summary>
    /// <exception cref="ViTokException">A video-only paper model (q > 1) or an unknown family.</exception>
    public Tensor ReconstructImage(Tensor image, int maxTokens = 256)
    {
        using var scope = torch.NewDisposeScope();
        var x = image.to(ScalarType.Float32).cpu();
        if (Family == "v2")
        {
            using var batch = NaFlex.Patchify([x], PatchSize, maxTokens);
            var patches = DecodeV2(EncodeV2(batch), batch);
            return NaFlex.ToImages(patches, batch)[0].MoveToOuterDisposeScope();
        }
        if (Family != "paper") throw new ViTokException($"unknown family '{Family}' in the ONNX metadata.");
        if (TubeletSize != 1) throw new ViTokException($"variant {Variant} has temporal stride q = {TubeletSize}: it takes videos, not images.");
        long h = x.shape[1], w = x.shape[2], p = PatchSize;
        var padded = F.pad(x.unsqueeze(0), [0, (p - w % p) % p, 0, (p - h % p) % p], PaddingModes.Replicate).unsqueeze(2);   // [1, 3, 1, H', W']
        var recon = DecodePaper(EncodePaper(padded).Mean);                                                                      // [1, 3, 1, H', W']
        return recon[0, .., 0, ..(int)h, ..(int)w].contiguous().MoveToOuterDisposeScope();
    }

    private static InferenceSession Require(InferenceSession? s, string part) =>
        s ?? throw new ViTokException($"the folder has no {part}.onnx; export it with --part both (or --part {part}).");

    private static NamedOnnxValue[] Layout(PatchBatch b) =>
        [Input<bool>("patch_mask", b.PatchMask.to(ScalarType.Bool)), Input<long>("row_idx", b.RowIdx), Input<long>("col_idx", b.ColIdx)];

    private static NamedOnnxValue Input<T>(string name, Tensor t) where T : unmanaged
    {
        using var c = t.detach().cpu().contiguous();
        var dims = c.shape.Select(d => (int)d).ToArray();
        return NamedOnnxValue.CreateFromTensor(name, new DenseTensor<T>(c.data<T>().ToArray(), dims));
    }

    private static Tensor[] Run(InferenceSession session, NamedOnnxValue[] inputs, params string[] outputs)
    {
        using var results = session.Run(inputs, outputs);
        return [.. results.Select(r =>
        {
            var t = r.AsTensor<float>();
            return torch.tensor(t.ToArray(), [.. t.Dimensions.ToArray().Select(d => (long)d)]);
        })];
    }

    /// <summary>Frees the sessions.</summary>
    public void Dispose()
    {
        _encoder?.Dispose();
        _decoder?.Dispose();
    }
}
