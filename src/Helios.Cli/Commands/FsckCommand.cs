using System.CommandLine;
using Helios.Core.Integrity;
using Spectre.Console;

namespace Helios.Cli.Commands;

/// <summary>fsck: verifies every stored object, ref and operation-log link; exit 4 when anything is wrong.</summary>
internal static class FsckCommand
{
    public static void Add(RootCommand root, CliContext context) =>
        root.Subcommands.Add(CommandBuilder.Create("fsck", "Check the repository: object hashes, refs, reachability and the operation log chain.", _ => Run(context)));

    private static int Run(CliContext context)
    {
        var repository = context.Repository;
        FsckReport report;
        if (CliContext.IsInteractive && !Console.IsErrorRedirected)
        {
            // A progress bar on a terminal only; piped output stays quiet.
            report = null!;
            AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }).Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn())
                .Start(progress =>
                {
                    var objects = progress.AddTask("Checking objects");
                    var reachable = progress.AddTask("Checking connectivity", autoStart: false);
                    report = Fsck.Check(repository, new SynchronousProgress(p =>
                    {
                        if (p.Phase == FsckPhase.Objects)
                        {
                            objects.MaxValue = Math.Max(1, p.Total ?? 1);
                            objects.Value = p.Completed;
                        }
                        else
                        {
                            objects.Value = objects.MaxValue;
                            reachable.StartTask();
                            reachable.IsIndeterminate = true;
                        }
                    }));
                    objects.Value = objects.MaxValue;
                    reachable.IsIndeterminate = false;
                    reachable.Value = reachable.MaxValue;
                });
        }
        else
        {
            report = Fsck.Check(repository);
        }

        foreach (var problem in report.Problems)
        {
            context.Out.WriteLine($"{problem.Kind}: {problem.Message}");
        }

        context.Error.WriteLine($"checked {report.ObjectsChecked} objects ({report.Commits} commits, {report.Trees} trees, {report.Blobs} blobs), {report.Refs} refs, {report.Operations} operations: " +
            (report.IsClean ? "no problems" : $"{report.Problems.Count} problem(s)"));
        return report.IsClean ? ExitCodes.Success : ExitCodes.Corruption;
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool and lag behind).</summary>
    private sealed class SynchronousProgress(Action<FsckProgress> report) : IProgress<FsckProgress>
    {
        public void Report(FsckProgress value) => report(value);
    }
}
