using ViTok.Cli;
using ViTok.Training;
using ViTok.Tests.Support;

namespace ViTok.Tests.Cli;

/// <summary>The CLI side of the run-folder rules: bad config values are refused before any folder is made, and a
/// mid-run failure is one line with exit 2.</summary>
[Collection(TorchCollection.Name)]
public class TrainRunFolderCommandTests
{
    [Theory]
    [InlineData("train", "lr=1e400", "error: --set: lr = 1e400: expected a finite number.")]
    [InlineData("train", "lr=NaN", "error: --set: lr = \"NaN\": expected a finite number.")]
    [InlineData("train", "warmup_ratio=2", "error: --set: warmup_ratio = 2 is out of range: expected a number in [0, 1].")]
    [InlineData("train-dit", "lr=Infinity", "error: --set: lr = \"Infinity\": expected a finite number.")]
    [InlineData("train-dit", "checkpoint_every=0", "error: --set: checkpoint_every = 0 is out of range: expected a whole number >= 1.")]
    public void BadValuesAreRefusedBeforeTheRunFolderExists(string command, string set, string message)
    {
        string run = Path.Combine(Path.GetTempPath(), $"refused-{Guid.NewGuid():N}");
        var (exit, _, err) = CliRunner.Run(command, "-o", run, "--set", set);
        Assert.Equal(1, exit);
        Assert.Equal(message + "\n", err);
        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public void ATrainingFailureIsOneLineAndExit2()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"failed-{Guid.NewGuid():N}");
        using var run = new RunDirectory(dir, "vitok train");
        var oldErr = Console.Error;
        var err = new StringWriter();
        Console.SetError(err);
        int exit;
        try
        {
            exit = CommandRunner.Run(() => throw new TrainingFailedException(7, "running the training step", run,
                new System.Runtime.InteropServices.ExternalException("Expected false to be true, but got false.\nException raised from toLong")));
        }
        finally
        {
            Console.SetError(oldErr);
        }
        Assert.Equal(2, exit);
        Assert.Equal("error: training failed at step 7 while running the training step (ExternalException: Expected false to be true, but got false.); " +
                     "no checkpoint was written yet, so a resume is not possible: start the run again\n", err.ToString());
        Directory.Delete(dir, true);
    }
}
