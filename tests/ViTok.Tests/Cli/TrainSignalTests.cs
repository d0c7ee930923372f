using System.Diagnostics;
using ViTok.Tests.Support;

namespace ViTok.Tests.Cli;

/// <summary>The built <c>vitok</c> as a child process: SIGTERM stops a run like Ctrl+C (the step finishes, a checkpoint
/// is saved, exit 143), a second process is refused while the first holds the run folder, and a resume prints the step
/// it resumed from.</summary>
[Collection(TorchCollection.Name)]
public class TrainSignalTests
{
    private static Process Start(params string[] args)
    {
        var psi = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "vitok"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["VITOK_THREADS"] = "1";
        return Process.Start(psi)!;
    }

    [Fact]
    public void SigtermFinishesTheStepSavesACheckpointAndExits143()
    {
        Assert.True(Directory.Exists("/usr/share/datasets/fashion-mnist"), "Fashion-MNIST is missing: apt-get install -y dataset-fashion-mnist");
        string run = Path.Combine(Path.GetTempPath(), $"sigterm-{Guid.NewGuid():N}");
        string config = Path.Combine(RepoPaths.Root, "configs", "tiny.json");

        // Arrange: a long run that logs every step and would checkpoint only at its end.
        using var child = Start("train", "--config", config, "-o", run, "--set", "steps=100000", "--set", "batch_size=8", "--set", "log_every=1",
            "--set", "checkpoint_every=100000", "--set", "sample_every=100000", "--set", "first_checkpoint_minutes=0", "--set", "loss.perceptual_weight=0");
        var stdout = new List<string>();
        var training = new ManualResetEventSlim();
        child.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (stdout) stdout.Add(e.Data);
            if (e.Data.StartsWith("(step=0000002)", StringComparison.Ordinal)) training.Set();
        };
        var stderr = new System.Text.StringBuilder();
        child.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        Assert.True(training.Wait(TimeSpan.FromMinutes(5)) || child.HasExited, "the child never reached step 2");
        Assert.False(child.HasExited, stderr.ToString());

        // Act 1: a second process on the same folder while the first trains.
        using var second = Start("train", "--resume", run);
        string secondErr = second.StandardError.ReadToEnd();
        second.WaitForExit();

        // Act 2: SIGTERM, as schedulers and docker stop send it.
        using (var kill = Process.Start("kill", ["-TERM", child.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit();
        Assert.True(child.WaitForExit(TimeSpan.FromMinutes(5)), "the child did not stop after SIGTERM");
        child.WaitForExit();

        // Assert: refused second process; exit 143 with the step it stopped at, and that step's checkpoint.
        string root = Path.GetFullPath(run);
        Assert.Equal(1, second.ExitCode);
        Assert.Equal($"error: {root} is in use by another vitok process (it holds {Path.Combine(root, ".lock")}); wait for it to end or stop it (Ctrl+C or SIGTERM saves a checkpoint), then run again.\n", secondErr);
        Assert.Equal(143, child.ExitCode);
        string err = stderr.ToString();
        var stopped = err.Split('\n').Single(l => l.StartsWith("interrupted at step ", StringComparison.Ordinal));
        int step = int.Parse(stopped["interrupted at step ".Length..stopped.IndexOf(' ', "interrupted at step ".Length)], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal($"interrupted at step {step} of 100000 (checkpoint saved); resume with: vitok train --resume {root}", stopped);
        Assert.True(step >= 2);
        Assert.Contains("stopping (SIGTERM): finishing the step and saving a checkpoint (a second signal aborts)...", err);
        Assert.Equal([$"step_{step:D7}.safetensors"], Directory.GetFiles(Path.Combine(run, "checkpoints")).Select(Path.GetFileName));
        Assert.Equal(step, File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Length);

        // And a resume prints the step it resumed from.
        var resumed = CliRunner.Run("train", "--resume", run, "--set", $"steps={step + 1}");
        Assert.True(resumed.Exit == 0, resumed.Err);
        Assert.Contains($"resumed from step_{step:D7}.safetensors at step {step} ", resumed.Out);
        Directory.Delete(run, true);
    }
}
