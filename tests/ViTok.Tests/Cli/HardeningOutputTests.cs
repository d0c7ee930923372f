using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Nodes;
using SkiaSharp;
using ViTok.Cli.Commands;
using ViTok.Evaluation;
using ViTok.IO;
using ViTok.Models;
using ViTok.Models.Paper;
using ViTok.Tests.Support;

namespace ViTok.Tests.Cli;

/// <summary>Issues 11 and 19 (outputs): the PNG format, distinct names, non-finite values, JSON numbers, checks before
/// the work, the overwrite rule, empty values, destinations and errors that name the file.</summary>
[Collection(TorchCollection.Name)]
public sealed class HardeningOutputTests : IDisposable
{
    private const string TinyPaper = "Sw32d1h2-Bw32d1h2/4";
    private const string TinyV2 = "w64_d2_h4-w96_d3_h4/1x8x16";
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Fixture(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);

    private static string V2Folder => Fixture("vitok-v2", "tiny-v2");

    private string PaperCheckpointFile(string name = "tiny.safetensors", int seed = 2)
    {
        torch.manual_seed(seed);
        string ckpt = _dir.File(name);
        using var init = new PaperAutoencoder(PaperConfig.FromVariant(TinyPaper, 4));
        PaperCheckpoint.Save(init, ckpt);
        return ckpt;
    }

    // A smooth random image [3, h, w] saved as PNG.
    private string Image(string relative, int h = 32, int w = 32, int seed = 0)
    {
        torch.manual_seed(seed);
        using var coarse = torch.rand(1, 3, 4, 4).mul(2).sub(1);
        using var image = F.interpolate(coarse, [h, w], mode: InterpolationMode.Bilinear, align_corners: false)[0];
        string path = _dir.File(relative);
        ImageIO.SavePng(image, path);
        return path;
    }

    private static (int ColorType, int BitDepth) Ihdr(string png)
    {
        byte[] b = File.ReadAllBytes(png);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(b, 12, 4));
        return (b[25], b[24]);
    }

    // ---- 11.1: every PNG is 8-bit RGB, no alpha ----

    [Fact]
    public void Png_IsRgb8_NoAlpha()
    {
        // Arrange: a 5×3 image with known bytes.
        var rgb = Enumerable.Range(0, 3 * 5 * 3).Select(i => (byte)(i * 5)).ToArray();
        string path = _dir.File("x.png");

        // Act
        ImageIO.SavePng(rgb, 3, 5, path);

        // Assert: IHDR colour type 2 (RGB), bit depth 8; Skia sees an opaque image; the bytes come back exactly.
        Assert.Equal((2, 8), Ihdr(path));
        using (var codec = SKCodec.Create(path))
            Assert.Equal(SKAlphaType.Opaque, codec.Info.AlphaType);
        var (back, h, w) = ImageIO.LoadRgb8(path);
        Assert.Equal((3, 5), (h, w));
        Assert.Equal(rgb, back);
        Assert.True(ImageIO.IsOwnPng(path));
    }

    [Fact]
    public void Png_CommandOutputsAndGrids_AreRgb8()
    {
        // Arrange
        string ckpt = PaperCheckpointFile();
        string a = Image("in/a.png");
        Image("data/i0.png", seed: 1);
        Image("data/i1.png", seed: 2);

        // Act: reconstruct, and eval's best/worst grid.
        var rec = CliRunner.Run("reconstruct", a, "--checkpoint", ckpt, "-o", _dir.File("out/.keep")[..^6]);
        var ev = CliRunner.Run("eval", "--checkpoint", ckpt, "--data", Path.Combine(_dir.Path, "data"), "--n", "2", "--out", _dir.File("rep/r.md"));

        // Assert
        Assert.True(rec.Exit == 0, rec.Err);
        Assert.True(ev.Exit == 0, ev.Err);
        Assert.Equal((2, 8), Ihdr(Path.Combine(_dir.Path, "out", "a.png")));
        Assert.Equal((2, 8), Ihdr(Path.Combine(_dir.Path, "rep", "r-grid.png")));
    }

    // ---- 11.3: inputs with the same stem never overwrite each other ----

    [Fact]
    public void SameStem_Reconstruct_KeepsBothOutputs()
    {
        // Arrange: two different images named x.png in two folders.
        string ckpt = PaperCheckpointFile();
        string a = Image("a/x.png", seed: 1), b = Image("b/x.png", seed: 2);
        string outDir = Path.Combine(_dir.Path, "out");

        // Act
        var (exit, stdout, err) = CliRunner.Run("reconstruct", a, b, "--checkpoint", ckpt, "-o", outDir);

        // Assert: two outputs in the inputs' folders below their common parent, said on stdout.
        Assert.True(exit == 0, err);
        string outA = Path.Combine(outDir, "a", "x.png"), outB = Path.Combine(outDir, "b", "x.png");
        Assert.True(File.Exists(outA) && File.Exists(outB), stdout);
        Assert.False(File.Exists(Path.Combine(outDir, "x.png")));
        Assert.NotEqual(File.ReadAllBytes(outA), File.ReadAllBytes(outB));
        Assert.Contains("2 inputs share the name(s) x", stdout);
        Assert.Contains($"{a} -> {outA}", stdout);
        Assert.Contains($"{b} -> {outB}", stdout);
    }

    [Fact]
    public void SameStem_EncodeDecode_KeepsBothImages()
    {
        // Arrange: x.png in two folders and x.jpg beside one of them (same stem, other extension).
        string ckpt = PaperCheckpointFile();
        string a = Image("a/x.png", seed: 1), b = Image("b/x.png", seed: 2);
        string z = _dir.File("z.safetensors"), outDir = Path.Combine(_dir.Path, "dec");

        // Act
        var enc = CliRunner.Run("encode", a, b, "--checkpoint", ckpt, "-o", z);
        var dec = CliRunner.Run("decode", z, "--checkpoint", ckpt, "-o", outDir);

        // Assert: two items with distinct names, decoded to two files.
        Assert.True(enc.Exit == 0, enc.Err);
        Assert.True(dec.Exit == 0, dec.Err);
        Assert.Contains("2 inputs share the name(s) x", enc.Out);
        var (_, items) = LatentFile.Read(z);
        Assert.Equal(["a/x.png", "b/x.png"], items.Select(i => i.Name));
        foreach (var i in items) i.Dispose();
        Assert.True(File.Exists(Path.Combine(outDir, "a", "x.png")), dec.Out);
        Assert.True(File.Exists(Path.Combine(outDir, "b", "x.png")), dec.Out);
    }

    [Fact]
    public void SameStem_OutputNames_AreDistinctForEveryKindOfClash()
    {
        // Act
        var names = OutputNames.Distinct(["/d/a/x.png", "/d/b/x.png", "/d/a/x.jpg", "/d/y.png", "/d/y.png", "/d/z.png"], false, out string? note);
        var stored = OutputNames.Distinct(["../../etc/passwd", "/abs/x.png"], false, out _, storedNames: true);

        // Assert: folders below /d, the extension joins a same-folder stem, a repeat is numbered, z keeps its name.
        Assert.Equal(["a/x_png", "b/x", "a/x_jpg", "y", "y-2", "z"], names);
        Assert.NotNull(note);
        Assert.Equal(["passwd", "x"], stored);
    }

    // ---- 11.4: non-finite values ----

    [Fact]
    public void NonFinite_CheckpointWeight_RefusedAtLoad_NamingTensor()
    {
        // Arrange: one NaN in a decoder bias.
        string ckpt = PaperCheckpointFile();
        var (tensors, meta) = Safetensors.Read(ckpt);
        string key = tensors.Keys.Where(k => k.Contains("decoder") && k.EndsWith("bias")).Order(StringComparer.Ordinal).First();
        tensors[key][0] = torch.tensor(float.NaN);
        string bad = _dir.File("bad.safetensors");
        Safetensors.Write(bad, tensors, meta);
        string image = Image("in/a.png");

        // Act
        var (exit, _, err) = CliRunner.Run("reconstruct", image, "--checkpoint", bad, "-o", Path.Combine(_dir.Path, "out"));

        // Assert: exit 1, one line naming the file and the tensor; nothing written.
        Assert.Equal(1, exit);
        Assert.Contains($"{bad}: tensor '{key}' holds 1 NaN or infinite value(s)", err);
        Assert.Single(err.Trim().Split('\n'));
        Assert.False(File.Exists(Path.Combine(_dir.Path, "out", "a.png")));
    }

    [Fact]
    public void NonFinite_TrainStateAndDitFiles_RefusedAtLoad()
    {
        // Arrange: any safetensors file (training state, DiT, v2 weights, latents) with an infinity.
        string path = _dir.File("state.safetensors");
        Safetensors.Write(path, new Dictionary<string, Tensor> { ["opt.exp_avg.0"] = torch.tensor(new[] { 1f, float.PositiveInfinity }) });

        // Act
        var e = Assert.Throws<ViTokException>(() => Safetensors.Read(path));

        // Assert
        Assert.Contains("tensor 'opt.exp_avg.0' holds 1 NaN or infinite value(s) of 2", e.Message);
    }

    [Fact]
    public void NonFinite_Latents_NotWritten_ErrorNamesInput()
    {
        // Arrange: finite weights that overflow float32 (encoder weights × 1e38) give non-finite latents.
        string ckpt = PaperCheckpointFile();
        var (tensors, meta) = Safetensors.Read(ckpt);
        foreach (var k in tensors.Keys.Where(k => k.StartsWith("encoder") && k.EndsWith("weight")).ToList())
            tensors[k] = tensors[k].mul(1e38).clamp(-3e38, 3e38);
        string huge = _dir.File("huge.safetensors");
        Safetensors.Write(huge, tensors, meta);
        string image = Image("in/a.png");
        string z = _dir.File("z.safetensors");

        // Act
        var (exit, _, err) = CliRunner.Run("encode", image, "--checkpoint", huge, "-o", z);

        // Assert
        Assert.Equal(1, exit);
        Assert.Contains($"{image}: the latents hold", err);
        Assert.False(File.Exists(z));
    }

    // ---- 11.5: JSON numbers stay numbers ----

    [Fact]
    public void Json_IdenticalImages_PsnrIsNullWithIdenticalFlag()
    {
        // Arrange
        string a = Image("a.png");

        // Act
        var (exit, stdout, err) = CliRunner.Run("metrics", "--ref", a, "--test", a, "--json");

        // Assert: psnr is null (not the string "Infinity"), identical = 1, ssim = 1.
        Assert.True(exit == 0, err);
        var o = JsonNode.Parse(stdout)!.AsObject();
        Assert.Null(o["psnr"]);
        Assert.True(o.ContainsKey("psnr"));
        Assert.Equal(1, o["identical"]!.GetValue<int>());
        Assert.Equal(1.0, o["ssim"]!.GetValue<double>(), 12);
        Assert.DoesNotContain("Infinity", stdout);
    }

    [Fact]
    public void Json_EvalResultWithExactItems_WritesNullPsnrAndCount()
    {
        // Arrange
        var r = new EvalResult
        {
            Metrics = [new MetricValue("psnr", double.PositiveInfinity, "d"), new MetricValue("ssim", 1.0, "d")],
            Count = 2, ReferenceCount = 2, Data = "d", Kind = "images", Frames = 0, Height = 8, Width = 8, WallSeconds = 1,
            ItemsPerSecond = double.PositiveInfinity, Identical = 2,
        };

        // Act
        string json = JsonSerializer.Serialize(r.ToDictionary(), Json.Compact);

        // Assert
        Assert.Contains("\"psnr\":null", json);
        Assert.Contains("\"identical\":2", json);
        Assert.Contains("\"items_per_second\":null", json);
        Assert.DoesNotContain("Infinity", json);
    }

    [Fact]
    public void Json_Serializer_NeverWritesNonFiniteAsString()
    {
        Assert.ThrowsAny<ArgumentException>(() => JsonSerializer.Serialize(new Dictionary<string, double> { ["x"] = double.NaN }, Json.Options));
        Assert.ThrowsAny<ArgumentException>(() => JsonSerializer.Serialize(double.PositiveInfinity, Json.Compact));
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<double>("\"NaN\"", Json.Options));
    }

    // ---- 11.15: checks before the work ----

    [Fact]
    public void Eval_FdWithOneItem_FailsBeforeReconstruction()
    {
        // Arrange
        string ckpt = PaperCheckpointFile();
        Image("data/i0.png", seed: 1);
        Image("data/i1.png", seed: 2);

        // Act
        var (exit, _, err) = CliRunner.Run("eval", "--checkpoint", ckpt, "--data", Path.Combine(_dir.Path, "data"), "--n", "1", "--metrics", "fd_resnet18");

        // Assert: exit 1 with the reason, and no item was reconstructed (no progress counter).
        Assert.Equal(1, exit);
        Assert.Contains("metric 'fd_resnet18' needs at least 2 images per set", err);
        Assert.DoesNotContain("1/1 items", err);
    }

    // ---- 19.2: an output never replaces an input, the checkpoint or a foreign file ----

    [Fact]
    public void Overwrite_ReconstructIntoInputFolder_RefusedBytesUnchanged()
    {
        // Arrange
        string ckpt = PaperCheckpointFile();
        string a = Image("in/a.png", seed: 1), b = Image("in/b.png", seed: 2);
        byte[] before = File.ReadAllBytes(a);

        // Act
        var (exit, _, err) = CliRunner.Run("reconstruct", a, b, "--checkpoint", ckpt, "-o", Path.Combine(_dir.Path, "in"));

        // Assert
        Assert.Equal(1, exit);
        Assert.Contains("is an input of this command", err);
        Assert.Contains("--overwrite", err);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Equal(before, File.ReadAllBytes(a));
    }

    [Fact]
    public void Overwrite_ForeignFileRefused_OwnOutputReplaced_FlagAllows()
    {
        // Arrange: out/a.png is the user's own file (not written by vitok).
        string ckpt = PaperCheckpointFile();
        string a = Image("in/a.png");
        string outDir = Path.Combine(_dir.Path, "out");
        string foreign = _dir.File("out/a.png");
        File.WriteAllBytes(foreign, [1, 2, 3]);

        // Act
        var refused = CliRunner.Run("reconstruct", a, "--checkpoint", ckpt, "-o", outDir);
        byte[] kept = File.ReadAllBytes(foreign);
        var forced = CliRunner.Run("reconstruct", a, "--checkpoint", ckpt, "-o", outDir, "--overwrite");
        var again = CliRunner.Run("reconstruct", a, "--checkpoint", ckpt, "-o", outDir);

        // Assert
        Assert.Equal(1, refused.Exit);
        Assert.Contains("exists and was not written by vitok", refused.Err);
        Assert.Equal([1, 2, 3], kept);
        Assert.True(forced.Exit == 0, forced.Err);
        Assert.True(again.Exit == 0, again.Err);
        Assert.True(ImageIO.IsOwnPng(foreign));
    }

    [Fact]
    public void Overwrite_EncodeOntoCheckpointOrInput_Refused()
    {
        // Arrange
        string ckpt = PaperCheckpointFile();
        string a = Image("in/a.png");
        byte[] ckptBytes = File.ReadAllBytes(ckpt), imageBytes = File.ReadAllBytes(a);

        // Act
        var onCheckpoint = CliRunner.Run("encode", a, "--checkpoint", ckpt, "-o", ckpt);
        var onInput = CliRunner.Run("encode", a, "--checkpoint", ckpt, "-o", a);

        // Assert
        Assert.Equal(1, onCheckpoint.Exit);
        Assert.Contains("is the checkpoint of this command", onCheckpoint.Err);
        Assert.Equal(1, onInput.Exit);
        Assert.Contains("is an input of this command", onInput.Err);
        Assert.Equal(ckptBytes, File.ReadAllBytes(ckpt));
        Assert.Equal(imageBytes, File.ReadAllBytes(a));
    }

    [Fact]
    public void Overwrite_DecodeOntoForeignFile_Refused()
    {
        // Arrange
        // Arrange: the user's own image (not written by vitok).
        string ckpt = PaperCheckpointFile();
        string a = _dir.File("in/coffee.png");
        File.Copy(Fixture("vitok-v2", "pipeline", "coffee-30x44.png"), a);
        string z = _dir.File("z.safetensors");
        Assert.Equal(0, CliRunner.Run("encode", a, "--checkpoint", ckpt, "-o", z).Exit);
        byte[] before = File.ReadAllBytes(a);

        // Act: decoding into the images' folder would replace in/coffee.png, which vitok did not write.
        var (exit, _, err) = CliRunner.Run("decode", z, "--checkpoint", ckpt, "-o", Path.Combine(_dir.Path, "in"));

        // Assert
        Assert.Equal(1, exit);
        Assert.Contains("exists and was not written by vitok", err);
        Assert.Equal(before, File.ReadAllBytes(a));
    }

    [Fact]
    public void Overwrite_EvalOutOnInput_Refused()
    {
        // Arrange: the data is a file list; --out points at it, then inside an image folder.
        string ckpt = PaperCheckpointFile();
        string i0 = Image("data/i0.png", seed: 1), i1 = Image("data/i1.png", seed: 2);
        string list = _dir.File("list.txt");
        File.WriteAllText(list, i0 + "\n" + i1 + "\n");
        byte[] before = File.ReadAllBytes(list);

        // Act
        var onList = CliRunner.Run("eval", "--checkpoint", ckpt, "--data", list, "--n", "2", "--out", list);
        var inFolder = CliRunner.Run("eval", "--checkpoint", ckpt, "--data", Path.Combine(_dir.Path, "data"), "--n", "2",
            "--out", Path.Combine(_dir.Path, "data", "r.md"));

        // Assert: refused before any item is evaluated.
        Assert.Equal(1, onList.Exit);
        Assert.Contains("is the data of this command", onList.Err);
        Assert.DoesNotContain("items", onList.Err);
        Assert.Equal(before, File.ReadAllBytes(list));
        Assert.Equal(1, inFolder.Exit);
        Assert.Contains("inside the data folder", inFolder.Err);
        Assert.Equal(2, Directory.GetFiles(Path.Combine(_dir.Path, "data")).Length);
    }

    [Fact]
    public void Overwrite_TrainIntoForeignFolder_Refused()
    {
        // Arrange: a folder with a model.safetensors but no checkpoints/ (a pruned run or the user's folder).
        string run = Path.Combine(_dir.Path, "runs", "x");
        string model = _dir.File("runs/x/model.safetensors");
        File.WriteAllBytes(model, [9, 9, 9]);

        // Act
        var (exit, _, err) = CliRunner.Run("train", "--out", run, "--set", "steps=1");

        // Assert
        Assert.Equal(1, exit);
        Assert.Contains("is not a vitok run (no checkpoints/)", err);
        Assert.Contains("model.safetensors", err);
        Assert.Equal([9, 9, 9], File.ReadAllBytes(model));
        Assert.Single(Directory.GetFileSystemEntries(run));
    }

    [Fact]
    public void Overwrite_InitOntoExistingCheckpointOrSheetOntoData_Refused()
    {
        // Arrange: a trained-looking checkpoint, and a data folder with the user's own image.
        string ckpt = PaperCheckpointFile();
        byte[] before = File.ReadAllBytes(ckpt);
        string photo = _dir.File("photos/a.png");
        File.Copy(Fixture("vitok-v2", "pipeline", "coffee-30x44.png"), photo);
        byte[] photoBefore = File.ReadAllBytes(photo);

        // Act
        var init = CliRunner.Run("init", TinyPaper, "--channels", "4", "-o", ckpt);
        var sheet = CliRunner.Run("data", "inspect", Path.Combine(_dir.Path, "photos"), "--sheet", photo);
        var forced = CliRunner.Run("init", TinyPaper, "--channels", "4", "--seed", "5", "-o", ckpt, "--overwrite");

        // Assert
        Assert.Equal(1, init.Exit);
        Assert.Contains("exists; init would replace it with random weights", init.Err);
        Assert.Equal(1, sheet.Exit);
        Assert.Contains("is the data of this command", sheet.Err);
        Assert.Equal(photoBefore, File.ReadAllBytes(photo));
        Assert.True(forced.Exit == 0, forced.Err);
        Assert.NotEqual(before, File.ReadAllBytes(ckpt));
    }

    // ---- 19.3: an empty value is not a default ----

    [Theory]
    [InlineData("eval", "--data", "", "--checkpoint", "x.safetensors")]
    [InlineData("encode-dataset", "--data", "", "--checkpoint", "x.safetensors", "-o", "z")]
    [InlineData("data", "inspect", "")]
    [InlineData("reconstruct", "a.png", "--checkpoint", "x.safetensors", "-o", "")]
    public void EmptyValue_IsAnInputError(params string[] args)
    {
        // Act
        var (exit, stdout, err) = CliRunner.Run(args);

        // Assert: exit 1, the empty value named; nothing evaluated.
        Assert.Equal(1, exit);
        string named = args.Contains("inspect") ? "path" : args.Contains("--data") ? "--data" : "-o";
        Assert.Contains(named + ":", err);
        Assert.Contains("empty", err);
        Assert.Single(err.Trim().Split('\n'));
        Assert.DoesNotContain("1 items", stdout + err);
    }

    // ---- 19.7: the destination is checked before the work ----

    [Fact]
    public void Destination_OutputIsAFileOrEmpty_OneLineBeforeLoading()
    {
        // Arrange: the checkpoint does not even exist: the destination is checked first.
        string a = Image("in/a.png");
        string file = _dir.File("taken.txt");
        File.WriteAllText(file, "mine");

        // Act
        var atFile = CliRunner.Run("reconstruct", a, "--checkpoint", "missing.safetensors", "-o", file);
        var below = CliRunner.Run("reconstruct", a, "--checkpoint", "missing.safetensors", "-o", Path.Combine(file, "sub"));
        var evalOut = CliRunner.Run("eval", "--checkpoint", "missing.safetensors", "--data", Path.Combine(_dir.Path, "in"), "--out", Path.Combine(file, "r.md"));

        // Assert
        Assert.Equal(1, atFile.Exit);
        Assert.Contains("is a file, but a folder is needed here", atFile.Err);
        Assert.Equal(1, below.Exit);
        Assert.Contains($"{file} is a file", below.Err);
        Assert.Equal(1, evalOut.Exit);
        Assert.Contains($"{file} is a file, not a folder", evalOut.Err);
        foreach (var r in new[] { atFile, below, evalOut })
        {
            Assert.Single(r.Err.Trim().Split('\n'));
            Assert.DoesNotContain("Exception", r.Err);
            Assert.DoesNotContain(".tmp-", r.Err);
        }
        Assert.Equal("mine", File.ReadAllText(file));
    }

    [Fact]
    public void Destination_ReportFailsAfterWork_JsonStillPrinted()
    {
        // Arrange: an evaluated result (with one example for the grid) whose report place has become unwritable
        // after the check: a file now stands where the report's folder was.
        var example = new EvalExample("data/i0.png", 0, 31.5, 0, 2, 2, new byte[12], new byte[12]);
        var result = new EvalResult
        {
            Metrics = [new MetricValue("psnr", 31.5, "d")],
            Count = 2, ReferenceCount = 2, Data = "data", Kind = "images", Frames = 0, Height = 2, Width = 2, WallSeconds = 1,
            Identical = 0, Best = [example],
        };
        string blocker = _dir.File("out");
        File.WriteAllText(blocker, "x");
        string report = Path.Combine(blocker, "r.md");
        var oldOut = Console.Out;
        var oldErr = Console.Error;
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        // Act
        int exit;
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try
        {
            exit = ViTok.Cli.CommandRunner.Run(() => EvalCommand.Finish(result, report, "m.safetensors", json: true));
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }

        // Assert: the JSON result on stdout, then one error line naming the report; no temporary name.
        Assert.Equal(1, exit);
        var o = JsonNode.Parse(stdout.ToString())!.AsObject();
        Assert.Equal(31.5, o["psnr"]!.GetValue<double>());
        Assert.Equal(2, o["n"]!.GetValue<long>());
        string err = stderr.ToString();
        Assert.Contains("the results above were computed", err);
        Assert.Contains($"{blocker} is a file, not a folder", err);
        Assert.DoesNotContain(".tmp-", err);
        Assert.Single(err.Trim().Split('\n'));
    }

    [Fact]
    public void Destination_LongFileName_TempNameFits255Bytes()
    {
        // Arrange: a 250-byte final name (with multi-byte characters).
        string name = new string('é', 120) + "-x.png";
        Assert.Equal(246, System.Text.Encoding.UTF8.GetByteCount(name));
        string path = Path.Combine(_dir.Path, name);

        // Act
        ImageIO.SavePng(new byte[3], 1, 1, path);
        string tmp = AtomicFile.TempPathFor(path);

        // Assert
        Assert.True(File.Exists(path));
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(Path.GetFileName(tmp)) <= 255);
        Assert.Contains(".tmp-", tmp);
        Assert.Single(Directory.GetFiles(_dir.Path));
    }

    // ---- 19.11: errors name the file ----

    [Fact]
    public void Errors_V2ExtremeImage_NamesTheSecondFile()
    {
        // Arrange: a good image, then a 4096×1 strip that no token budget of 4 can hold.
        string good = Fixture("vitok-v2", "pipeline", "coffee-30x44.png");
        string strip = _dir.File("in/strip.png");
        ImageIO.SavePng(new byte[4096 * 3], 1, 4096, strip);

        // Act
        var (exit, _, err) = CliRunner.Run("reconstruct", good, strip, "--checkpoint", V2Folder, "--variant", TinyV2,
            "--max-tokens", "4", "-o", Path.Combine(_dir.Path, "out"));

        // Assert
        Assert.Equal(1, exit);
        Assert.StartsWith($"error: {strip}: (4096x1)", err);
        Assert.DoesNotContain("image 0", err);
        Assert.DoesNotContain("image 1", err);
    }

    [Fact]
    public void Errors_EvalNativeSize_PadsLikeReconstruct()
    {
        // Arrange: a 30×42 image (not a multiple of the patch 4).
        string ckpt = PaperCheckpointFile();
        string image = Image("data/odd.png", 30, 42);
        string outDir = Path.Combine(_dir.Path, "rec");

        // Act
        var ev = CliRunner.Run("eval", "--checkpoint", ckpt, "--data", Path.Combine(_dir.Path, "data"), "--size", "0", "--batch-size", "1",
            "--n", "1", "--metrics", "psnr", "--json");
        var rec = CliRunner.Run("reconstruct", image, "--checkpoint", ckpt, "-o", outDir);

        // Assert: eval succeeds at the native size, with the PSNR of reconstruct's output.
        Assert.True(ev.Exit == 0, ev.Err);
        Assert.True(rec.Exit == 0, rec.Err);
        var o = JsonNode.Parse(ev.Out)!.AsObject();
        Assert.Equal((30, 42), (o["height"]!.GetValue<int>(), o["width"]!.GetValue<int>()));
        using var x = ImageIO.Load(image);
        using var y = ImageIO.Load(Path.Combine(outDir, "odd.png"));
        Assert.Equal(ViTok.Metrics.Psnr.Mean(x, y), o["psnr"]!.GetValue<double>(), 6);
    }

    [Fact]
    public void Errors_EvalItemError_NamesFile_NotGluedToProgress()
    {
        // Arrange: a patch embedding of ±2^123 alternating along x: a black image (x = -1) sums to exactly 0 (a finite
        // model), an image of alternating white and black columns sums to 48·2^123 > float.MaxValue = ∞, then NaN.
        string ckpt = PaperCheckpointFile();
        var (tensors, meta) = Safetensors.Read(ckpt);
        var w = tensors["tubelet_embed.proj.weight"];
        var sign = torch.arange(w.shape[^1]).remainder(2).mul(-2).add(1).to(ScalarType.Float32);
        tensors["tubelet_embed.proj.weight"] = torch.full_like(w, Math.Pow(2, 123)).mul(sign);
        tensors["tubelet_embed.proj.bias"] = torch.zeros_like(tensors["tubelet_embed.proj.bias"]);
        string edgy = _dir.File("edgy.safetensors");
        Safetensors.Write(edgy, tensors, meta);
        ImageIO.SavePng(new byte[16 * 16 * 3], 16, 16, _dir.File("data/a.png"));
        string stripes = _dir.File("data/b.png");
        ImageIO.SavePng(Enumerable.Range(0, 16 * 16 * 3).Select(i => (byte)(i / 3 % 2 == 0 ? 255 : 0)).ToArray(), 16, 16, stripes);

        // Act
        var (exit, _, err) = CliRunner.Run("eval", "--checkpoint", edgy, "--data", Path.Combine(_dir.Path, "data"), "--size", "0",
            "--batch-size", "1", "--n", "2", "--metrics", "psnr");

        // Assert: the progress line is finished before the error, which names b.png.
        Assert.True(exit == 1, err);
        Assert.True(err.Contains("1/2 items\nerror: "), err);
        Assert.Contains($"error: {stripes}: the reconstructed pixels hold", err);
    }
}
