using Helios.Core.Errors;
using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Repositories;
using Helios.Core.Storage;

namespace Helios.Core.Merging;

/// <summary>How to merge: the strategy, the labels of conflict markers, and what is allowed.</summary>
public sealed record MergeOptions
{
    public MergeStrategy Strategy { get; init; } = MergeStrategy.Manual;

    /// <summary>The label of the parent's side in conflict markers (git writes HEAD).</summary>
    public string ParentLabel { get; init; } = "HEAD";

    /// <summary>The label of the child's side in conflict markers; the child's short id when null.</summary>
    public string? ChildLabel { get; init; }

    /// <summary>Merge histories with no common ancestor (as if the base were empty).</summary>
    public bool AllowUnrelatedHistories { get; init; }

    /// <summary>Move the branch instead of making a merge commit when the parent is an ancestor of the child.</summary>
    public bool FastForward { get; init; } = true;

    /// <summary>Conflict markers include the base's lines (git's diff3 style).</summary>
    public bool Diff3 { get; init; }

    /// <summary>The merge commit's message; when null, "Merge LABEL" in the library and git's "Merge branch 'X'" in a worktree.</summary>
    public string? Message { get; init; }

    /// <summary>Who merged, for the operation log.</summary>
    public string Agent { get; init; } = "";
}

/// <summary>
/// Computes merges: merge bases, fast-forward detection, the virtual base of criss-cross
/// histories, and the three-way tree merge written into a workspace. Committing is left to
/// <see cref="Repository.Merge"/> (library) or the working tree (CLI). Cost: the ancestry walk
/// since the divergence plus the paths either side changed.
/// </summary>
public static class Merger
{
    /// <summary>
    /// Merges <paramref name="child"/> into <paramref name="workspace"/>, whose content must be its
    /// base commit's. For <see cref="MergeOutcome.Merged"/> and <see cref="MergeOutcome.Conflicted"/>
    /// the workspace then holds the merged content (conflict markers in unresolved text files);
    /// for the other outcomes it is untouched. No ref moves, and nothing is stored but the virtual
    /// base a criss-cross history needs.
    /// </summary>
    public static MergeReport Compute(Repository repository, Workspace workspace, ObjectId child, MergeOptions options) =>
        Compute(repository, workspace, child, options, out _);

    internal static MergeReport Compute(Repository repository, Workspace workspace, ObjectId child, MergeOptions options, out TreeMergeResult? merge)
    {
        merge = null;
        var objects = repository.Objects;
        repository.ReadCommit(child); // Not found or not a commit: fail before anything else.
        var parent = workspace.BaseCommit;
        var report = new MergeReport { Strategy = options.Strategy, Outcome = MergeOutcome.UpToDate, Parent = parent, Child = child };
        if (parent is not { } p)
        {
            return report with { Outcome = MergeOutcome.FastForward, Tree = repository.ReadCommit(child).Tree, Commit = child };
        }

        var bases = CommitAncestry.MergeBases(objects, p, child);
        report = report with { Bases = bases };
        if (bases.Count == 1 && bases[0] == child)
        {
            return report;
        }

        if (bases.Count == 1 && bases[0] == p && options.FastForward)
        {
            return report with { Outcome = MergeOutcome.FastForward, Tree = repository.ReadCommit(child).Tree, Commit = child };
        }

        if (bases.Count == 0 && !options.AllowUnrelatedHistories)
        {
            throw new HeliosException(HeliosErrorCode.InvalidState,
                $"Refusing to merge unrelated histories: {child.ToShortString()} and {p.ToShortString()} have no common ancestor (allow it with --allow-unrelated-histories).");
        }

        var treeOptions = new TreeMergeOptions(options.Strategy, options.ParentLabel, options.ChildLabel ?? child.ToShortString())
        {
            Diff3 = options.Diff3,
            BaseLabel = BaseLabel(bases),
            NewestSide = options.Strategy == MergeStrategy.NewestWins ? path => NewerSide(repository, p, child, path) : null,
        };
        var roots = RootMerge.Merge(repository, p, child, bases, options.Strategy);
        var baseTree = VirtualBase(repository, bases, options.Diff3, depth: 1);
        merge = TreeMerge.Apply(objects, baseTree, repository.ReadCommit(p).Tree, repository.ReadCommit(child).Tree, workspace, treeOptions);
        return report with
        {
            Outcome = merge.Conflicts.Any(c => c.Resolution == ConflictResolution.Unresolved) ? MergeOutcome.Conflicted : MergeOutcome.Merged,
            MergedPaths = merge.MergedPaths,
            Conflicts = merge.Conflicts,
            Roots = roots,
        };
    }

    /// <summary>
    /// The tree to merge against: the merge base's, or for several bases (criss-cross) their
    /// merge, built recursively as git's recursive strategy does (oldest base first).
    /// </summary>
    private static ObjectId VirtualBase(Repository repository, IReadOnlyList<ObjectId> bases, bool diff3, int depth)
    {
        if (bases.Count <= 1)
        {
            return bases.Count == 0 ? TreeDiff.EmptyTree : repository.ReadCommit(bases[0]).Tree;
        }

        var ordered = bases.Reverse().ToArray();
        var merged = repository.ReadCommit(ordered[0]).Tree;
        for (int i = 1; i < ordered.Length; i++)
        {
            var innerBases = CommitAncestry.MergeBases(repository.Objects, ordered[0], ordered[i]);
            var innerBase = VirtualBase(repository, innerBases, diff3, depth + 1);
            var scratch = repository.OpenWorkspaceAt(RefName.Head, null);
            scratch.Load(null, merged);
            var options = new TreeMergeOptions(MergeStrategy.Manual, "Temporary merge branch 1", "Temporary merge branch 2")
            {
                Depth = depth,
                Diff3 = diff3,
                BaseLabel = BaseLabel(innerBases),
            };
            TreeMerge.Apply(repository.Objects, innerBase, merged, repository.ReadCommit(ordered[i]).Tree, scratch, options);
            var batch = new SaveBatch();
            merged = scratch.Save(batch);
            repository.Objects.Store.PutMany(batch.Objects);
            batch.MarkStored();
        }

        return merged;
    }

    /// <summary>What diff3-style markers call the base: its short id, as git does, or "merged common ancestors" when virtual.</summary>
    private static string BaseLabel(IReadOnlyList<ObjectId> bases) =>
        bases.Count == 1 ? bases[0].ToShortString(7) : bases.Count == 0 ? "empty tree" : "merged common ancestors";

    /// <summary>
    /// newest-wins: the side whose last change to <paramref name="path"/> has the newer commit time
    /// (following first parents back from each head); equal times go to the greater commit id.
    /// </summary>
    private static ConflictResolution NewerSide(Repository repository, ObjectId parent, ObjectId child, string path)
    {
        var (parentTime, parentId) = LastChange(repository, parent, path);
        var (childTime, childId) = LastChange(repository, child, path);
        int order = parentTime.CompareTo(childTime);
        if (order == 0)
        {
            order = parentId.CompareTo(childId);
        }

        return order >= 0 ? ConflictResolution.Parent : ConflictResolution.Child;
    }

    private static (DateTimeOffset Time, ObjectId Id) LastChange(Repository repository, ObjectId head, string path)
    {
        var id = head;
        var commit = repository.ReadCommit(id);
        var version = FileAt(repository, commit.Tree, path);
        while (commit.Parents.Count > 0)
        {
            var parent = repository.ReadCommit(commit.Parents[0]);
            if (FileAt(repository, parent.Tree, path) != version)
            {
                break;
            }

            id = commit.Parents[0];
            commit = parent;
        }

        return (commit.Committer.When, id);
    }

    private static FileVersion? FileAt(Repository repository, ObjectId tree, string path) => TreeMerge.Lookup(repository.Objects, tree, path);
}
