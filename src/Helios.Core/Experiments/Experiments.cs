using System.Globalization;
using Helios.Core.Errors;
using Helios.Core.Merging;
using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Repositories;
using Helios.Core.Storage;

namespace Helios.Core.Experiments;

/// <summary>Where an experiment is in its life.</summary>
public enum ExperimentStatus
{
    /// <summary>Its branches exist and are being worked on and scored.</summary>
    Active,

    /// <summary>A winner was merged into the base branch and the other branches deleted.</summary>
    Collapsed,

    /// <summary>Every branch was deleted without merging.</summary>
    Discarded,
}

/// <summary>One variant of an experiment: branch <c>NAME/INDEX</c>, its weight and its score.</summary>
public sealed record ExperimentBranch(int Index, BranchName Branch, ObjectId? Head, double Weight, double? Score);

/// <summary>An experiment as last recorded: N variant branches forked from one base commit.</summary>
public sealed record Experiment(
    string Name,
    BranchName? BaseBranch,
    ObjectId Base,
    ExperimentStatus Status,
    int? Winner,
    DateTimeOffset Created,
    IReadOnlyList<ExperimentBranch> Branches);

/// <summary>
/// Best-of-N experiments (the seed's "superposition" and "collapse"): <see cref="Start"/> forks N
/// weighted branches <c>NAME/1..N</c> from one commit, <see cref="Score"/> records a metric per
/// branch, <see cref="Collapse"/> merges the winner into the base branch and deletes the other
/// branches, <see cref="Discard"/> deletes them all. Each step is one atomic operation in the
/// operation log (collapse is two: the merge, then the deletions), so <c>undo</c> brings deleted
/// branches back (until gc). A finished experiment's name can be started again.
/// <para>
/// An experiment is recorded as a chain of record commits under the ref <c>experiments/NAME</c>:
/// each holds the experiment's state in its metadata (base, weights, scores, status) and has the
/// previous record (the first: the base commit) as parent, so gc keeps an experiment's base and
/// its history while the ref exists. Updates are compare-and-swaps of that ref: concurrent
/// scorers never lose each other's scores silently (a lost race is retried).
/// </para>
/// </summary>
public sealed class Experiments(Repository repository)
{
    /// <summary>The ref namespace of experiment records.</summary>
    public const string RefPrefix = "experiments/";

    private const string Key = "experiment.";

    /// <summary>Creates branches <c>NAME/1..N</c> at <paramref name="from"/>, with weights (default equal), in one operation.</summary>
    public Experiment Start(string name, ObjectId from, BranchName? baseBranch, int count, IReadOnlyList<double>? weights = null, string agent = "")
    {
        ValidateName(name);
        if (count is < 1 or > 1000)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"An experiment has 1 to 1000 branches, not {count}.");
        }

        weights ??= Enumerable.Repeat(1.0 / count, count).ToArray();
        if (weights.Count != count || weights.Any(w => !double.IsFinite(w) || w < 0))
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"Give {count} weights, each a finite number of at least 0 (got {string.Join(",", weights.Select(Format))}).");
        }

        repository.ReadCommit(from);
        var branches = Enumerable.Range(1, count).Select(i => new ExperimentBranch(i, BranchOf(name, i), from, weights[i - 1], null)).ToArray();
        foreach (var b in branches)
        {
            if (repository.TryGetBranch(b.Branch) is not null)
            {
                throw new HeliosException(HeliosErrorCode.AlreadyExists, $"Branch '{b.Branch}' already exists; pick another experiment name.");
            }
        }

        // A finished experiment's name may be used again: the new record continues its chain.
        var previous = repository.ResolveRef(RecordRef(name));
        if (previous is { } p && Read(p).Status == ExperimentStatus.Active)
        {
            throw new HeliosException(HeliosErrorCode.AlreadyExists, $"Experiment '{name}' is active; collapse or discard it first, or pick another name.");
        }

        var experiment = new Experiment(name, baseBranch, from, ExperimentStatus.Active, null, repository.Now(), branches);
        var updates = branches.Select(b => new RefUpdate(b.Branch.Ref, null, RefTarget.To(from))).ToList();
        Record(experiment, previous, updates, $"start experiment {name}: {count} branches at {from.ToShortString()}", agent);
        return experiment;
    }

    /// <summary>Records <paramref name="score"/> for branch <paramref name="index"/> (replacing an earlier one).</summary>
    public Experiment Score(string name, int index, double score, string agent = "")
    {
        if (!double.IsFinite(score))
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"A score must be a finite number, not {Format(score)}.");
        }

        return Update(name, agent, "score", experiment =>
        {
            var branch = BranchAt(experiment, index);
            var updated = experiment with { Branches = experiment.Branches.Select(b => b == branch ? b with { Score = score } : b).ToArray() };
            return (updated, [], $"score {branch.Branch} = {Format(score)}");
        });
    }

    /// <summary>Every experiment, sorted by name, with each branch's current head.</summary>
    public IReadOnlyList<Experiment> List() =>
        repository.Refs.List(RefPrefix)
            .Where(e => e.Target.Id is not null)
            .Select(e => Read(e.Target.Id!.Value))
            .ToArray();

    /// <summary>The experiment called <paramref name="name"/>, or null.</summary>
    public Experiment? Find(string name)
    {
        ValidateName(name);
        return repository.ResolveRef(RecordRef(name)) is { } id ? Read(id) : null;
    }

    /// <summary>The index of the branch with the highest score (ties: the lowest index); throws when none is scored.</summary>
    public static int Best(Experiment experiment) =>
        experiment.Branches.Where(b => b.Score is not null).OrderByDescending(b => b.Score).ThenBy(b => b.Index).FirstOrDefault()?.Index
        ?? throw new HeliosException(HeliosErrorCode.InvalidState, $"No branch of experiment '{experiment.Name}' has a score; score them first, or name the winner.");

    /// <summary>
    /// Checks that experiment <paramref name="name"/> can collapse, before anything is merged: it
    /// is active, the winner (<paramref name="winner"/>, or the best score when null) exists, and
    /// no other branch of it is checked out in a worktree (it could not be deleted). Returns the
    /// experiment and the winning branch.
    /// </summary>
    public (Experiment Experiment, ExperimentBranch Winner) PrepareCollapse(string name, int? winner)
    {
        var experiment = Active(name);
        var branch = BranchAt(experiment, winner ?? Best(experiment));
        if (branch.Head is null)
        {
            throw new NotFoundException(branch.Branch.Value, $"Branch '{branch.Branch}' no longer exists.");
        }

        DeleteBranches(experiment.Branches.Where(b => b != branch));
        return (experiment, branch);
    }

    /// <summary>
    /// Merges the winner into the base branch (or <paramref name="into"/> for an experiment started
    /// from a detached HEAD): a fast-forward when the base has not moved, conflicts settled by
    /// <paramref name="options"/>' strategy (child-wins by default); then deletes the other branches
    /// and records the winner. The merge and the deletions are two operations (undo one at a time).
    /// Refused, merging nothing, when <see cref="PrepareCollapse"/> refuses; refused after the merge,
    /// deleting nothing, when it leaves conflicts (manual strategy). After merging the winner
    /// yourself (in a worktree), use <see cref="MarkCollapsed"/> instead.
    /// </summary>
    public (Experiment Experiment, MergeReport Merge) Collapse(string name, int? winner, MergeOptions? options = null, string agent = "", BranchName? into = null)
    {
        var (experiment, branch) = PrepareCollapse(name, winner);
        var baseBranch = experiment.BaseBranch ?? into ?? throw new HeliosException(HeliosErrorCode.InvalidArgument,
            $"Experiment '{name}' started from a detached HEAD: name the branch to merge {branch.Branch} into.");
        var head = branch.Head!.Value;
        var workspace = repository.OpenWorkspace(baseBranch);
        var report = repository.Merge(workspace, head, (options ?? new MergeOptions { Strategy = MergeStrategy.ChildWins }) with
        {
            ChildLabel = branch.Branch.Value,
            Agent = agent,
        });
        if (report.HasUnresolvedConflicts)
        {
            throw new HeliosException(HeliosErrorCode.Conflict,
                $"Merging {branch.Branch} into {baseBranch} left {report.Conflicts.Count} conflict(s) ({string.Join(", ", report.Conflicts.Take(5).Select(c => c.Path))}); use a strategy, or merge it in a worktree and resolve, then collapse again.");
        }

        return (MarkCollapsed(name, branch.Index, agent), report);
    }

    /// <summary>Deletes every branch but <paramref name="winner"/>'s and records the experiment as collapsed, in one operation.</summary>
    public Experiment MarkCollapsed(string name, int winner, string agent = "") =>
        Update(name, agent, "collapse", experiment =>
        {
            var kept = BranchAt(experiment, winner);
            var deletions = DeleteBranches(experiment.Branches.Where(b => b != kept));
            return (experiment with { Status = ExperimentStatus.Collapsed, Winner = winner }, deletions, $"collapse to {kept.Branch}, deleting {deletions.Count} other branches");
        });

    /// <summary>Deletes every branch of the experiment and records it as discarded, in one operation.</summary>
    public Experiment Discard(string name, string agent = "") =>
        Update(name, agent, "discard", experiment =>
        {
            var deletions = DeleteBranches(experiment.Branches);
            return (experiment with { Status = ExperimentStatus.Discarded }, deletions, $"discard, deleting {deletions.Count} branches");
        });

    /// <summary>
    /// The record refs of discarded experiments whose discard was recorded before <paramref name="before"/>
    /// (what <see cref="ExpireDiscarded"/> would delete), with the ids they name. O(experiments).
    /// </summary>
    public IReadOnlyList<RefEntry> ExpirableDiscarded(DateTimeOffset before) =>
        repository.Refs.List(RefPrefix)
            .Where(e => e.Target.Id is { } id && IsExpired(id, before))
            .ToArray();

    /// <summary>
    /// Forgets discarded experiments whose discard is older than <paramref name="before"/>: deletes their
    /// record refs in one operation (garbage collection frees the record commits once nothing else names
    /// them, which includes this operation's own log record while it is retained, so it can be undone). Returns the names forgotten; none is not an error.
    /// A record that changed meanwhile makes the operation retry once from the new state.
    /// </summary>
    public IReadOnlyList<string> ExpireDiscarded(DateTimeOffset before, string agent = "")
    {
        for (int attempt = 0; ; attempt++)
        {
            var expired = ExpirableDiscarded(before);
            if (expired.Count == 0)
            {
                return [];
            }

            var names = expired.Select(e => e.Name.Value[RefPrefix.Length..]).ToArray();
            var updates = expired.Select(e => new RefUpdate(e.Name, e.Target, null)).ToArray();
            var result = repository.Refs.Commit(new RefTransaction(updates,
                repository.Info("gc", $"expire {names.Length} discarded experiment(s): {string.Join(", ", names)}", agent)));
            if (result is RefTransactionResult.Committed)
            {
                return names;
            }

            if (attempt > 0)
            {
                throw new HeliosException(HeliosErrorCode.Conflict, "Experiments changed twice while expiring discarded ones; run gc again.");
            }
        }
    }

    private bool IsExpired(ObjectId record, DateTimeOffset before)
    {
        var commit = repository.ReadCommit(record);
        return commit.Metadata.TryGetValue(Key + "status", out var status) && status == "discarded" && commit.Committer.When < before;
    }

    /// <summary>The branch of variant <paramref name="index"/>: <c>NAME/INDEX</c>.</summary>
    public static BranchName BranchOf(string name, int index) => BranchName.Parse($"{name}/{index}");

    private Experiment Active(string name) => Active(name, out _);

    /// <summary>The active experiment and the id of its record (what an update compares and swaps from).</summary>
    private Experiment Active(string name, out ObjectId record)
    {
        ValidateName(name);
        record = repository.ResolveRef(RecordRef(name)) ?? throw new NotFoundException(name, $"There is no experiment '{name}'; start it with 'experiment start {name}'.");
        var experiment = Read(record);
        return experiment.Status == ExperimentStatus.Active
            ? experiment
            : throw new HeliosException(HeliosErrorCode.InvalidState, $"Experiment '{name}' is already {experiment.Status.ToString().ToLowerInvariant()}.");
    }

    private static ExperimentBranch BranchAt(Experiment experiment, int index) =>
        experiment.Branches.FirstOrDefault(b => b.Index == index)
        ?? throw new HeliosException(HeliosErrorCode.InvalidArgument, $"Experiment '{experiment.Name}' has branches 1 to {experiment.Branches.Count}, not {index}.");

    private List<RefUpdate> DeleteBranches(IEnumerable<ExperimentBranch> branches)
    {
        var checkedOut = repository.CheckedOutBranches();
        var updates = new List<RefUpdate>();
        foreach (var b in branches)
        {
            if (checkedOut.Contains(b.Branch))
            {
                throw new HeliosException(HeliosErrorCode.InvalidState, $"Branch '{b.Branch}' is checked out in a worktree; switch that worktree to another branch first.");
            }

            if (repository.TryGetBranch(b.Branch) is { } head)
            {
                updates.Add(new RefUpdate(b.Branch.Ref, RefTarget.To(head), null));
            }
        }

        return updates;
    }

    /// <summary>Reads, changes and writes the record by compare-and-swap, retrying when another writer got there first.</summary>
    private Experiment Update(string name, string agent, string kind, Func<Experiment, (Experiment Updated, List<RefUpdate> Updates, string Description)> change)
    {
        for (int attempt = 0; ; attempt++)
        {
            var experiment = Active(name, out var previous);
            var (updated, updates, description) = change(experiment);
            try
            {
                Record(updated, previous, updates, $"{kind} experiment {name}: {description}", agent);
                return updated;
            }
            catch (HeliosException e) when (e.Code == HeliosErrorCode.Conflict && attempt < 10)
            {
                // Another writer changed the experiment or one of its branches: read again.
            }
        }
    }

    private void Record(Experiment experiment, ObjectId? previous, List<RefUpdate> updates, string description, string agent)
    {
        var metadata = new Dictionary<string, string>
        {
            [Key + "name"] = experiment.Name,
            [Key + "base"] = experiment.Base.ToString(),
            [Key + "status"] = experiment.Status.ToString().ToLowerInvariant(),
            [Key + "created"] = experiment.Created.ToString("o", CultureInfo.InvariantCulture),
            [Key + "count"] = experiment.Branches.Count.ToString(CultureInfo.InvariantCulture),
        };
        if (experiment.BaseBranch is { } baseBranch)
        {
            metadata[Key + "base-branch"] = baseBranch.Value;
        }

        if (experiment.Winner is { } winner)
        {
            metadata[Key + "winner"] = winner.ToString(CultureInfo.InvariantCulture);
        }

        foreach (var b in experiment.Branches)
        {
            metadata[$"{Key}weight.{b.Index}"] = Format(b.Weight);
            if (b.Score is { } score)
            {
                metadata[$"{Key}score.{b.Index}"] = Format(score);
            }
        }

        ObjectId[] parents = [previous ?? experiment.Base];
        var now = repository.Now();
        var signature = repository.Options.DefaultIdentity with { When = now };
        var commit = new Commit(repository.ReadCommit(experiment.Base).Tree, parents, Commit.GenerationAfter(parents.Select(repository.ReadCommit)),
            signature, signature, System.Text.Encoding.UTF8.GetBytes(description + "\n"), metadata);
        var (id, bytes) = ObjectCodec.EncodeWithId(commit);
        updates.Add(new RefUpdate(RecordRef(experiment.Name), previous is { } p ? RefTarget.To(p) : null, RefTarget.To(id)));
        var result = repository.Refs.Commit(new RefTransaction(updates, repository.Info("experiment", description, agent, now))
        {
            Objects = [new EncodedObject(id, bytes)],
        });
        if (result is RefTransactionResult.Conflict conflict)
        {
            throw conflict.Name == RecordRef(experiment.Name) && previous is null
                ? new HeliosException(HeliosErrorCode.AlreadyExists, $"Experiment '{experiment.Name}' already exists; pick another name.")
                : new HeliosException(HeliosErrorCode.Conflict, $"{conflict.Name} changed while recording the experiment; retry.");
        }
    }

    private Experiment Read(ObjectId recordId)
    {
        var record = repository.ReadCommit(recordId);
        var m = record.Metadata;
        string name = m[Key + "name"];
        int count = int.Parse(m[Key + "count"], CultureInfo.InvariantCulture);
        var branches = Enumerable.Range(1, count).Select(i =>
        {
            var branch = BranchOf(name, i);
            return new ExperimentBranch(i, branch, repository.TryGetBranch(branch),
                double.Parse(m[$"{Key}weight.{i}"], CultureInfo.InvariantCulture),
                m.TryGetValue($"{Key}score.{i}", out var s) ? double.Parse(s, CultureInfo.InvariantCulture) : null);
        }).ToArray();
        return new Experiment(
            name,
            m.TryGetValue(Key + "base-branch", out var b) ? BranchName.Parse(b) : null,
            ObjectId.Parse(m[Key + "base"]),
            Enum.Parse<ExperimentStatus>(m[Key + "status"], ignoreCase: true),
            m.TryGetValue(Key + "winner", out var w) ? int.Parse(w, CultureInfo.InvariantCulture) : null,
            DateTimeOffset.Parse(m[Key + "created"], CultureInfo.InvariantCulture),
            branches);
    }

    private static RefName RecordRef(string name) => RefName.Parse(RefPrefix + name);

    private static void ValidateName(string name)
    {
        string? problem = name.Contains('/', StringComparison.Ordinal) ? "it contains '/'" : BranchName.Validate(name + "/1");
        if (problem is not null)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"'{name}' is not a valid experiment name: {problem}; use letters, digits, '-' and '_'.");
        }
    }

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
