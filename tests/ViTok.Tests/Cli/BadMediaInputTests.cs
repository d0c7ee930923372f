using ViTok.IO;
using ViTok.Models;
using ViTok.Tests.Support;

namespace ViTok.Tests.Cli;

/// <summary>Issues 11.6, 11.7, 19.9 and 19.14: every bad input is one line naming the file and the fix, exit 1.</summary>
[Collection(TorchCollection.Name)]
public sealed class BadMediaInputTests
{
    private static void AssertInputError((int Exit, string Out, string Err) r, string file, string text)
    {
        Assert.True(r.Exit == 1, $"exit {r.Exit}: {r.Err}");
        var lines = r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains(file, lines[0]);
        Assert.Contains(text, lines[0]);
        Assert.DoesNotContain("VITOK_VERBOSE", r.Err);
    }

    [Fact]
    public void AudioOnlyEmptyAndTruncatedMp4_AreInputErrors_InReconstructAndAsData()
    {
        Assert.True(VideoIO.IsAvailable, "ffmpeg is missing: apt-get install -y ffmpeg");
        using var dir = new TempDir();
        VideoFixtures.Ffmpeg("-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", "file:" + dir.File("audio.mp4"));
        File.WriteAllBytes(dir.File("empty.mp4"), []);
        VideoFixtures.Make(dir.File("full.mp4"), 16, 16, 8);
        File.WriteAllBytes(dir.File("truncated.mp4"), File.ReadAllBytes(dir.File("full.mp4"))[..200]);
        string ckpt = dir.File("video.safetensors");
        using (var model = new PaperAutoencoder(TinyConfigs.Video())) PaperCheckpoint.Save(model, ckpt);

        foreach (var (name, text) in new[] { ("audio.mp4", "no video stream"), ("empty.mp4", "empty"), ("truncated.mp4", "ffprobe") })
        {
            var rec = CliRunner.Run("reconstruct", dir.File(name), "--checkpoint", ckpt, "-o", dir.File("out"), "--frames", "4");
            AssertInputError(rec, name, text);
            var data = CliRunner.Run("data", "inspect", dir.File(name));
            Assert.True(data.Exit == 1, data.Err);
            Assert.Contains(name, data.Err);
        }
        Assert.False(Directory.Exists(dir.File("out")) && Directory.EnumerateFiles(dir.File("out")).Any());
    }

    [Fact]
    public void TextWhereBinaryIsExpected_IsNamed_LfsPointerAndOtherText()
    {
        using var dir = new TempDir();
        string lfs = dir.File("model.safetensors"), html = dir.File("page.safetensors");
        File.WriteAllText(lfs, "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n");
        File.WriteAllText(html, "<!DOCTYPE html><html><body>Not Found</body></html>\n");
        File.WriteAllBytes(dir.File("x.png"), ImageFixtures.Encode(ImageFixtures.SmoothRgb(16, 16), 16, 16, SkiaSharp.SKEncodedImageFormat.Png));
        File.Copy(lfs, dir.File("latents.safetensors"));
        File.Copy(lfs, dir.File("weights.pt"));
        File.Copy(lfs, dir.File("shard.tar"));

        var a = CliRunner.Run("reconstruct", dir.File("x.png"), "--checkpoint", lfs, "-o", dir.File("out"));
        var b = CliRunner.Run("reconstruct", dir.File("x.png"), "--checkpoint", html, "-o", dir.File("out"));
        var c = CliRunner.Run("decode", dir.File("latents.safetensors"), "--checkpoint", lfs, "-o", dir.File("out"));
        var pt = Assert.Throws<ViTokException>(() => PyTorchCheckpoint.Read(dir.File("weights.pt")));
        var shard = CliRunner.Run("data", "inspect", dir.File("shard.tar"));
        var asShard = CliRunner.Run("data", "inspect", dir.File("shard.tar"), "--kind", "shards");

        AssertInputError(a, lfs, "is a Git LFS pointer, not a safetensors file");
        Assert.Contains("git lfs pull", a.Err);
        AssertInputError(b, html, "is text starting '<!DOCTYPE html><html><body>Not Found</bo…'");
        Assert.Equal(1, c.Exit);
        Assert.Contains("Git LFS pointer", c.Err);
        Assert.Contains("is a Git LFS pointer, not a PyTorch checkpoint (.pt/.pth)", pt.Message);
        AssertInputError(shard, "shard.tar", "is a Git LFS pointer (the file itself was never downloaded; run `git lfs pull`)");
        Assert.Equal(1, asShard.Exit);
        Assert.Contains("shard.tar: misnamed: is a Git LFS pointer", asShard.Out);
        Assert.DoesNotContain("implausible", a.Err + b.Err + c.Err);
    }

    [Fact]
    public void SingleFiles_AreRecognisedByContent_NeverReadAsFileLists()
    {
        // Arrange: TIFF, AVIF and HEIC headers (the formats are named, not read), unknown binary, and a text list
        // under an unknown extension.
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("a.tif"), [(byte)'I', (byte)'I', 42, 0, 8, 0, 0, 0, 0, 0, 0, 0]);
        File.WriteAllBytes(dir.File("b.avif"), [0, 0, 0, 0x1C, .. "ftypavif"u8.ToArray(), 0, 0, 0, 0, .. "avifmif1miaf"u8.ToArray()]);
        File.WriteAllBytes(dir.File("c.heic"), [0, 0, 0, 0x18, .. "ftypheic"u8.ToArray(), 0, 0, 0, 0, .. "mif1heic"u8.ToArray()]);
        File.WriteAllBytes(dir.File("d.xyz"), [0x00, 0x01, 0x02, 0x03, 0xFE, 0xFF, 0x00, 0x07, 0x08, 0x09]);
        File.WriteAllBytes(dir.File("img/one.png"), ImageFixtures.Encode(ImageFixtures.SmoothRgb(16, 16), 16, 16, SkiaSharp.SKEncodedImageFormat.Png));
        File.WriteAllText(dir.File("list.lst"), "img/one.png\n");

        var tif = CliRunner.Run("data", "inspect", dir.File("a.tif"));
        var avif = CliRunner.Run("data", "inspect", dir.File("b.avif"));
        var heic = CliRunner.Run("data", "inspect", dir.File("c.heic"));
        var bin = CliRunner.Run("data", "inspect", dir.File("d.xyz"));
        var list = CliRunner.Run("data", "inspect", dir.File("list.lst"), "--json");

        AssertInputError(tif, "a.tif", "is a TIFF image, a format vitok does not read (convert it to PNG or JPEG)");
        AssertInputError(avif, "b.avif", "is an AVIF image, a format vitok does not read");
        AssertInputError(heic, "c.heic", "is a HEIC/HEIF image, a format vitok does not read");
        AssertInputError(bin, "d.xyz", "is binary data starting with bytes 00010203FEFF0007");
        Assert.True(list.Exit == 0, list.Err);
        Assert.Contains("\"readable\": 1", list.Out);
    }

    [Fact]
    public async Task CheckpointFromAPipe_IsReadOnce_AndWorks()
    {
        using var dir = new TempDir();
        string ckpt = dir.File("image.safetensors"), fifo = dir.File("pipe");
        using (var model = new PaperAutoencoder(TinyConfigs.Image())) PaperCheckpoint.Save(model, ckpt);
        File.WriteAllBytes(dir.File("x.png"), ImageFixtures.Encode(ImageFixtures.SmoothRgb(16, 16), 16, 16, SkiaSharp.SKEncodedImageFormat.Png));
        using (var mk = System.Diagnostics.Process.Start("mkfifo", [fifo]))
        {
            mk.WaitForExit();
            Assert.Equal(0, mk.ExitCode);
        }
        var writer = Task.Run(() => File.WriteAllBytes(fifo, File.ReadAllBytes(ckpt)));

        var r = CliRunner.Run("reconstruct", dir.File("x.png"), "--checkpoint", fifo, "-o", dir.File("out"));

        if (!writer.IsCompleted)
        {
            // The command never opened the pipe: drain it so the writer ends, then fail below.
            using var drain = File.OpenRead(fifo);
            drain.CopyTo(Stream.Null);
        }
        await writer;
        Assert.True(r.Exit == 0, r.Err);
        Assert.True(File.Exists(dir.File("out/x.png")));
    }
}
