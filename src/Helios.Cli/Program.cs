return Helios.Cli.HeliosCli.Run(args, Console.OpenStandardInput(), Console.Out, Console.Error);
