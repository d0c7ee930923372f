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
        root.Subcommands.Add(ExportCommand.Create());
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
        root.Subcommands.Add(StudyCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        RefuseEmptyValues(root);
        AddHelpActions(root);
        return root;
    }

    /// <summary>An empty value is never a default: every path, name or text option and argument of every command
    /// refuses an empty (or blank) token, e.g. <c>--data "$DATA"</c> with DATA unset, naming the option.</summary>
    private static void RefuseEmptyValues(Command command)
    {
        foreach (var option in command.Options)
        {
            if (option.ValueType != typeof(string) && option.ValueType != typeof(string[]) && option.ValueType != typeof(FileInfo)
                && option.ValueType != typeof(DirectoryInfo)) continue;
            option.Validators.Add(result =>
            {
                if (result.Tokens.Any(t => string.IsNullOrWhiteSpace(t.Value)))
                    result.AddError($"{option.Name}: the value is empty; give a path or name (an empty value is not the default).");
            });
        }
        foreach (var argument in command.Arguments)
        {
            if (argument.ValueType != typeof(string) && argument.ValueType != typeof(string[])) continue;
            argument.Validators.Add(result =>
            {
                if (result.Tokens.Any(t => string.IsNullOrWhiteSpace(t.Value)))
                    result.AddError($"<{argument.Name}>: a value is empty; give a path or name.");
            });
        }
        foreach (var sub in command.Subcommands) RefuseEmptyValues(sub);
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
    /// <see cref="ViTok.Runtime.LibTorchSettings.DisableNnpack"/>), and on AMD CPUs with AVX-512 MKL may use its AVX-512
    /// kernels (<see cref="MklDispatch"/>).</summary>
    public static int Run(string[] args)
    {
        try
        {
            ThreadPolicy.Apply(SafeConsole.Error);
            ViTok.Runtime.LibTorchSettings.DisableNnpack();
            MklDispatch.Apply();
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
