using System.CommandLine;
using ViTok.Cli;
using ViTok.Cli.Commands;
using ViTok.IO;
using ViTok.Tests.Support;

namespace ViTok.Tests.Cli;

[Collection(TorchCollection.Name)]
public class FrontDoorTests
{
    [Fact]
    public void NoCommandPrintsHelpAndExitsZero()
    {
        var (exit, output, err) = CliRunner.Run();

        Assert.Equal(0, exit);
        Assert.Contains("Usage:", output);
        Assert.Contains("reconstruct", output);
        Assert.Equal("", err);
    }

    [Fact]
    public void AGroupCommandAlonePrintsItsHelpAndExitsZero()
    {
        var (exit, output, _) = CliRunner.Run("data");

        Assert.Equal(0, exit);
        Assert.Contains("inspect", output);
        Assert.Contains("bench", output);
    }

    [Fact]
    public void AnUnknownOptionIsAnErrorBeforeAnyWorkWithTheNearestOption()
    {
        // Arrange: a real image and checkpoint, so that without the check the command would do its work.
        using var tmp = new TempDir();
        string ckpt = tmp.File("m.safetensors"), image = tmp.File("im.png"), outDir = tmp.File("out");
        Assert.Equal(0, CliRunner.Run("init", "Sw32d1h2-Bw32d1h2/4", "--channels", "4", "-o", ckpt).Exit);
        ImageIO.SavePng(torch.zeros(3, 8, 8), image);

        // Act
        var typo = CliRunner.Run("reconstruct", image, "--checkpoint", ckpt, "-o", outDir, "--frmes", "4");
        var requiredTypo = CliRunner.Run("reconstruct", image, "--checkpiont", ckpt, "-o", outDir);
        var far = CliRunner.Run("reconstruct", image, "--checkpoint", ckpt, "-o", outDir, "--zzzzzzzz");
        bool madeOutput = Directory.Exists(outDir);
        var afterDoubleDash = CliRunner.Run("reconstruct", "--checkpoint", ckpt, "-o", outDir, "--", "-missing.png");

        // Assert
        Assert.Equal(1, typo.Exit);
        Assert.Equal("error: vitok reconstruct: unknown option '--frmes'; did you mean --frames? (see `vitok reconstruct --help`)", typo.Err.Trim());
        Assert.False(madeOutput);
        Assert.Equal(1, requiredTypo.Exit);
        Assert.Contains("unknown option '--checkpiont'; did you mean --checkpoint?", requiredTypo.Err);
        Assert.Single(requiredTypo.Err.Trim().Split('\n'));
        Assert.Equal(1, far.Exit);
        Assert.Contains("unknown option '--zzzzzzzz' (see `vitok reconstruct --help`", far.Err);
        Assert.DoesNotContain("unknown option", afterDoubleDash.Err);                // '-missing.png' is a file name there
        Assert.Contains("-missing.png", afterDoubleDash.Err);
    }

    [Theory]
    [InlineData("--cfg nan: expected a finite number from 0 to 100", "sample", "--dit", "x.safetensors", "-o", "OUT", "--cfg", "nan")]
    [InlineData("--cfg 1e400: expected a finite number from 0 to 100", "sample", "--dit", "x.safetensors", "-o", "OUT", "--cfg", "1e400")]
    [InlineData("--count 0: expected a whole number from 1 to 100000", "sample", "--dit", "x.safetensors", "-o", "OUT", "--count", "0")]
    [InlineData("--frames 0: expected a whole number from 1 to 4096", "info", "S-B/16", "--frames", "0")]
    [InlineData("--size 100000: expected a whole number from 0 to 16384", "eval", "--checkpoint", "x.safetensors", "--data", "fashion-mnist", "--size", "100000", "-o", "OUT/r.md")]
    [InlineData("--minutes -1: expected a finite number from 0.25 to 1440", "demo", "--minutes", "-1", "-o", "OUT")]
    [InlineData("--minutes Infinity: expected a finite number from 0.25 to 1440", "demo", "--minutes", "Infinity", "-o", "OUT")]
    [InlineData("--seconds NaN: expected a finite number from 0.1 to 86400", "data", "bench", "synthetic", "--seconds", "NaN")]
    [InlineData("-o: the path is empty", "init", "S-B/16", "-o", "")]
    [InlineData("--output: the path is empty", "init", "S-B/16", "--output", "")]
    [InlineData("--data: the value is empty", "eval", "--checkpoint", "x.safetensors", "--data", "")]
    public void AbsurdNumbersAndEmptyValuesAreUsageErrorsBeforeAnyFileIsWritten(string message, params string[] args)
    {
        using var tmp = new TempDir();
        string outDir = Path.Combine(tmp.Path, "made");
        var (exit, output, err) = CliRunner.Run(args.Select(a => a.Replace("OUT", outDir, StringComparison.Ordinal)).ToArray());

        Assert.Equal(1, exit);
        Assert.Contains(message, err);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Equal("", output);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void EveryNumericOptionRefusesNonFiniteOrNegativeValuesByName()
    {
        var checkedOptions = new List<string>();
        foreach (var (path, cmd) in Commands(CliApp.BuildRoot(), []))
            foreach (var o in cmd.Options.Where(o => !o.Hidden))
            {
                var t = Nullable.GetUnderlyingType(o.ValueType) ?? o.ValueType;
                if (t != typeof(int) && t != typeof(long) && t != typeof(double)) continue;
                string bad = t == typeof(double) ? "nan" : "-2147483648";
                // Placeholders for the command's arguments, so the option's own check is what fails.
                // (and for its required options: a parse with one error stops before the others are checked).
                string[] required = [.. cmd.Options.Where(r => r.Required || r.Name == "--output").SelectMany(r => new[] { r.Name, "x" })];
                var parse = CliApp.BuildRoot().Parse([.. path, .. cmd.Arguments.Select(_ => "x"), .. required, o.Name, bad]);
                Assert.True(parse.Errors.Any(e => e.Message.Contains($"{o.Name} {bad}", StringComparison.Ordinal)), $"{string.Join(' ', path)} {o.Name} {bad} was accepted");
                checkedOptions.Add($"{string.Join(' ', path)} {o.Name}");
            }
        Assert.True(checkedOptions.Count >= 40, string.Join(", ", checkedOptions));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("abc")]
    [InlineData("1.5")]
    public void InvalidThreadCountsAreRefusedWithOneLine(string value)
    {
        var e = Assert.Throws<ViTokException>(() => ThreadPolicy.Resolve(value, 2));

        Assert.Equal($"VITOK_THREADS='{value}': expected a whole number of threads from 1 to 2 (this machine's cores); unset it to use every core.", e.Message);
    }

    [Fact]
    public void ThreadCountsAboveTheCoresAreClampedWithAWarning()
    {
        Assert.Equal((2, "warning: VITOK_THREADS=1000 is more than this machine's 2 cores; using 2."), ThreadPolicy.Resolve("1000", 2));
        Assert.Equal((1, (string?)null), ThreadPolicy.Resolve(" 1 ", 2));
        Assert.Equal(((int?)null, (string?)null), ThreadPolicy.Resolve(null, 2));
        Assert.Equal(((int?)null, (string?)null), ThreadPolicy.Resolve("", 2));
    }

    [Fact]
    public void AnInvalidThreadVariableStopsTheCommandWithExitOne()
    {
        string? old = Environment.GetEnvironmentVariable(ThreadPolicy.Variable);
        try
        {
            Environment.SetEnvironmentVariable(ThreadPolicy.Variable, "0");
            var (exit, output, err) = CliRunner.Run("info", "S-B/16", "--json");

            Assert.Equal(1, exit);
            Assert.Equal("", output);
            Assert.StartsWith("error: VITOK_THREADS='0'", err);
        }
        finally
        {
            Environment.SetEnvironmentVariable(ThreadPolicy.Variable, old);
        }
    }

    [Fact]
    public void AFullStdoutOrStderrNeverThrowsOutOfRun()
    {
        var oldOut = Console.Out;
        var oldErr = Console.Error;
        try
        {
            // --help into a full stdout: exit 2, no exception, no stack trace.
            var err = new StringWriter();
            Console.SetOut(new FullWriter());
            Console.SetError(err);
            int help = CliApp.Run(["--help"]);
            Assert.Equal(2, help);
            Assert.Equal("error: cannot write the output (No space left on device).", err.ToString().Trim());

            // An input error with a full stderr: still exit 1.
            Console.SetOut(new StringWriter());
            Console.SetError(new FullWriter());
            Assert.Equal(1, CliApp.Run(["info", "Q-B/16"]));
            Assert.Equal(1, CliApp.Run(["info", "S-B/16", "--frmes", "2"]));
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }

    [Fact]
    public void OpenMpThreadsSleepInsteadOfSpinningUnlessTheUserChose()
    {
        // libgomp prints its settings at load with OMP_DISPLAY_ENV=verbose; the process must set the policy before that.
        static string Run(string? policy)
        {
            var psi = new System.Diagnostics.ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "vitok"))
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            psi.ArgumentList.Add("pretrained");
            psi.ArgumentList.Add("list");
            psi.Environment["OMP_DISPLAY_ENV"] = "verbose";
            psi.Environment.Remove("OMP_WAIT_POLICY");
            if (policy is not null) psi.Environment["OMP_WAIT_POLICY"] = policy;
            using var p = System.Diagnostics.Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            string err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.Equal(0, p.ExitCode);
            return err + stdout.Result;
        }

        Assert.Contains("GOMP_SPINCOUNT = '0'", Run(null));
        Assert.Contains("OMP_WAIT_POLICY = 'ACTIVE'", Run("ACTIVE"));
    }

    [Fact]
    public void NnpackIsSwitchedOffSoItsWarningCannotRepeat()
    {
        CliRunner.Run("info", "S-B/16");

        Assert.False(ViTok.Runtime.LibTorchSettings.NnpackEnabled());
    }

    [Fact]
    public void TrainHelpListsEveryConfigKeyWithItsDefault()
    {
        var (exit, output, _) = CliRunner.Run("train", "--help");
        var dit = CliRunner.Run("train-dit", "--help");

        Assert.Equal(0, exit);
        foreach (string line in new[] { "variant = \"S-B/16\"", "batch_size = 32", "ema_decay = 0.9999", "loss.kl_weight = 0.001", "loss.perceptual = \"resnet18\"", "lr = (none)", "max_minutes = 0" })
            Assert.Contains(line, output);
        Assert.Contains("configs/", output);
        Assert.DoesNotContain("peak_lr", output);                                       // derived, not a key
        Assert.Contains("tiny.json", output);
        Assert.Contains("diffusion.kind = ", dit.Out);
        Assert.Equal(ConfigHelp.Keys<ViTok.Training.TrainConfig>().Count, ConfigHelp.Keys<ViTok.Training.TrainConfig>().Distinct().Count());
    }

    // Every command that does work: the leaves, and a command with options of its own that also has subcommands
    // (`eval` and `eval merge`); a group that only prints its help has no options but --help.
    internal static IEnumerable<(string[] Path, Command Command)> Commands(Command cmd, string[] path)
    {
        if (cmd.Subcommands.Count == 0 || (path.Length > 0 && cmd.Options.Any(o => o is not System.CommandLine.Help.HelpOption))) yield return (path, cmd);
        foreach (var sub in cmd.Subcommands)
            foreach (var x in Commands(sub, [.. path, sub.Name]))
                yield return x;
    }

    private sealed class FullWriter : TextWriter
    {
        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public override void Write(char value) => throw new IOException("No space left on device");

        public override void Write(string? value) => throw new IOException("No space left on device");

        public override void WriteLine(string? value) => throw new IOException("No space left on device");
    }
}
