using Helios.Core.Objects;
using Helios.Core.Refs;

namespace Helios.Core.Memory;

/// <summary>Where a memory branch is in its life.</summary>
public enum MemoryBranchStatus
{
    /// <summary>Derived and in use: its writes stay on it until it is merged or discarded.</summary>
    Active,

    /// <summary>Merged into its parent at least once; it may go on and be merged again.</summary>
    Merged,

    /// <summary>Deleted without merging (its record stays for the audit trail).</summary>
    Discarded,
}

/// <summary>
/// A memory branch's lineage: the branch it was derived from, the commit it started at, the agent
/// that owns it, when it was created and last written, and its status. <paramref name="Head"/> is
/// null once discarded.
/// </summary>
public sealed record MemoryBranchInfo(
    BranchName Branch,
    BranchName Parent,
    ObjectId DerivedFrom,
    string Agent,
    DateTimeOffset Created,
    DateTimeOffset LastActive,
    MemoryBranchStatus Status,
    ObjectId? Head,
    ObjectId Record);
