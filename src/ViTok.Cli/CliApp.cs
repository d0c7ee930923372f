using System.CommandLine;
using ViTok.Cli.Commands;

namespace ViTok.Cli;

/// <summary>The <c>vitok</c> command tree; <c>Program.cs</c> only calls <see cref="Run"/>.</summary>
public static class CliApp
{
    /// <summary>Builds the root command with every subcommand.</summary>
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
        RefuseEmptyValues(root);
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

    /// <summary>Parses and runs a command line; returns the exit code. <c>VITOK_THREADS=N</c> sets libtorch's
    /// intra-op threads (default: one per core); on a machine shared with other busy processes fewer threads avoid
    /// OpenMP threads waiting on each other.</summary>
    public static int Run(string[] args)
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("VITOK_THREADS"), out int threads) && threads > 0)
            torch.set_num_threads(threads);
        return BuildRoot().Parse(args).Invoke();
    }
}
