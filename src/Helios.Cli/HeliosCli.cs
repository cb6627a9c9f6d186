using System.CommandLine;
using System.CommandLine.Invocation;
using Helios.Cli.Commands;
using Helios.Core.Errors;

namespace Helios.Cli;

/// <summary>
/// The command line: parses arguments, runs one command, maps errors to exit codes. Holds no
/// domain logic. Errors print as one sentence; <c>--verbose</c> adds the stack trace.
/// </summary>
public static class HeliosCli
{
    public static int Run(string[] args, Stream stdin, TextWriter stdout, TextWriter stderr)
    {
        // b3sum mirrors Debian's b3sum byte for byte, flags and errors included, so it parses its own arguments.
        if (args.Length > 0 && args[0] == "b3sum")
        {
            return B3sumCommand.Run(args[1..], stdin, stdout, stderr);
        }

        bool verbose = args.Contains("--verbose");
        using var context = new CliContext(stdout, stderr);
        var root = BuildCommands(context);
        var parse = root.Parse(args);
        // With --help, System.CommandLine reports no errors for unknown words: "helios nosuch --help" must still fail.
        var problems = parse.Errors.Select(e => e.Message)
            .Concat(parse.Errors.Count == 0 ? parse.UnmatchedTokens.Select(t => $"Unrecognized command or argument '{t}'.") : [])
            .ToArray();
        if (problems.Length > 0)
        {
            foreach (var problem in problems)
            {
                stderr.WriteLine($"helios: {problem}");
            }

            stderr.WriteLine("Run 'helios --help' for usage.");
            return ExitCodes.Usage;
        }

        try
        {
            if (parse.GetValue(DirectoryOption) is { } directory)
            {
                context.CurrentDirectory = Path.GetFullPath(directory);
                if (!Directory.Exists(context.CurrentDirectory))
                {
                    throw new HeliosException(HeliosErrorCode.InvalidArgument, $"Cannot change to '{directory}': no such directory.");
                }
            }

            int code = parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
            context.MayLeaveGarbage |= MovesRefs(parse);
            context.Finish(code == ExitCodes.Success);
            return code;
        }
        catch (HeliosException e)
        {
            stderr.WriteLine($"helios: {e.Message}");
            if (verbose) stderr.WriteLine(e);
            return ExitCodes.For(e.Code);
        }
        catch (UnauthorizedAccessException e)
        {
            stderr.WriteLine($"helios: permission denied: {e.Message}");
            if (verbose) stderr.WriteLine(e);
            return ExitCodes.Storage;
        }
        catch (IOException e)
        {
            stderr.WriteLine($"helios: I/O error: {e.Message}");
            if (verbose) stderr.WriteLine(e);
            return ExitCodes.Storage;
        }
    }

    /// <summary>The usual help, followed by the field table when the command is <c>stats</c>.</summary>
    private sealed class FieldsHelp(SynchronousCommandLineAction inner, TextWriter stdout) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            int code = inner.Invoke(parseResult);
            if (parseResult.CommandResult.Command.Name == "stats")
            {
                stdout.WriteLine(StatsCommand.Fields);
            }

            return code;
        }
    }

    /// <summary>Commands that move or delete refs, after which unreachable objects (and aged log records) may be left for gc.</summary>
    private static readonly HashSet<string> RefMovingCommands = new(StringComparer.Ordinal)
    {
        "commit", "reset", "undo", "branch", "checkout", "switch", "merge", "experiment", "memory", "worktree", "import",
    };

    private static bool MovesRefs(ParseResult parse)
    {
        var command = parse.CommandResult;
        while (command.Parent is System.CommandLine.Parsing.CommandResult parent && parent.Command is not RootCommand)
        {
            command = parent;
        }

        return RefMovingCommands.Contains(command.Command.Name);
    }

    private static readonly Option<string?> DirectoryOption = new("-C")
    {
        Description = "Run as if helios was started in this directory.",
        Recursive = true,
    };

    private static RootCommand BuildCommands(CliContext context)
    {
        var (stdout, _) = (context.Out, context.Error);
        var root = new RootCommand("Helios: version control and state store for AI agents.");
        root.Options.Add(new Option<bool>("--verbose") { Description = "Show stack traces with errors.", Recursive = true });
        root.Options.Add(DirectoryOption);

        WorkingTreeCommands.Add(root, context);
        HistoryCommands.Add(root, context);
        BranchCommands.Add(root, context);
        MergeCommands.Add(root, context);
        DiffCommand.Add(root, context);
        ExperimentCommands.Add(root, context);
        MemoryCommands.Add(root, context);
        WorktreeCommands.Add(root, context);
        FsckCommand.Add(root, context);
        GcCommand.Add(root, context);
        StatsCommand.Add(root, context);
        GitCommands.Add(root, context);

        var demo = new Command("demo", "Run an agent workflow (branch, commit variants, roll back, keep the best) on a repository in a temp folder and print timings.");
        var agents = new Option<int>("--agents") { Description = "Number of agents.", DefaultValueFactory = _ => 4 };
        var variants = new Option<int>("--variants") { Description = "Variants each agent commits.", DefaultValueFactory = _ => 250 };
        var keep = new Option<bool>("--keep") { Description = "Keep the demo repository instead of deleting it." };
        demo.Options.Add(agents);
        demo.Options.Add(variants);
        demo.Options.Add(keep);
        demo.SetAction(p => DemoCommand.Run(p.GetValue(agents), p.GetValue(variants), p.GetValue(keep), stdout));
        root.Subcommands.Add(demo);

        root.Subcommands.Add(ConfigCommand.Build(() => context.Layout.CommonDirectory, stdout));

        // stats --help also explains every field; the root's command list keeps its one line.
        var help = root.Options.OfType<System.CommandLine.Help.HelpOption>().First();
        help.Action = new FieldsHelp((SynchronousCommandLineAction)help.Action!, stdout);

        // Listed for --help only; Run dispatches it before parsing.
        root.Subcommands.Add(new Command("b3sum", "Print BLAKE3 checksums, exactly as Debian's b3sum does."));
        return root;
    }
}
