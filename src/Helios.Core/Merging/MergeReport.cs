using Helios.Core.Objects;

namespace Helios.Core.Merging;

/// <summary>Why a path conflicted.</summary>
public enum ConflictKind
{
    /// <summary>Both sides edited the same lines of a text file (or lines next to each other).</summary>
    Content,

    /// <summary>Both sides added the file with different content.</summary>
    AddAdd,

    /// <summary>The parent modified the file and the child deleted it.</summary>
    ModifyDelete,

    /// <summary>The parent deleted the file and the child modified it.</summary>
    DeleteModify,

    /// <summary>Both sides changed a binary file (or a submodule) differently.</summary>
    Binary,

    /// <summary>Both sides changed a path differently and at least one made it a symlink or changed the symlink's target.</summary>
    Symlink,

    /// <summary>One side has a file where the other has a directory.</summary>
    FileDirectory,
}

/// <summary>How a conflict was settled.</summary>
public enum ConflictResolution
{
    /// <summary>Left for someone to resolve (the manual strategy).</summary>
    Unresolved,

    /// <summary>The parent's side was taken (for a text file: in each conflicting hunk).</summary>
    Parent,

    /// <summary>The child's side was taken (for a text file: in each conflicting hunk).</summary>
    Child,
}

/// <summary>One conflicting path: why, how it was settled, and for text files how many hunks conflicted.</summary>
public sealed record MergeConflict(string Path, ConflictKind Kind, ConflictResolution Resolution, int Hunks = 0);

/// <summary>What a merge did.</summary>
public enum MergeOutcome
{
    /// <summary>The child was already part of the parent's history: nothing to do.</summary>
    UpToDate,

    /// <summary>The parent was an ancestor of the child: the branch moved to the child, no merge commit.</summary>
    FastForward,

    /// <summary>A merge commit with both parents was made.</summary>
    Merged,

    /// <summary>Conflicts were left for someone to resolve; nothing was committed.</summary>
    Conflicted,
}

/// <summary>
/// The account of one merge: both sides, the merge bases, the strategy, every path merged cleanly
/// and every conflict with its resolution. A value: the library returns it, the CLI prints it
/// (<c>--json</c> too), and its summary goes into the operation log.
/// </summary>
public sealed record MergeReport
{
    public required MergeStrategy Strategy { get; init; }

    public required MergeOutcome Outcome { get; init; }

    /// <summary>The commit merged into (null when its branch was unborn).</summary>
    public required ObjectId? Parent { get; init; }

    /// <summary>The commit merged in.</summary>
    public required ObjectId Child { get; init; }

    /// <summary>The merge bases used (two or more for criss-cross histories; none when the histories are unrelated).</summary>
    public IReadOnlyList<ObjectId> Bases { get; init; } = [];

    /// <summary>Paths the merge changed relative to the parent without conflict, in path order.</summary>
    public IReadOnlyList<string> MergedPaths { get; init; } = [];

    /// <summary>Every conflict, in path order, resolved or not.</summary>
    public IReadOnlyList<MergeConflict> Conflicts { get; init; } = [];

    /// <summary>The resulting tree once stored: the merge commit's or fast-forward's, or the conflicted tree a worktree merge wrote out (markers included).</summary>
    public ObjectId? Tree { get; init; }

    /// <summary>The collections and state arrays the merge commit records (<see cref="Objects.Commit.Roots"/>); empty unless merged or conflicted.</summary>
    public IReadOnlyList<StateRoot> Roots { get; init; } = [];

    /// <summary>The resulting commit: the merge commit, the child after a fast-forward; null otherwise.</summary>
    public ObjectId? Commit { get; init; }

    /// <summary>True when some conflict awaits resolution.</summary>
    public bool HasUnresolvedConflicts => Conflicts.Any(c => c.Resolution == ConflictResolution.Unresolved);

    /// <summary>One line for the operation log: outcome, strategy, counts and (up to ten) conflicts.</summary>
    public string Summary(string what)
    {
        var text = new System.Text.StringBuilder($"merge {what} ({Strategy.Name()}): ");
        text.Append(Outcome switch
        {
            MergeOutcome.UpToDate => "already up to date",
            MergeOutcome.FastForward => "fast-forward",
            MergeOutcome.Merged => $"{MergedPaths.Count} paths merged cleanly, {Conflicts.Count} conflicts resolved",
            _ => $"{MergedPaths.Count} paths merged cleanly, {Conflicts.Count(c => c.Resolution == ConflictResolution.Unresolved)} conflicts to resolve",
        });
        foreach (var conflict in Conflicts.Take(10))
        {
            text.Append($"; {conflict.Path} {ConflictKindName(conflict.Kind)} {ResolutionName(conflict.Resolution)}");
        }

        if (Conflicts.Count > 10)
        {
            text.Append($"; and {Conflicts.Count - 10} more");
        }

        return text.ToString();
    }

    /// <summary>The stable name of a conflict kind: content, add/add, modify/delete, delete/modify, binary, symlink, file/directory.</summary>
    public static string ConflictKindName(ConflictKind kind) => kind switch
    {
        ConflictKind.Content => "content",
        ConflictKind.AddAdd => "add/add",
        ConflictKind.ModifyDelete => "modify/delete",
        ConflictKind.DeleteModify => "delete/modify",
        ConflictKind.Binary => "binary",
        ConflictKind.Symlink => "symlink",
        ConflictKind.FileDirectory => "file/directory",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The stable name of a resolution: unresolved, parent or child.</summary>
    public static string ResolutionName(ConflictResolution resolution) => resolution switch
    {
        ConflictResolution.Unresolved => "unresolved",
        ConflictResolution.Parent => "parent",
        ConflictResolution.Child => "child",
        _ => throw new ArgumentOutOfRangeException(nameof(resolution)),
    };
}
