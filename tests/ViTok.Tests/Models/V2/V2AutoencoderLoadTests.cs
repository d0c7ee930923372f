using ViTok.Data;
using ViTok.IO;
using ViTok.Models;
using ViTok.Tests.Support;
using ViTok.Models.V2;

namespace ViTok.Tests.Models;

[Collection(TorchCollection.Name)]
public sealed class V2AutoencoderLoadTests : IDisposable
{
    private const string TinyVariant = "w64_d2_h4-w96_d3_h4/1x8x16";
    private readonly string _tmp = Path.Combine(Path.GetTempPath(), $"v2-load-{Guid.NewGuid():N}");
    private static string Tiny => RepoPaths.Fixtures("vitok-v2", "tiny-v2");

    public V2AutoencoderLoadTests() => Directory.CreateDirectory(_tmp);

    public void Dispose() => Directory.Delete(_tmp, recursive: true);

    [Fact]
    public void FromDirectory_WrongVariant_NamesFirstMismatchedKeyAndBothShapes()
    {
        var e = Assert.Throws<ViTokException>(() => V2Autoencoder.FromDirectory(Tiny, "w64_d2_h4-w128_d3_h4/1x8x16"));
        Assert.Contains("first mismatched key: decoder_embed.weight: file has [96, 16], model expects [128, 16]", e.Message);
        Assert.Contains("decoder.safetensors", e.Message);
    }

    [Fact]
    public void FromDirectory_WrongDepth_ReportsMissingKeys()
    {
        var e = Assert.Throws<ViTokException>(() => V2Autoencoder.FromDirectory(Tiny, "w64_d3_h4-w96_d3_h4/1x8x16"));
        Assert.Contains("missing from the file (8): encoder_blocks.2.", e.Message);
    }

    [Fact]
    public void FromDirectory_TruncatedFile_IsReportedAsTruncated()
    {
        // Arrange
        File.Copy(Path.Combine(Tiny, "encoder.safetensors"), Path.Combine(_tmp, "encoder.safetensors"));
        byte[] dec = File.ReadAllBytes(Path.Combine(Tiny, "decoder.safetensors"));
        File.WriteAllBytes(Path.Combine(_tmp, "decoder.safetensors"), dec[..(dec.Length - 1000)]);

        // Act
        var e = Assert.Throws<ViTokException>(() => V2Autoencoder.FromDirectory(_tmp, TinyVariant));

        // Assert
        Assert.Contains("truncated", e.Message);
        Assert.Contains(Path.Combine(_tmp, "decoder.safetensors"), e.Message);
    }

    [Fact]
    public void FromDirectory_CompiledPrefixOldBlockNamesAndBFloat16_Load()
    {
        // Arrange: re-save the fixture as bf16 with "_orig_mod." on every key and the old decoder.N. block names.
        var original = new Dictionary<string, Tensor>();
        foreach (string half in new[] { "encoder", "decoder" })
        {
            var (t, _) = Safetensors.Read(Path.Combine(Tiny, half + ".safetensors"));
            foreach (var (k, x) in t) original[k] = x;
            var renamed = t.ToDictionary(kv => "_orig_mod." + kv.Key.Replace("decoder_blocks.", "decoder.").Replace("encoder_blocks.", "encoder."),
                                         kv => kv.Value.to(ScalarType.BFloat16));
            Safetensors.Write(Path.Combine(_tmp, half + ".safetensors"), renamed);
        }
        File.WriteAllText(Path.Combine(_tmp, "variant.txt"), TinyVariant + "\n");

        // Act
        var model = V2Autoencoder.FromDirectory(_tmp);

        // Assert: float32 parameters equal the bf16-rounded originals.
        Assert.Equal(ScalarType.Float32, model.DType);
        var sd = model.state_dict();
        Assert.Equal(original.Count, sd.Count);
        foreach (var (k, x) in original)
            Assert.True(sd[k].equal(x.to(ScalarType.BFloat16).to(ScalarType.Float32)).all().item<bool>(), k);
    }

    [Fact]
    public void FromDirectory_EncoderOnlyAndDecoderOnly_Work()
    {
        // Arrange
        var (v, _) = Safetensors.Read(Path.Combine(Tiny, "..", "tiny-v2", "vectors.safetensors"));
        var batch = new PatchBatch(v["patches"], v["patch_mask"], v["row_idx"], v["col_idx"], v["orig_height"], v["orig_width"], 8);
        var real = v["patch_mask"].unsqueeze(-1);
        string encDir = Path.Combine(_tmp, "enc"), decDir = Path.Combine(_tmp, "dec");
        Directory.CreateDirectory(encDir);
        Directory.CreateDirectory(decDir);
        File.Copy(Path.Combine(Tiny, "encoder.safetensors"), Path.Combine(encDir, "encoder.safetensors"));
        File.Copy(Path.Combine(Tiny, "decoder.safetensors"), Path.Combine(decDir, "decoder.safetensors"));

        // Act
        var enc = V2Autoencoder.FromDirectory(encDir, TinyVariant);
        var dec = V2Autoencoder.FromDirectory(decDir, TinyVariant);
        var z = enc.Encode(batch);
        var patches = dec.Decode(v["z"], batch);

        // Assert
        Assert.Equal(V2Parts.Encoder, enc.Parts);
        Assert.Equal(V2Parts.Decoder, dec.Parts);
        Assert.True((z - v["z"]).abs().masked_select(real.expand_as(z)).max().item<float>() < 1e-4);
        Assert.True((patches - v["decoded_patches"]).abs().masked_select(real.expand_as(patches)).max().item<float>() < 1e-4);
        Assert.Throws<InvalidOperationException>(() => enc.Decode(z, batch));
        Assert.Throws<InvalidOperationException>(() => dec.Encode(batch));
        var e = Assert.Throws<ViTokException>(() => V2Autoencoder.FromDirectory(encDir, TinyVariant, V2Parts.Both));
        Assert.Contains("decoder weights (decoder.safetensors) are not there", e.Message);
    }

    [Fact]
    public void FromDirectory_WithoutVariant_SaysHowToGiveIt()
    {
        var e = Assert.Throws<ViTokException>(() => V2Autoencoder.FromDirectory(Tiny));
        Assert.Contains("cannot tell which variant", e.Message);
        Assert.Contains("variant.txt", e.Message);
    }

    [Fact]
    public void FromDirectory_MissingFolderOrFiles_SaysWhatToDo()
    {
        Assert.Contains("no such folder", Assert.Throws<ViTokException>(() => V2Autoencoder.FromDirectory(Path.Combine(_tmp, "nope"))).Message);
        Assert.Contains("neither encoder.safetensors nor decoder.safetensors",
                        Assert.Throws<ViTokException>(() => V2Autoencoder.FromDirectory(_tmp, TinyVariant)).Message);
    }

    [Fact]
    public void SaveToDirectory_RoundTripsWithVariantFromFolder()
    {
        // Arrange
        torch.manual_seed(61);
        var model = new V2Autoencoder(V2Config.FromVariant("Bw32d1h2-Bw32d2h2/1x4x8"));
        using var batch = NaFlex.Patchify([torch.rand(3, 10, 14) * 2 - 1], 4, 16);

        // Act
        model.SaveToDirectory(_tmp);
        var loaded = V2Autoencoder.FromDirectory(_tmp);

        // Assert
        Assert.Equal("Bw32d1h2-Bw32d2h2/1x4x8", loaded.Config.ToString());
        Assert.True(model.Decode(model.Encode(batch), batch).equal(loaded.Decode(loaded.Encode(batch), batch)).all().item<bool>());
    }

    [Fact]
    public void FromDirectory_LegacySingleFile_LoadsBothHalves()
    {
        // Arrange: old releases kept both halves in one model.safetensors.
        var all = new Dictionary<string, Tensor>();
        foreach (string half in new[] { "encoder", "decoder" })
            foreach (var (k, t) in Safetensors.Read(Path.Combine(Tiny, half + ".safetensors")).Tensors)
                all["_orig_mod." + k] = t;
        Safetensors.Write(Path.Combine(_tmp, "model.safetensors"), all);

        // Act
        var model = V2Autoencoder.FromDirectory(_tmp, TinyVariant);
        var encoderOnly = V2Autoencoder.FromDirectory(_tmp, TinyVariant, V2Parts.Encoder);

        // Assert
        Assert.Equal(V2Parts.Both, model.Parts);
        Assert.Equal(V2Parts.Encoder, encoderOnly.Parts);
        Assert.Equal(all.Count, model.state_dict().Count);
    }

    [Fact]
    public void FromDirectory_VariantFromFileMetadata_WhenNoVariantTxt()
    {
        torch.manual_seed(62);
        new V2Autoencoder(V2Config.FromVariant("Bw32d1h2/1x4x8"), V2Parts.Decoder).SaveToDirectory(_tmp);
        File.Delete(Path.Combine(_tmp, "variant.txt"));
        var loaded = V2Autoencoder.FromDirectory(_tmp);
        Assert.Equal("Bw32d1h2/1x4x8", loaded.Config.ToString());
        Assert.Equal(V2Parts.Decoder, loaded.Parts);
    }

    [Fact]
    public void FromDirectory_BFloat16Model_StaysCloseToFloat32()
    {
        var (v, _) = Safetensors.Read(Path.Combine(Tiny, "vectors.safetensors"));
        var batch = new PatchBatch(v["patches"], v["patch_mask"], v["row_idx"], v["col_idx"], v["orig_height"], v["orig_width"], 8);
        var model = V2Autoencoder.FromDirectory(Tiny, TinyVariant, dtype: ScalarType.BFloat16);
        var z = model.Encode(batch);
        Assert.Equal(ScalarType.Float32, z.dtype);
        var real = v["patch_mask"].unsqueeze(-1).expand_as(z);
        Assert.True((z - v["z"]).abs().masked_select(real).mean().item<float>() < 0.05);
    }
}
