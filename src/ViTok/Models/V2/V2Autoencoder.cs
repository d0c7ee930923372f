using System.Globalization;
using ViTok.Data;
using ViTok.IO;
using ViTok.Layers;

namespace ViTok.Models.V2;

/// <summary>The ViTok-v2 auto-encoder (mirrors <c>vitok/models/ae.py: AE</c>, SDPA path, no special tokens):
/// patches [B, N, 3p²] → <c>patch_embed</c> → encoder blocks (2-D RoPE on the patch grid) → <c>to_code</c> →
/// affine-free LayerNorm (fp32) = z [B, N, c] → <c>decoder_embed</c> → decoder blocks → <c>to_pixels</c> → patches.
/// No final norms, no output activation. Padding tokens are masked as keys and their outputs are zero.
/// Either half may be absent (encoder-only or decoder-only models).</summary>
public sealed partial class V2Autoencoder : nn.Module<PatchBatch, Tensor>, IAutoencoder
{
    private readonly Linear? patch_embed;
    private readonly ModuleList<V2Block>? encoder_blocks;
    private readonly Linear? to_code;
    private readonly Linear? decoder_embed;
    private readonly ModuleList<V2Block>? decoder_blocks;
    private readonly Linear? to_pixels;

    /// <summary>The configuration.</summary>
    public V2Config Config { get; }

    /// <summary>The halves this model has.</summary>
    public V2Parts Parts { get; }

    /// <summary>The parameters' dtype (float32 or bfloat16), read from the weights, so it follows a later
    /// <c>Module.to(dtype)</c>: inputs are cast to it.</summary>
    public ScalarType DType => FirstWeight.dtype;

    /// <summary>The parameters' device, read from the weights, so it follows a later <c>Module.to(device)</c>.</summary>
    public Device Device => FirstWeight.device;

    private Tensor FirstWeight => (patch_embed ?? decoder_embed)!.weight!;

    /// <summary>True when the encoder half exists.</summary>
    public bool HasEncoder => Parts.HasFlag(V2Parts.Encoder);

    /// <summary>True when the decoder half exists.</summary>
    public bool HasDecoder => Parts.HasFlag(V2Parts.Decoder);

    /// <summary>Builds the model with PyTorch-default initialisation (LayerScale 1e-4, RMSNorm weights 1). Pass the
    /// meta device to build a large variant without allocating its weights.</summary>
    public V2Autoencoder(V2Config config, V2Parts parts = V2Parts.Both, Device? device = null, ScalarType dtype = ScalarType.Float32)
        : base(nameof(V2Autoencoder))
    {
        if ((parts & V2Parts.Both) == 0) throw new ArgumentException("build at least the encoder or the decoder", nameof(parts));
        if (dtype is not (ScalarType.Float32 or ScalarType.BFloat16 or ScalarType.Float16 or ScalarType.Float64))
            throw new ArgumentException($"unsupported parameter dtype {dtype}", nameof(dtype));
        Config = config;
        Parts = parts & V2Parts.Both;
        if (HasEncoder)
        {
            patch_embed = nn.Linear(config.PixelsPerToken, config.EncoderWidth, hasBias: true, device: device, dtype: dtype);
            encoder_blocks = new ModuleList<V2Block>(Enumerable.Range(0, config.EncoderDepth)
                .Select(_ => new V2Block(config.EncoderWidth, config.EncoderHeads, config.EncoderHidden, config.LayerScaleInit, device, dtype))
                .ToArray());
            to_code = nn.Linear(config.EncoderWidth, config.Channels, hasBias: true, device: device, dtype: dtype);
        }
        if (HasDecoder)
        {
            decoder_embed = nn.Linear(config.Channels, config.DecoderWidth, hasBias: true, device: device, dtype: dtype);
            decoder_blocks = new ModuleList<V2Block>(Enumerable.Range(0, config.DecoderDepth)
                .Select(_ => new V2Block(config.DecoderWidth, config.DecoderHeads, config.DecoderHidden, config.LayerScaleInit, device, dtype))
                .ToArray());
            to_pixels = nn.Linear(config.DecoderWidth, config.PixelsPerToken, hasBias: true, device: device, dtype: dtype);
        }
        RegisterComponents();
    }

    // ---------------------------------------------------------------- differentiable forward

    /// <summary>Encodes then decodes (differentiable; no scope, no no_grad): returns patches [B, N, 3p²].</summary>
    public override Tensor forward(PatchBatch batch) => DecodeTokens(EncodeTokens(batch), batch);

    // Differentiable encoder: z [B, N, c] in the model dtype, padding rows zero.
    private Tensor EncodeTokens(PatchBatch batch)
    {
        if (patch_embed is null || encoder_blocks is null || to_code is null)
            throw new InvalidOperationException("this model has no encoder (it was built or loaded decoder-only).");
        var patches = batch.Patches.to(Device).to(DType);
        if (patches.shape[^1] != Config.PixelsPerToken)
            throw new ViTokException($"the patches have {patches.shape[^1]} values per token but variant {Config} expects {Config.PixelsPerToken} "
                                     + $"(patch size {Config.PatchSize}); patchify with patch size {Config.PatchSize}.");
        var (valid, keyMask) = Masks(batch);
        Tensor cos, sin;
        using (ComponentProfile.Time(ComponentProfile.Rope))
            (cos, sin) = Rope2D.Frequencies(batch.RowIdx.to(Device), batch.ColIdx.to(Device), Config.EncoderHeadDim, Config.RopeTheta); // once for all blocks
        var x = patch_embed.call(patches); // [B, N, We]
        foreach (var block in encoder_blocks)
            x = RunBlock(block, x, cos, sin, keyMask);
        var z = to_code.call(x); // [B, N, c]
        using (ComponentProfile.Time(ComponentProfile.Norm))
            z = F.layer_norm(z.to(ScalarType.Float32), [Config.Channels], eps: 1e-6).to(z.dtype);
        return z.masked_fill(valid.logical_not().unsqueeze(-1), Scalars.Of(0.0));
    }

    // Differentiable decoder: patches [B, N, 3p²] in the model dtype from z [B, N, c] at the positions of `positions`
    // (its mask and row/column indices), padding rows zero.
    private Tensor DecodeTokens(Tensor z, PatchBatch positions)
    {
        if (decoder_embed is null || decoder_blocks is null || to_pixels is null)
            throw new InvalidOperationException("this model has no decoder (it was built or loaded encoder-only).");
        if (z.dim() != 3 || z.shape[^1] != Config.Channels)
            throw new ViTokException($"the latents have shape [{string.Join(", ", z.shape)}] but variant {Config} expects [B, N, {Config.Channels}].");
        var (valid, keyMask) = Masks(positions);
        Tensor cos, sin;
        using (ComponentProfile.Time(ComponentProfile.Rope))
            (cos, sin) = Rope2D.Frequencies(positions.RowIdx.to(Device), positions.ColIdx.to(Device), Config.DecoderHeadDim, Config.RopeTheta); // once for all blocks
        var x = decoder_embed.call(z.to(Device).to(DType)); // [B, N, Wd]
        foreach (var block in decoder_blocks)
            x = RunBlock(block, x, cos, sin, keyMask);
        var patches = to_pixels.call(x); // [B, N, 3p²]
        return patches.masked_fill(valid.logical_not().unsqueeze(-1), Scalars.Of(0.0));
    }

    // One block in its own dispose scope; the previous activation (always created here, never the caller's) is
    // released at once, so a deep stack at high resolution holds one block's temporaries at a time. Autograd keeps
    // what backward needs through its own references.
    private Tensor RunBlock(V2Block block, Tensor x, Tensor cos, Tensor sin, Tensor? keyMask)
    {
        if (ActivationCheckpointing && torch.is_grad_enabled())
            return Layers.ActivationCheckpoint.Run(h => block.call(h, cos, sin, keyMask), x);
        var y = torch.WrappedTensorDisposeScope(() => block.call(x, cos, sin, keyMask));
        x.Dispose();
        return y;
    }

    // Real-token mask [B, N] and the key mask [B, 1, 1, N] (null when nothing is padded). Only keys are masked:
    // a padded query still attends to the real keys, so no softmax row is ever empty.
    private (Tensor Valid, Tensor? KeyMask) Masks(PatchBatch batch)
    {
        var valid = batch.PatchMask.to(Device).to(ScalarType.Bool);
        if (valid.dim() != 2 || valid.shape[0] != batch.RowIdx.shape[0] || valid.shape[1] != batch.RowIdx.shape[1])
            throw new ArgumentException("patch_mask, row_idx and col_idx must all be [B, N].");
        if (valid.any(-1).logical_not().any().item<bool>())
            throw new ViTokException("a batch entry has no real tokens (its patch_mask is all false).");
        var keyMask = valid.all().item<bool>() ? null : valid.unsqueeze(1).unsqueeze(1);
        return (valid, keyMask);
    }

    // ---------------------------------------------------------------- inference API

    /// <summary>Encodes a patch batch under no_grad: z [B, N, c] float32, padding rows zero.</summary>
    public Tensor Encode(PatchBatch batch)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        return EncodeTokens(batch).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>Decodes latents z [B, N, c] at the positions of <paramref name="positions"/> under no_grad: patches
    /// [B, N, 3p²] float32, padding rows zero.</summary>
    public Tensor Decode(Tensor z, PatchBatch positions)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        return DecodeTokens(z, positions).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>Reconstructs images [3, H, W] in [-1, 1] through the auto-encoder in one padded batch; each result is
    /// cropped to the image's size after the token-budget resize (the original size when it fitted).</summary>
    /// <exception cref="ViTokException">The model is not an image model, or an image does not fit the budget.</exception>
    public IReadOnlyList<Tensor> Reconstruct(IReadOnlyList<Tensor> images, int maxTokens = 256)
    {
        RequireImages();
        using var scope = torch.NewDisposeScope();
        var batch = NaFlex.Patchify(images, Config.PatchSize, maxTokens);                 // disposed with the scope
        var result = NaFlex.ToImages(Decode(Encode(batch), batch), batch);
        foreach (var t in result) t.MoveToOuterDisposeScope();
        return result;
    }

    private void RequireImages()
    {
        if (Config.TemporalStride != 1)
            throw new ViTokException($"variant {Config} has temporal stride {Config.TemporalStride}; only images (t = 1) are supported.");
    }

    // ---------------------------------------------------------------- loading and saving

    /// <summary>Loads a model from a folder holding <c>encoder.safetensors</c> and/or <c>decoder.safetensors</c> (or a
    /// legacy single <c>model.safetensors</c>). The variant comes from <paramref name="variant"/> (a variant string or
    /// a released name), else <c>variant.txt</c> in the folder, else a <c>variant</c> metadata entry of the files, else
    /// the folder's name when it is a released name. <paramref name="parts"/> defaults to the halves whose files exist.
    /// Weights may be bfloat16 or float32 (converted to <paramref name="dtype"/>), keys may carry an
    /// <c>_orig_mod.</c> prefix and may use the old <c>encoder.N.</c> / <c>decoder.N.</c> block names. Keys and shapes
    /// are checked strictly.</summary>
    public static V2Autoencoder FromDirectory(string dir, string? variant = null, V2Parts? parts = null,
                                              ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        if (!Directory.Exists(dir))
            throw new ViTokException($"{dir}: no such folder. Pass the folder that holds encoder.safetensors and decoder.safetensors.");
        string encPath = Path.Combine(dir, "encoder.safetensors"), decPath = Path.Combine(dir, "decoder.safetensors");
        string fullPath = Path.Combine(dir, "model.safetensors");
        bool hasEnc = File.Exists(encPath), hasDec = File.Exists(decPath);
        bool legacy = !hasEnc && !hasDec && File.Exists(fullPath);
        if (!hasEnc && !hasDec && !legacy)
            throw new ViTokException($"{dir}: neither encoder.safetensors nor decoder.safetensors is there. Download them from the "
                                     + "model's Hugging Face repository (see `vitok pretrained list`).");

        V2Parts available = (hasEnc ? V2Parts.Encoder : 0) | (hasDec ? V2Parts.Decoder : 0);
        string[] files = legacy ? [fullPath] : new[] { hasEnc ? encPath : null, hasDec ? decPath : null }.OfType<string>().ToArray();
        var config = V2Config.FromVariant(ResolveVariant(dir, variant, files));

        if (legacy)
        {
            // One file with both halves (old releases): the halves present are those its keys name.
            var keys = Safetensors.ReadHeader(fullPath).Entries.Select(e => NormalizeKey(e.Name)).ToList();
            available = (keys.Any(IsEncoderKey) ? V2Parts.Encoder : 0) | (keys.Any(IsDecoderKey) ? V2Parts.Decoder : 0);
            if (available == 0) available = V2Parts.Both; // the strict check will say what is wrong
        }
        V2Parts want = (parts ?? available) & V2Parts.Both;
        if (want == 0) throw new ArgumentException("load at least the encoder or the decoder", nameof(parts));
        if ((want & ~available) != 0)
        {
            string missing = (want & ~available).HasFlag(V2Parts.Encoder) ? "encoder" : "decoder";
            string other = missing == "encoder" ? "decoder" : "encoder";
            throw new ViTokException($"{dir}: the {missing} weights ({missing}.safetensors) are not there; download them, or load the {other} alone.");
        }
        if (!legacy)
            files = files.Where(f => f == encPath ? want.HasFlag(V2Parts.Encoder) : want.HasFlag(V2Parts.Decoder)).ToArray();

        // The model is built outside the scope (its parameters must outlive it); the file tensors die with the scope.
        var model = new V2Autoencoder(config, want, device, dtype);
        using var scope = torch.NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>();
        foreach (var f in files)
            foreach (var (key, t) in Safetensors.Read(f).Tensors)
            {
                string k = NormalizeKey(key);
                bool keep = !legacy || (want.HasFlag(V2Parts.Encoder) && !IsDecoderKey(k)) || (want.HasFlag(V2Parts.Decoder) && !IsEncoderKey(k));
                if (keep && !tensors.TryAdd(k, t))
                    throw new ViTokException($"{f}: key '{k}' appears twice (after removing '_orig_mod.' and renaming old block names).");
            }

        StateDict.LoadStrict(model, tensors, string.Join(" + ", files), $"variant {config}");
        model.eval();
        return model;
    }

    /// <summary>Writes the present halves as <c>encoder.safetensors</c> / <c>decoder.safetensors</c> (reference key
    /// names, the model dtype, the variant in the metadata) and <c>variant.txt</c> into <paramref name="dir"/>.</summary>
    public void SaveToDirectory(string dir)
    {
        Directory.CreateDirectory(dir);
        var sd = state_dict();
        var meta = new Dictionary<string, string> { ["variant"] = Config.ToString(), ["family"] = Config.Family };
        if (HasEncoder)
            Safetensors.Write(Path.Combine(dir, "encoder.safetensors"), sd.Where(kv => IsEncoderKey(kv.Key)), meta);
        if (HasDecoder)
            Safetensors.Write(Path.Combine(dir, "decoder.safetensors"), sd.Where(kv => IsDecoderKey(kv.Key)), meta);
        AtomicFile.Write(Path.Combine(dir, "variant.txt"), s => s.Write(System.Text.Encoding.UTF8.GetBytes(Config + "\n")));
    }

    /// <summary>Maps a checkpoint key to this model's key: strips <c>_orig_mod.</c> prefixes (from
    /// <c>torch.compile</c>) and renames the old <c>encoder.N.</c> / <c>decoder.N.</c> block keys to
    /// <c>encoder_blocks.N.</c> / <c>decoder_blocks.N.</c>.</summary>
    public static string NormalizeKey(string key)
    {
        string k = key;
        while (k.StartsWith("_orig_mod.", StringComparison.Ordinal)) k = k["_orig_mod.".Length..];
        k = RenameOldBlock(k, "encoder.", "encoder_blocks.");
        return RenameOldBlock(k, "decoder.", "decoder_blocks.");
    }

    private static string RenameOldBlock(string key, string oldPrefix, string newPrefix)
    {
        if (!key.StartsWith(oldPrefix, StringComparison.Ordinal)) return key;
        string rest = key[oldPrefix.Length..];
        int dot = rest.IndexOf('.');
        return dot > 0 && rest[..dot].All(char.IsAsciiDigit) ? newPrefix + rest : key;
    }

    private static bool IsEncoderKey(string k) =>
        k.StartsWith("patch_embed.", StringComparison.Ordinal) || k.StartsWith("encoder_blocks.", StringComparison.Ordinal)
        || k.StartsWith("to_code.", StringComparison.Ordinal);

    private static bool IsDecoderKey(string k) =>
        k.StartsWith("decoder_embed.", StringComparison.Ordinal) || k.StartsWith("decoder_blocks.", StringComparison.Ordinal)
        || k.StartsWith("to_pixels.", StringComparison.Ordinal);

    private static string ResolveVariant(string dir, string? variant, IEnumerable<string> files)
    {
        if (!string.IsNullOrWhiteSpace(variant))
            return V2Pretrained.TryGet(variant)?.Variant ?? variant.Trim();
        string txt = Path.Combine(dir, "variant.txt");
        if (File.Exists(txt))
        {
            string v = File.ReadAllText(txt).Trim();
            if (v.Length == 0) throw new ViTokException($"{txt} is empty; write the variant (e.g. Ld4-Ld24/1x16x64) into it.");
            return V2Pretrained.TryGet(v)?.Variant ?? v;
        }
        foreach (var f in files)
            if (Safetensors.ReadHeader(f).Metadata.TryGetValue("variant", out string? v) && !string.IsNullOrWhiteSpace(v))
                return v;
        string name = Path.GetFileName(Path.GetFullPath(dir).TrimEnd(Path.DirectorySeparatorChar));
        if (V2Pretrained.TryGet(name) is { } known) return known.Variant;
        throw new ViTokException($"{dir}: cannot tell which variant these weights are. Pass the variant (e.g. Ld4-Ld24/1x16x64) or a released "
                                 + $"name (e.g. 350M-f16x64), or write it into {txt}.");
    }

    /// <summary>Number of parameters of the built halves (counted from the modules).</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <summary>Short description: variant, halves, dtype and parameter counts.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"ViTok-v2 {Config} ({Parts}, {DType}, {ParameterCount / 1e6:F2} M parameters)");
}
