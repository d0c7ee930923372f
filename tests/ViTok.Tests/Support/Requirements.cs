using ViTok.Data;
using ViTok.IO;

namespace ViTok.Tests.Support;

/// <summary>System tools and data the tests need. CI installs them (.ci/run); when one is missing the test fails with
/// the install command instead of passing silently.</summary>
public static class Requirements
{
    public static void Ffmpeg()
    {
        if (!VideoIO.IsAvailable)
            Assert.Fail("ffmpeg/ffprobe are not installed; this test needs them. Install with `apt-get install -y ffmpeg` (.ci/run does this in CI).");
    }

    public static void FashionMnist()
    {
        if (!File.Exists(Path.Combine(ViTok.Data.FashionMnist.DefaultFolder, "train-images-idx3-ubyte.gz")))
            Assert.Fail($"Fashion-MNIST is not installed in {ViTok.Data.FashionMnist.DefaultFolder}; this test needs it. "
                + "Install with `apt-get install -y dataset-fashion-mnist` (.ci/run does this in CI).");
    }

    /// <summary>Runs ffmpeg with the given arguments and fails the test with its stderr when it fails.</summary>
    public static void RunFfmpeg(params string[] args)
    {
        Ffmpeg();
        var psi = new System.Diagnostics.ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "-nostdin", "-hide_banner", "-loglevel", "error", "-y" }.Concat(args)) psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"ffmpeg {string.Join(' ', args)} failed: {err}");
    }
}
