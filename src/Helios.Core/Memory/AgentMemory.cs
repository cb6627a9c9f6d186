using System.Globalization;
using Helios.Core.Collections;
using Helios.Core.Collections.Search;
using Helios.Core.Errors;
using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Repositories;
using Helios.Core.Storage;

namespace Helios.Core.Memory;

/// <summary>
/// Agent memory branches (seed 003): an agent derives a child branch from a parent in O(1), reads
/// fall through to the parent's state at derive time, its writes stay on the child, and the child is
/// merged back with a strategy or discarded in O(1). Collections live in commits beside files
/// (<see cref="Commit.Roots"/>), so the child is an ordinary branch: checkout, reset and undo move
/// its collections with its files.
/// <para>
/// Each memory branch has a lineage record: a chain of record commits under the ref
/// <c>memory/branches/CHILD</c> whose metadata holds the parent branch, the derived-from commit,
/// the agent, the creation time and the status. Every change of a branch and its record is one ref
/// transaction, one operation-log entry. Thread-safe: state lives in the repository's refs.
/// </para>
/// </summary>
public sealed partial class AgentMemory(Repository repository)
{
    /// <summary>The ref namespace of lineage records.</summary>
    public const string LineagePrefix = "memory/branches/";

    private const string Key = "memory.";

    /// <summary>How often a ref race is retried before it is reported (each retry re-reads the refs, so a retry only repeats when another writer made progress).</summary>
    internal const int MaxAttempts = 1000;

    private readonly CollectionTree _tree = new(repository.Objects);
    private readonly VectorBlockCache _blocks = new();

    /// <summary>The repository the branches live in.</summary>
    public Repository Repository => repository;

    /// <summary>The collection engine (reads, diffs and merges of collection versions).</summary>
    public CollectionTree Collections => _tree;

    /// <summary>A handle on the collections of <paramref name="branch"/> (any branch, memory branch or not).</summary>
    public MemoryBranch Open(BranchName branch) => new(repository, _tree, _blocks, branch);

    /// <summary>Dense vector blocks of collection leaves, shared by every handle this instance opens (leaves are shared between versions, so are their blocks).</summary>
    public VectorBlockCache VectorBlocks => _blocks;

    /// <summary>
    /// Creates <paramref name="child"/> at <paramref name="parent"/>'s head, with its lineage record,
    /// in one transaction. O(1): no collection data is copied.
    /// </summary>
    public MemoryBranchInfo Derive(BranchName parent, BranchName child, string agent)
    {
        var at = repository.TryGetBranch(parent)
            ?? throw new NotFoundException(parent.Value, $"Branch '{parent}' does not exist; create it (or commit on it) before deriving from it.");
        if (parent == child)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"A branch cannot be derived from itself ('{child}').");
        }

        // A name whose branch is gone (discarded, or deleted after a merge) may be derived again:
        // the new lineage record follows the old one, so the history of the name is kept.
        var earlier = repository.ReadRef(LineageRef(child));
        var now = repository.Now();
        var info = new MemoryBranchInfo(child, parent, at, agent, now, now, MemoryBranchStatus.Active, at, default);
        var objects = new List<EncodedObject>();
        var record = Record(info, previous: earlier?.Id, objects);
        var result = repository.Refs.Commit(new RefTransaction(
            [new RefUpdate(child.Ref, null, RefTarget.To(at)), new RefUpdate(LineageRef(child), earlier, RefTarget.To(record))],
            repository.Info("memory", $"derive {child} from {parent} at {at.ToShortString()}" + (agent.Length > 0 ? $" for {agent}" : ""), agent, now))
        {
            Objects = objects,
        });
        return result switch
        {
            RefTransactionResult.Committed => info with { Record = record },
            RefTransactionResult.Conflict c when c.Name == child.Ref => throw new HeliosException(HeliosErrorCode.AlreadyExists, $"Branch '{child}' already exists; pick another name for the memory branch."),
            RefTransactionResult.Conflict => throw new HeliosException(HeliosErrorCode.Conflict, $"Another agent derived '{child}' at the same moment; pick another name."),
            _ => throw new InvalidOperationException(),
        };
    }

    /// <summary>
    /// Deletes <paramref name="child"/> and marks its record discarded, in one transaction: O(1),
    /// nothing is copied or rewritten, and <c>undo</c> brings it back (until gc). Refused (invalid
    /// state) while a worktree has the branch checked out, as for any branch deletion: that HEAD would
    /// be left on a branch that no longer exists.
    /// </summary>
    public MemoryBranchInfo Discard(BranchName child, string agent = "")
    {
        for (int attempt = 0; ; attempt++)
        {
            var info = Find(child) ?? throw NotMemoryBranch(child, $"are discarded this way; 'helios branch -d {child}' deletes ordinary branches");
            if (info.Status == MemoryBranchStatus.Discarded)
            {
                throw new HeliosException(HeliosErrorCode.InvalidState, $"Memory branch '{child}' is already discarded.");
            }

            if (repository.CheckedOutBranches().Contains(child))
            {
                throw new HeliosException(HeliosErrorCode.InvalidState, $"Cannot discard memory branch '{child}': it is checked out in a worktree; check out another branch there first.");
            }

            var now = repository.Now();
            var discarded = info with { Status = MemoryBranchStatus.Discarded, Head = null, LastActive = now };
            var objects = new List<EncodedObject>();
            var record = Record(discarded, info.Record, objects);
            var result = repository.Refs.Commit(new RefTransaction(
                [
                    new RefUpdate(child.Ref, info.Head is { } h ? RefTarget.To(h) : null, null),
                    new RefUpdate(LineageRef(child), RefTarget.To(info.Record), RefTarget.To(record)),
                ],
                repository.Info("memory", $"discard {child}" + (info.Head is { } head ? $" at {head.ToShortString()}" : ""), agent, now))
            {
                Objects = objects,
            });
            if (result is RefTransactionResult.Committed)
            {
                return discarded with { Record = record };
            }

            if (attempt == MaxAttempts)
            {
                throw new HeliosException(HeliosErrorCode.Conflict, $"Memory branch '{child}' kept changing while it was being discarded; retry.");
            }
        }
    }

    /// <summary>The lineage of <paramref name="child"/>, or null when it is not a memory branch.</summary>
    public MemoryBranchInfo? Find(BranchName child) =>
        repository.ReadRef(LineageRef(child)) is { Id: { } record } ? Read(child, record) : null;

    /// <summary>Memory branches by name; discarded ones only when <paramref name="includeDiscarded"/>.</summary>
    public IReadOnlyList<MemoryBranchInfo> List(bool includeDiscarded = false) =>
        repository.Refs.List(LineagePrefix)
            .Where(e => e.Target.Id is not null)
            .Select(e => Read(BranchName.Parse(e.Name.Value[LineagePrefix.Length..]), e.Target.Id!.Value))
            .Where(i => includeDiscarded || i.Status != MemoryBranchStatus.Discarded)
            .ToArray();

    /// <summary>Branches not discarded whose last write (or creation) is older than <paramref name="inactiveFor"/>.</summary>
    public IReadOnlyList<MemoryBranchInfo> Orphans(TimeSpan inactiveFor)
    {
        var cutoff = repository.Now() - inactiveFor;
        return List().Where(i => i.LastActive < cutoff).ToArray();
    }

    /// <summary>
    /// Discards every orphan (see <see cref="Orphans"/>) except those checked out in a worktree (someone
    /// is looking at them, and deleting them would strand that HEAD); returns what was discarded.
    /// </summary>
    public IReadOnlyList<MemoryBranchInfo> DiscardOrphans(TimeSpan inactiveFor, string agent = "")
    {
        var checkedOut = repository.CheckedOutBranches();
        var discarded = new List<MemoryBranchInfo>();
        foreach (var orphan in Orphans(inactiveFor).Where(o => !checkedOut.Contains(o.Branch)))
        {
            try
            {
                discarded.Add(Discard(orphan.Branch, agent));
            }
            catch (HeliosException e) when (e.Code == HeliosErrorCode.InvalidState)
            {
                // Discarded or checked out by someone else meanwhile: not an orphan to sweep any more.
            }
        }

        return discarded;
    }

    private static RefName LineageRef(BranchName child) => RefName.Parse(LineagePrefix + child.Value);

    /// <summary>
    /// Not-found for a name with no lineage record. An ordinary branch by that name gets its own sentence
    /// (<paramref name="ordinaryAlternative"/> says what handles those), because "derive one" would be
    /// wrong advice: the name is taken.
    /// </summary>
    private NotFoundException NotMemoryBranch(BranchName child, string ordinaryAlternative) =>
        repository.TryGetBranch(child) is null
            ? new NotFoundException(child.Value, $"No memory branch named '{child}' ('helios memory list --all' lists them).")
            : new NotFoundException(child.Value, $"'{child}' is a branch but not a memory branch (only branches made with 'helios memory derive' {ordinaryAlternative}).");

    /// <summary>Encodes the lineage record commit for <paramref name="info"/> into <paramref name="objects"/> and returns its id.</summary>
    private ObjectId Record(MemoryBranchInfo info, ObjectId? previous, List<EncodedObject> objects, IReadOnlyDictionary<string, string>? extra = null)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [Key + "parent"] = info.Parent.Value,
            [Key + "derived-from"] = info.DerivedFrom.ToString(),
            [Key + "agent"] = info.Agent,
            [Key + "created"] = ObjectCodec.ToUnixMicroseconds(info.Created).ToString(CultureInfo.InvariantCulture),
            [Key + "status"] = info.Status.ToString().ToLowerInvariant(),
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string>())
        {
            metadata[k] = v;
        }

        // The derived-from commit is a parent when the chain does not reach it already (the first
        // record, or a name derived again), so it stays reachable while the record does.
        ObjectId[] parents = previous is not { } p ? [info.DerivedFrom]
            : repository.ReadCommit(p).Metadata.GetValueOrDefault(Key + "derived-from") == info.DerivedFrom.ToString() ? [p]
            : [p, info.DerivedFrom];
        var signature = repository.Options.DefaultIdentity with { When = info.LastActive };
        var commit = new Commit(repository.ReadCommit(info.DerivedFrom).Tree, parents, Commit.GenerationAfter(parents.Select(repository.ReadCommit)),
            signature, signature, System.Text.Encoding.UTF8.GetBytes($"memory branch {info.Branch}: {metadata[Key + "status"]}\n"), metadata);
        var (id, bytes) = ObjectCodec.EncodeWithId(commit);
        objects.Add(new EncodedObject(id, bytes));
        return id;
    }

    private MemoryBranchInfo Read(BranchName child, ObjectId recordId)
    {
        var record = repository.ReadCommit(recordId);
        var m = record.Metadata;
        try
        {
            var status = Enum.Parse<MemoryBranchStatus>(m[Key + "status"], ignoreCase: true);
            var head = status == MemoryBranchStatus.Discarded ? null : repository.TryGetBranch(child);
            var lastActive = record.Committer.When;
            if (head is { } h && repository.ReadCommit(h).Committer.When is var written && written > lastActive)
            {
                lastActive = written;
            }

            return new MemoryBranchInfo(
                child,
                BranchName.Parse(m[Key + "parent"]),
                ObjectId.Parse(m[Key + "derived-from"]),
                m[Key + "agent"],
                DateTimeOffset.UnixEpoch.AddTicks(long.Parse(m[Key + "created"], CultureInfo.InvariantCulture) * 10),
                lastActive,
                status,
                head,
                recordId);
        }
        catch (Exception e) when (e is KeyNotFoundException or FormatException or ArgumentException or OverflowException)
        {
            throw new CorruptObjectException(recordId, $"it is not a valid memory lineage record for '{child}' ({e.Message}).");
        }
    }
}
