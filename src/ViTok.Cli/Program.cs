return ViTok.Cli.CliApp.Run(args);
