using Helios.Core.Collections;
using Helios.Core.Merging;
using Helios.Core.Objects;
using Helios.Core.Refs;

namespace Helios.Core.Memory;

/// <summary>What to do when merging a memory branch into its parent.</summary>
public sealed record MemoryMergeOptions
{
    /// <summary>How keys both sides changed are settled (default manual: they must be given in <see cref="Resolutions"/>).</summary>
    public MergeStrategy Strategy { get; init; } = MergeStrategy.Manual;

    /// <summary>Compute and return the report without writing anything.</summary>
    public bool DryRun { get; init; }

    /// <summary>Who merges, for the merge log and the operation log.</summary>
    public string Agent { get; init; } = "";

    /// <summary>For the manual strategy: the value each conflicting key takes, by collection then key (null deletes the key).</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, CollectionValue?>>? Resolutions { get; init; }
}

/// <summary>One collection's part of a memory merge: each key the merge adds, changes or deletes in the parent, and each conflict with its resolution.</summary>
public sealed record CollectionMergeSummary(string Collection, IReadOnlyList<CollectionMergeEntry> Entries)
{
    public int Added => Entries.Count(e => e.Action == CollectionMergeAction.Added);

    public int Changed => Entries.Count(e => e.Action == CollectionMergeAction.Changed);

    public int Deleted => Entries.Count(e => e.Action == CollectionMergeAction.Deleted);

    public IEnumerable<CollectionMergeEntry> Conflicts => Entries.Where(e => e.Action == CollectionMergeAction.Conflict);

    public IEnumerable<CollectionMergeEntry> Unresolved => Conflicts.Where(e => e.Resolution == ConflictChoice.Unresolved);
}

/// <summary>
/// A whole root of the parent a merge touched beyond key-by-key merging: a collection or state array
/// the child <paramref name="Change"/>d (added, deleted or replaced), and whose version the parent
/// ended with (<paramref name="Resolution"/>: child, or parent when a strategy kept the parent's).
/// </summary>
public sealed record RootMergeChange(string Name, ObjectType Type, string Change, string Resolution);

/// <summary>
/// The outcome of merging a memory branch into its parent: the heads before and after, what changed
/// in each collection, whole roots the child added, deleted or replaced, the conflicts and how each
/// was settled, the report's hash (BLAKE3 of its
/// canonical encoding, recorded in the merge log) and the merge-log record. A dry run has no
/// <see cref="ParentAfter"/> and no record.
/// </summary>
public sealed record MemoryMergeReport(
    BranchName Parent,
    BranchName Child,
    MergeStrategy Strategy,
    bool DryRun,
    ObjectId Base,
    ObjectId ParentBefore,
    ObjectId? ParentAfter,
    ObjectId ChildHead,
    IReadOnlyList<CollectionMergeSummary> Collections,
    IReadOnlyList<RootMergeChange> Roots,
    ObjectId ReportHash,
    ObjectId? LogRecord)
{
    /// <summary>True when a manual merge left keys without a resolution (nothing was written).</summary>
    public bool HasUnresolvedConflicts => Collections.Any(c => c.Unresolved.Any());
}
