using System.CommandLine;
using ViTok.Cli.Commands;

var root = new RootCommand("ViTok.NET: Vision Transformer tokenizers (ViTok, ViTok-v2) on TorchSharp.");
root.Subcommands.Add(InfoCommand.Create());
root.Subcommands.Add(MetricsCommand.Create());
root.Subcommands.Add(FdCommand.Create());
return root.Parse(args).Invoke();
