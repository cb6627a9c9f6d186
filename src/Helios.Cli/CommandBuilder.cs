using System.CommandLine;

namespace Helios.Cli;

/// <summary>Declares a command with its options and arguments in one expression.</summary>
internal static class CommandBuilder
{
    public static Command Create(string name, string description, Func<ParseResult, int> action, params Symbol[] symbols)
    {
        var command = new Command(name, description);
        foreach (var symbol in symbols)
        {
            switch (symbol)
            {
                case Option option:
                    command.Options.Add(option);
                    break;
                case Argument argument:
                    command.Arguments.Add(argument);
                    break;
                case Command sub:
                    command.Subcommands.Add(sub);
                    break;
            }
        }

        command.SetAction(action);
        return command;
    }
}
