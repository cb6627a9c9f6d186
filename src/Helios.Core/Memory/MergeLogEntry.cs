using Helios.Core.Errors;
using Helios.Core.Merging;
using Helios.Core.Objects;
using Helios.Core.Refs;

namespace Helios.Core.Memory;

/// <summary>
/// What a memory merge tells the merge log: who merged which collections from which branch into
/// which, the heads of both branches before and after, the strategy, every conflict with its
/// resolution, and the hash of the merge report. <see cref="MergeLog.Prepare(MergeLogHead, MergeLogEntry)"/>
/// adds the sequence number, the link to the previous record, the time and the signature.
/// Immutable and validated on construction: collections and conflicts are kept in canonical order
/// (UTF-8 bytes), duplicates are refused, and every conflict names one of the collections.
/// </summary>
public sealed class MergeLogEntry
{
    /// <param name="agent">Who merged (any text without control characters; may be empty).</param>
    /// <param name="collections">The collections the merge involved, in any order, without duplicates.</param>
    /// <param name="parentBranch">The branch merged into.</param>
    /// <param name="childBranch">The branch merged from.</param>
    /// <param name="parentBefore">The parent's head before the merge (null: the branch did not exist).</param>
    /// <param name="parentAfter">The parent's head after the merge.</param>
    /// <param name="childBefore">The child's head before the merge.</param>
    /// <param name="childAfter">The child's head after the merge (null: the merge removed the branch).</param>
    /// <param name="strategy">The strategy that settled conflicts.</param>
    /// <param name="conflicts">Every conflict and how it was settled, in any order, one per collection and key.</param>
    /// <param name="reportHash">BLAKE3 of the merge report's canonical encoding, computed by the caller.</param>
    public MergeLogEntry(
        string agent,
        IEnumerable<string> collections,
        BranchName parentBranch,
        BranchName childBranch,
        ObjectId? parentBefore,
        ObjectId? parentAfter,
        ObjectId? childBefore,
        ObjectId? childAfter,
        MergeStrategy strategy,
        IEnumerable<MergeLogConflict> conflicts,
        ObjectId reportHash)
    {
        MergeLogText.EnsureValid(agent, "agent", allowEmpty: true);
        if (parentBranch.Value is null || childBranch.Value is null)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, "A merge-log entry needs both the parent and the child branch.");
        }

        if (!Enum.IsDefined(strategy))
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"Merge strategy {(int)strategy} is not defined.");
        }

        var sortedCollections = collections.ToArray();
        foreach (var c in sortedCollections)
        {
            MergeLogText.EnsureValid(c, "collection name", allowEmpty: false);
        }

        Array.Sort(sortedCollections, Utf8NameComparer.Instance);
        for (int i = 1; i < sortedCollections.Length; i++)
        {
            if (sortedCollections[i] == sortedCollections[i - 1])
            {
                throw new HeliosException(HeliosErrorCode.InvalidArgument, $"Collection '{EntryName.Escape(sortedCollections[i])}' is listed twice in a merge-log entry.");
            }
        }

        var sortedConflicts = conflicts.ToArray();
        Array.Sort(sortedConflicts, MergeLogConflict.Compare);
        for (int i = 0; i < sortedConflicts.Length; i++)
        {
            var c = sortedConflicts[i];
            if (Array.BinarySearch(sortedCollections, c.Collection, Utf8NameComparer.Instance) < 0)
            {
                throw new HeliosException(HeliosErrorCode.InvalidArgument, $"The conflict on key '{EntryName.Escape(c.Key)}' names collection '{EntryName.Escape(c.Collection)}', which the entry does not list.");
            }

            if (i > 0 && MergeLogConflict.Compare(sortedConflicts[i - 1], c) == 0)
            {
                throw new HeliosException(HeliosErrorCode.InvalidArgument, $"Key '{EntryName.Escape(c.Key)}' of collection '{EntryName.Escape(c.Collection)}' has two conflict resolutions.");
            }
        }

        Agent = agent;
        Collections = sortedCollections;
        ParentBranch = parentBranch;
        ChildBranch = childBranch;
        ParentBefore = parentBefore;
        ParentAfter = parentAfter;
        ChildBefore = childBefore;
        ChildAfter = childAfter;
        Strategy = strategy;
        Conflicts = sortedConflicts;
        ReportHash = reportHash;
    }

    public string Agent { get; }

    /// <summary>The collections involved, sorted by UTF-8 bytes.</summary>
    public IReadOnlyList<string> Collections { get; }

    public BranchName ParentBranch { get; }

    public BranchName ChildBranch { get; }

    public ObjectId? ParentBefore { get; }

    public ObjectId? ParentAfter { get; }

    public ObjectId? ChildBefore { get; }

    public ObjectId? ChildAfter { get; }

    public MergeStrategy Strategy { get; }

    /// <summary>The conflicts, sorted by collection and then key (UTF-8 bytes).</summary>
    public IReadOnlyList<MergeLogConflict> Conflicts { get; }

    /// <summary>BLAKE3 of the merge report's canonical encoding, as the caller computed it.</summary>
    public ObjectId ReportHash { get; }
}
