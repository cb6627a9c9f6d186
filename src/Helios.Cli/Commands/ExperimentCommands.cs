using System.CommandLine;
using System.Globalization;
using Helios.Core.Errors;
using Helios.Core.Experiments;
using Helios.Core.Merging;
using Helios.Core.Refs;

namespace Helios.Cli.Commands;

/// <summary>experiment start|score|list|collapse|discard: best-of-N variants of one base.</summary>
internal static class ExperimentCommands
{
    public static void Add(RootCommand root, CliContext context)
    {
        var experiment = new Command("experiment", "Best-of-N experiments: fork weighted branches NAME/1..N, score them, collapse to the winner.");

        var name = new Argument<string>("name") { Description = "The experiment's name (its branches are NAME/1..N)." };
        var from = new Option<string>("--from") { Description = "The commit to fork from (default HEAD).", DefaultValueFactory = _ => "HEAD" };
        var count = new Option<int>("-n") { Description = "How many branches (default 2).", DefaultValueFactory = _ => 2 };
        var weights = new Option<string?>("--weights") { Description = "Comma-separated weights, one per branch (default equal), kept for gc retention." };
        experiment.Subcommands.Add(CommandBuilder.Create("start", "Create branches NAME/1..N from one commit.",
            p => Start(context, p.GetValue(name)!, p.GetValue(from)!, p.GetValue(count), p.GetValue(weights)), name, from, count, weights));

        var branch = new Argument<string>("branch") { Description = "The branch to score: NAME/i." };
        var value = new Argument<string>("value") { Description = "The score (a number; higher is better for --best)." };
        experiment.Subcommands.Add(CommandBuilder.Create("score", "Record a branch's score.",
            p => Score(context, p.GetValue(branch)!, p.GetValue(value)!), branch, value));

        var json = new Option<bool>("--json") { Description = "One JSON document (an array of experiments)." };
        experiment.Subcommands.Add(CommandBuilder.Create("list", "Show each experiment with its branches, weights, scores and status.",
            p => List(context, p.GetValue(json)), json));

        var collapseName = new Argument<string>("name") { Description = "The experiment to collapse." };
        var winner = new Option<int?>("--winner") { Description = "The winning branch's number i (of NAME/i)." };
        var best = new Option<bool>("--best") { Description = "The branch with the highest score wins." };
        var strategy = new Option<string>("--strategy", "-s")
        {
            Description = "How merge conflicts are settled (default child-wins: the winner's side).",
            DefaultValueFactory = _ => "child-wins",
        };
        experiment.Subcommands.Add(CommandBuilder.Create("collapse", "Merge the winner into the base branch and delete the other branches (undo brings them back until gc).",
            p => Collapse(context, p.GetValue(collapseName)!, p.GetValue(winner), p.GetValue(best), p.GetValue(strategy)!), collapseName, winner, best, strategy));

        var discardName = new Argument<string>("name") { Description = "The experiment to discard." };
        experiment.Subcommands.Add(CommandBuilder.Create("discard", "Delete every branch of the experiment (undo brings them back until gc).",
            p => Discard(context, p.GetValue(discardName)!), discardName));

        root.Subcommands.Add(experiment);
    }

    private static int Start(CliContext context, string name, string from, int count, string? weightList)
    {
        var repository = context.Repository;
        var at = repository.ResolveRevision(from);
        double[]? weights = weightList?.Split(',').Select(w => double.TryParse(w, NumberStyles.Float, CultureInfo.InvariantCulture, out var x)
            ? x
            : throw new HeliosException(HeliosErrorCode.InvalidArgument, $"Weight '{w}' is not a number.")).ToArray();
        // The base branch is the one checked out when the experiment forks from HEAD (collapse merges back into it).
        var baseBranch = from == "HEAD" ? repository.CurrentBranch
            : BranchName.TryParse(from) is { } named && repository.TryGetBranch(named) is not null ? named : null;
        var started = new Experiments(repository).Start(name, at, baseBranch, count, weights, context.Agent);
        context.Out.WriteLine($"Started experiment {name}: {string.Join(", ", started.Branches.Select(b => b.Branch))} at {at.ToShortString()}{(baseBranch is { } b ? $" (base branch {b})" : "")}.");
        return ExitCodes.Success;
    }

    private static int Score(CliContext context, string branch, string value)
    {
        var (name, index) = ParseBranch(branch);
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var score))
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"Score '{value}' is not a number.");
        }

        new Experiments(context.Repository).Score(name, index, score, context.Agent);
        context.Out.WriteLine($"Scored {branch}: {Format(score)}.");
        return ExitCodes.Success;
    }

    private static int List(CliContext context, bool json)
    {
        var experiments = new Experiments(context.Repository).List();
        if (json)
        {
            HistoryCommands.WriteJson(context, w =>
            {
                w.WriteStartArray();
                foreach (var e in experiments)
                {
                    w.WriteStartObject();
                    w.WriteString("name", e.Name);
                    w.WriteString("status", Status(e.Status));
                    w.WriteString("base", e.Base.ToString());
                    w.WriteString("baseBranch", e.BaseBranch?.Value);
                    w.WriteString("created", e.Created.ToString("o", CultureInfo.InvariantCulture));
                    if (e.Winner is { } winner)
                    {
                        w.WriteNumber("winner", winner);
                    }
                    else
                    {
                        w.WriteNull("winner");
                    }

                    w.WriteStartArray("branches");
                    foreach (var b in e.Branches)
                    {
                        w.WriteStartObject();
                        w.WriteNumber("index", b.Index);
                        w.WriteString("branch", b.Branch.Value);
                        w.WriteString("head", b.Head?.ToString());
                        w.WriteNumber("weight", b.Weight);
                        if (b.Score is { } score)
                        {
                            w.WriteNumber("score", score);
                        }
                        else
                        {
                            w.WriteNull("score");
                        }

                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            });
            return ExitCodes.Success;
        }

        foreach (var e in experiments)
        {
            string winner = e.Winner is { } i ? $", winner {e.Name}/{i}" : "";
            context.Out.WriteLine($"{e.Name}  {Status(e.Status)}{winner}  base {e.BaseBranch?.Value ?? "(detached)"} at {e.Base.ToShortString()}");
            foreach (var b in e.Branches)
            {
                string head = b.Head?.ToShortString() ?? "(deleted)";
                context.Out.WriteLine($"  {b.Branch}  weight {Format(b.Weight)}  score {(b.Score is { } s ? Format(s) : "-")}  {head}");
            }
        }

        return ExitCodes.Success;
    }

    private static int Collapse(CliContext context, string name, int? winner, bool best, string strategyName)
    {
        if (winner is not null == best)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, "Name the winner with --winner i, or pick the highest score with --best (one of the two).");
        }

        var repository = context.Repository;
        var experiments = new Experiments(repository);
        var options = new MergeOptions { Strategy = MergeStrategies.Parse(strategyName), Agent = context.Agent };
        // Every refusal comes before anything is merged.
        var (experiment, won) = experiments.PrepareCollapse(name, winner);
        // An experiment started from a detached HEAD merges into the branch checked out now.
        var target = experiment.BaseBranch ?? repository.CurrentBranch ?? throw new HeliosException(HeliosErrorCode.InvalidState,
            $"Experiment '{name}' has no base branch and HEAD is detached: check out the branch to merge {won.Branch} into, then collapse.");
        if (repository.CurrentBranch == target)
        {
            // The target is checked out here: merge through the worktree so the files follow.
            var report = context.Worktree.Merge(won.Branch.Value, options);
            if (report.HasUnresolvedConflicts)
            {
                context.Out.WriteLine($"Merging {won.Branch} into {target} left {report.Conflicts.Count} conflict(s): {string.Join(", ", report.Conflicts.Select(c => c.Path))}. Resolve them, 'helios add' each and 'helios commit', then run 'experiment collapse {name} --winner {won.Index}' again.");
                return ExitCodes.NotDone;
            }

            experiments.MarkCollapsed(name, won.Index, context.Agent);
        }
        else
        {
            if (repository.CheckedOutBranches().Contains(target))
            {
                throw new HeliosException(HeliosErrorCode.InvalidState, $"The branch {target} is checked out in another worktree; run the collapse there so its files follow.");
            }

            experiments.Collapse(name, won.Index, options, context.Agent, into: target);
        }

        context.Out.WriteLine($"Collapsed experiment {name} to {won.Branch}: merged into {target}, the other {experiment.Branches.Count - 1} branch(es) deleted ('helios undo' restores them).");
        return ExitCodes.Success;
    }

    private static int Discard(CliContext context, string name)
    {
        var discarded = new Experiments(context.Repository).Discard(name, context.Agent);
        context.Out.WriteLine($"Discarded experiment {name}: {discarded.Branches.Count} branch(es) deleted ('helios undo' restores them).");
        return ExitCodes.Success;
    }

    private static (string Name, int Index) ParseBranch(string branch)
    {
        int slash = branch.LastIndexOf('/');
        if (slash <= 0 || !int.TryParse(branch.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int index))
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"'{branch}' is not an experiment branch; give NAME/i, e.g. sort/2.");
        }

        return (branch[..slash], index);
    }

    private static string Status(ExperimentStatus status) => status.ToString().ToLowerInvariant();

    private static string Format(double value) => value.ToString("G", CultureInfo.InvariantCulture);
}
