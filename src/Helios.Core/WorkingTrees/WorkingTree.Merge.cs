using Helios.Core.Errors;
using Helios.Core.Merging;
using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Repositories;
using Helios.Core.Storage;

namespace Helios.Core.WorkingTrees;

// Merging into the worktree, and the merge left in progress when conflicts remain.
public sealed partial class WorkingTree
{
    private string MergeStateFile => Path.Combine(Path.GetDirectoryName(_indexFile)!, "MERGE_STATE");

    /// <summary>The conflicted merge waiting for its resolution to be committed, or null.</summary>
    public MergeReport? MergeInProgress
    {
        get
        {
            var snapshot = Begin();
            return PendingMerge(snapshot) is { } state
                ? new MergeReport { Strategy = state.Strategy, Outcome = MergeOutcome.Conflicted, Parent = state.Parent, Child = state.Child, Conflicts = state.Conflicts }
                : null;
        }
    }

    /// <summary>
    /// Merges <paramref name="revision"/> into HEAD (see <see cref="Merger"/>). Refused, changing
    /// nothing, while another merge is in progress, when tracked files have uncommitted changes, or
    /// when an untracked file is in the way. A fast-forward moves the branch; a clean merge (or one
    /// whose conflicts the strategy settled) commits with both parents; otherwise the files hold the
    /// merge with conflict markers, the cleanly merged paths are staged, and the merge stays in
    /// progress until <see cref="Commit"/> (after <see cref="Stage"/> of each conflicted path) or
    /// <see cref="AbortMerge"/>.
    /// </summary>
    public MergeReport Merge(string revision, MergeOptions options)
    {
        var snapshot = Begin();
        if (PendingMerge(snapshot) is { } pending)
        {
            throw new HeliosException(HeliosErrorCode.InvalidState,
                $"A merge of {pending.Label} is in progress; resolve the conflicts and commit, or run 'merge --abort', first.");
        }

        if (snapshot.Index.BaseCommit != snapshot.HeadCommit)
        {
            throw new HeliosException(HeliosErrorCode.Conflict,
                $"HEAD moved outside this worktree (to {snapshot.HeadCommit?.ToShortString() ?? "nothing"}); run 'checkout' of the branch to bring the files forward, then merge.");
        }

        Scan(snapshot, tracked: true);
        var dirty = snapshot.Index.Entries.Values.Where(e => e.HasTrackedChange).Select(e => e.Path).Order(StringComparer.Ordinal).ToList();
        if (dirty.Count > 0)
        {
            throw new LocalChangesException("merge", dirty);
        }

        var child = _repository.ResolveRevision(revision);
        options = options with { ChildLabel = options.ChildLabel ?? revision, Agent = options.Agent.Length > 0 ? options.Agent : _agent };
        var target = snapshot.HeadRef?.Symbolic ?? _repository.Head;
        var workspace = _repository.OpenWorkspaceAt(target, snapshot.HeadCommit);
        var report = Merger.Compute(_repository, workspace, child, options, out var merge);
        string summary = report.Summary(options.ChildLabel);
        string message = options.Message ?? DefaultMessage(revision, child);
        switch (report.Outcome)
        {
            case MergeOutcome.UpToDate:
                Save(snapshot);
                return report;
            case MergeOutcome.FastForward:
            {
                var changes = TreeDiff.Diff(_repository.Objects, snapshot.Index.BaseTree, report.Tree!.Value);
                RefuseOverwrites(snapshot, changes);
                _repository.MoveRef("merge", target, snapshot.HeadCommit is { } h ? RefTarget.To(h) : null, RefTarget.To(child), summary, options.Agent);
                ApplyChanges(snapshot, changes, onlyIfClean: false);
                snapshot.Index.BaseTree = report.Tree!.Value;
                snapshot.Index.BaseCommit = child;
                Save(snapshot);
                return report;
            }

            case MergeOutcome.Merged:
            {
                RefuseOverwrites(snapshot, merge!.Edits);
                var result = _repository.Commit(workspace, message, new CommitOptions
                {
                    ExtraParents = [child],
                    Roots = report.Roots,
                    Agent = options.Agent,
                    Metadata = new Dictionary<string, string> { ["merge.strategy"] = options.Strategy.Name() },
                    Operation = ("merge", summary),
                });
                var id = result.EnsureCommitted();
                ApplyChanges(snapshot, merge!.Edits, onlyIfClean: false);
                snapshot.Index.BaseTree = workspace.BaseTree;
                snapshot.Index.BaseCommit = id;
                Save(snapshot);
                return report with { Commit = id, Tree = workspace.BaseTree };
            }

            default:
            {
                RefuseOverwrites(snapshot, merge!.Edits);
                var batch = new SaveBatch();
                var tree = workspace.Save(batch);
                _repository.Objects.Store.PutMany(batch.Objects);
                batch.MarkStored();
                // Recorded before any file is written, so 'merge --abort' can put back whatever a
                // failure half way through left behind.
                new MergeState(snapshot.HeadCommit!.Value, child, options.ChildLabel, options.Strategy, message,
                    summary, merge.Conflicts, merge.Edits.Select(e => e.Path).ToList()).Save(MergeStateFile);
                ApplyChanges(snapshot, merge.Edits, onlyIfClean: false);
                var conflicted = merge.Conflicts.Select(c => c.Path).ToHashSet(StringComparer.Ordinal);
                foreach (var edit in merge.Edits)
                {
                    // The files show the merge; the index still bases them on HEAD, with the clean
                    // paths staged (as git stages them) and the conflicted ones left for the resolver.
                    var entry = snapshot.Index.GetOrAdd(edit.Path);
                    entry.Head = edit.Old;
                    if (!conflicted.Contains(edit.Path) && edit.New != edit.Old)
                    {
                        entry.Stage(edit.New);
                    }
                }

                Save(snapshot);
                return report with { Tree = tree };
            }
        }
    }

    /// <summary>
    /// Gives up the merge in progress: every path the merge wrote goes back to HEAD's version,
    /// nothing is staged, and the merge state is removed. Files the merge did not write are untouched.
    /// </summary>
    public void AbortMerge()
    {
        var snapshot = Begin();
        var state = PendingMerge(snapshot)
            ?? throw new HeliosException(HeliosErrorCode.InvalidState, "There is no merge to abort.");
        var restore = state.Touched.Select(path => new FileChange(path, null, snapshot.Index.GetOrAdd(path).Head)).ToList();
        foreach (var entry in snapshot.Index.Entries.Values)
        {
            entry.Unstage();
        }

        ApplyChanges(snapshot, restore, onlyIfClean: false);
        File.Delete(MergeStateFile);
        Save(snapshot);
    }

    /// <summary>git's default merge message: "Merge branch 'X'" for a branch, "Merge commit 'X'" otherwise.</summary>
    private string DefaultMessage(string revision, ObjectId child) =>
        BranchName.TryParse(revision) is { } branch && _repository.TryGetBranch(branch) == child
            ? $"Merge branch '{revision}'\n"
            : $"Merge commit '{revision}'\n";

    private void RefuseOverwrites(Snapshot snapshot, List<FileChange> changes)
    {
        var blocked = FindOverwrites(snapshot, changes);
        if (blocked.Count > 0)
        {
            throw new LocalChangesException("merge", blocked);
        }
    }

    /// <summary>
    /// The merge in progress in this worktree, or null. A merge recorded on top of a commit HEAD no
    /// longer shows (a reset, checkout or undo moved it) is over: its state is deleted, so a later
    /// commit never turns into a merge commit by accident.
    /// </summary>
    private MergeState? PendingMerge(Snapshot snapshot)
    {
        var state = MergeState.Load(MergeStateFile);
        if (state is not null && state.Parent != snapshot.HeadCommit)
        {
            File.Delete(MergeStateFile);
            return null;
        }

        return state;
    }

    /// <summary>The merge in progress, checked before a commit: each conflicted path must have been staged since.</summary>
    private MergeState? PendingMergeForCommit(Snapshot snapshot)
    {
        var state = PendingMerge(snapshot);
        if (state is { Conflicts.Count: > 0 })
        {
            var paths = state.Conflicts.Select(c => c.Path).ToList();
            throw new HeliosException(HeliosErrorCode.Conflict,
                $"Cannot commit the merge of {state.Label}: {paths.Count} conflicted path(s) not resolved: {string.Join(", ", paths.Take(10))}{(paths.Count > 10 ? ", ..." : "")}; edit them and 'add' each, then commit.");
        }

        return state;
    }

    /// <summary>Marks conflicted paths as resolved once staged.</summary>
    private void ResolveConflicts(Snapshot snapshot, IReadOnlyCollection<string> staged)
    {
        if (PendingMerge(snapshot) is { Conflicts.Count: > 0 } state)
        {
            var set = staged.ToHashSet(StringComparer.Ordinal);
            var left = state.Conflicts.Where(c => !set.Contains(c.Path)).ToList();
            if (left.Count != state.Conflicts.Count)
            {
                (state with { Conflicts = left }).Save(MergeStateFile);
            }
        }
    }
}
