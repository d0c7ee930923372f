using System.CommandLine;
using System.CommandLine.Help;
using ViTok.Cli.Commands;

namespace ViTok.Cli;

/// <summary>The <c>vitok</c> command tree; <c>Program.cs</c> only calls <see cref="Run"/>.</summary>
public static class CliApp
{
    /// <summary>Builds the root command with every subcommand. A command that only groups subcommands (and
    /// <c>vitok</c> itself) prints its help and exits 0 when run alone.</summary>
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("ViTok.NET: Vision Transformer tokenizers (ViTok, ViTok-v2) on TorchSharp.");
        root.Subcommands.Add(InfoCommand.Create());
        root.Subcommands.Add(InitCommand.Create());
        root.Subcommands.Add(ReconstructCommand.Create());
        root.Subcommands.Add(EncodeCommand.Create());
        root.Subcommands.Add(DecodeCommand.Create());
        root.Subcommands.Add(DataCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(PretrainedCommand.Create());
        root.Subcommands.Add(MetricsCommand.Create());
        root.Subcommands.Add(FdCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(EncodeDatasetCommand.Create());
        root.Subcommands.Add(TrainDitCommand.Create());
        root.Subcommands.Add(SampleCommand.Create());
        root.Subcommands.Add(EvalGenCommand.Create());
        root.Subcommands.Add(GenerateDemoCommand.Create());
        AddHelpActions(root);
        return root;
    }

    private static void AddHelpActions(Command cmd)
    {
        if (cmd.Subcommands.Count > 0 && cmd.Action is null)
            cmd.SetAction(parse => new HelpAction().Invoke(parse));
        foreach (var sub in cmd.Subcommands) AddHelpActions(sub);
    }

    /// <summary>Parses and runs a command line; returns the exit code (0 done, 1 bad input or usage, 2 runtime failure).
    /// Usage errors (unknown options, bad or out-of-range values) are one line on stderr, found before any work.
    /// <c>VITOK_THREADS</c> and the OpenMP wait policy are applied first (see <see cref="ThreadPolicy"/>). A closed or
    /// full stdout/stderr never turns into a stack trace or an abort. libtorch's NNPACK path is switched off (see
    /// <see cref="ViTok.Runtime.LibTorchSettings.DisableNnpack"/>).</summary>
    public static int Run(string[] args)
    {
        try
        {
            ThreadPolicy.Apply(SafeConsole.Error);
            ViTok.Runtime.LibTorchSettings.DisableNnpack();
            var parse = BuildRoot().Parse(args);
            if (UsageCheck.Error(parse) is string usage)
            {
                SafeConsole.Error($"error: {usage}");
                return CommandRunner.UsageError;
            }
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (ViTokException e)
        {
            SafeConsole.Error($"error: {e.Message}");
            return CommandRunner.UsageError;
        }
        catch (IOException e)
        {
            SafeConsole.Error($"error: cannot write the output ({e.Message}).");
            return CommandRunner.RuntimeError;
        }
        catch (Exception e)
        {
            SafeConsole.Error($"error: {e.GetType().Name}: {e.Message}");
            return CommandRunner.RuntimeError;
        }
    }
}
