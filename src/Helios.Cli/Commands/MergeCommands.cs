using System.CommandLine;
using System.Text.Json;
using Helios.Core.Errors;
using Helios.Core.Merging;

namespace Helios.Cli.Commands;

/// <summary>merge: bringing another line of work into the current branch.</summary>
internal static class MergeCommands
{
    public static void Add(RootCommand root, CliContext context)
    {
        var revision = new Argument<string?>("revision") { Arity = ArgumentArity.ZeroOrOne, Description = "The branch or commit to merge into HEAD." };
        var strategy = new Option<string>("--strategy", "-s")
        {
            Description = "How conflicts are settled: manual (default: conflict markers, finish with commit), parent-wins (ours), child-wins (theirs), newest-wins.",
            DefaultValueFactory = _ => "manual",
        };
        var json = new Option<bool>("--json") { Description = "Print the merge report as one JSON document." };
        var abort = new Option<bool>("--abort") { Description = "Give up the merge in progress, restoring every file it wrote." };
        var noFastForward = new Option<bool>("--no-ff") { Description = "Make a merge commit even when a fast-forward is possible." };
        var unrelated = new Option<bool>("--allow-unrelated-histories") { Description = "Merge histories that share no commit (as if from an empty base)." };
        var message = new Option<string?>("--message", "-m") { Description = "The merge commit's message." };
        var style = new Option<string>("--conflict-style") { Description = "Conflict markers: merge (default) or diff3 (with the base's lines).", DefaultValueFactory = _ => "merge" };
        root.Subcommands.Add(CommandBuilder.Create("merge", "Merge a branch or commit into HEAD, settling conflicts with a strategy.", p =>
        {
            if (p.GetValue(abort))
            {
                if (p.GetValue(revision) is not null)
                {
                    throw new HeliosException(HeliosErrorCode.InvalidArgument, "merge --abort takes no revision.");
                }

                context.Worktree.AbortMerge();
                context.Out.WriteLine("Merge aborted: the files are back at HEAD.");
                return ExitCodes.Success;
            }

            string rev = p.GetValue(revision) ?? throw new HeliosException(HeliosErrorCode.InvalidArgument, "Name the branch or commit to merge: helios merge REVISION.");
            var options = new MergeOptions
            {
                Strategy = MergeStrategies.Parse(p.GetValue(strategy)!),
                FastForward = !p.GetValue(noFastForward),
                AllowUnrelatedHistories = p.GetValue(unrelated),
                Message = p.GetValue(message),
                Diff3 = p.GetValue(style) switch
                {
                    "merge" => false,
                    "diff3" => true,
                    var other => throw new HeliosException(HeliosErrorCode.InvalidArgument, $"Unknown conflict style '{other}'; use merge or diff3."),
                },
            };
            return Merge(context, rev, options, p.GetValue(json));
        }, revision, strategy, json, abort, noFastForward, unrelated, message, style));
    }

    private static int Merge(CliContext context, string revision, MergeOptions options, bool json)
    {
        var report = context.Worktree.Merge(revision, options);
        if (json)
        {
            HistoryCommands.WriteJson(context, w => WriteReport(w, report));
        }
        else
        {
            Print(context, revision, report);
        }

        return report.HasUnresolvedConflicts ? ExitCodes.NotDone : ExitCodes.Success;
    }

    private static void Print(CliContext context, string revision, MergeReport report)
    {
        var o = context.Out;
        switch (report.Outcome)
        {
            case MergeOutcome.UpToDate:
                o.WriteLine("Already up to date.");
                return;
            case MergeOutcome.FastForward:
                o.WriteLine($"Updating {report.Parent?.ToShortString() ?? "(unborn)"}..{report.Child.ToShortString()}");
                o.WriteLine("Fast-forward");
                return;
        }

        foreach (var conflict in report.Conflicts)
        {
            o.WriteLine(conflict.Resolution == ConflictResolution.Unresolved
                ? $"CONFLICT ({MergeReport.ConflictKindName(conflict.Kind)}): {conflict.Path}"
                : $"Resolved {MergeReport.ConflictKindName(conflict.Kind)} conflict in {conflict.Path}: took the {MergeReport.ResolutionName(conflict.Resolution)}'s side ({report.Strategy.Name()})");
        }

        if (report.Outcome == MergeOutcome.Conflicted)
        {
            o.WriteLine($"Automatic merge of {revision} left {report.Conflicts.Count} conflict(s); fix them, 'helios add' each, then 'helios commit' (or 'helios merge --abort').");
            return;
        }

        o.WriteLine($"Merged {revision} ({report.Strategy.Name()}): {report.MergedPaths.Count} path(s) merged cleanly, {report.Conflicts.Count} conflict(s) settled; commit {report.Commit?.ToShortString()}.");
    }

    private static void WriteReport(Utf8JsonWriter w, MergeReport report)
    {
        w.WriteStartObject();
        w.WriteString("outcome", report.Outcome switch
        {
            MergeOutcome.UpToDate => "up-to-date",
            MergeOutcome.FastForward => "fast-forward",
            MergeOutcome.Merged => "merged",
            _ => "conflicted",
        });
        w.WriteString("strategy", report.Strategy.Name());
        w.WriteString("parent", report.Parent?.ToString());
        w.WriteString("child", report.Child.ToString());
        w.WriteStartArray("bases");
        foreach (var b in report.Bases)
        {
            w.WriteStringValue(b.ToString());
        }

        w.WriteEndArray();
        w.WriteString("commit", report.Commit?.ToString());
        w.WriteString("tree", report.Tree?.ToString());
        w.WriteStartArray("merged");
        foreach (var path in report.MergedPaths)
        {
            w.WriteStringValue(path);
        }

        w.WriteEndArray();
        w.WriteStartArray("conflicts");
        foreach (var c in report.Conflicts)
        {
            w.WriteStartObject();
            w.WriteString("path", c.Path);
            w.WriteString("kind", MergeReport.ConflictKindName(c.Kind));
            w.WriteString("resolution", MergeReport.ResolutionName(c.Resolution));
            w.WriteNumber("hunks", c.Hunks);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }
}
