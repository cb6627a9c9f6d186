using Helios.Core.Objects;
using Helios.Core.Storage;

namespace Helios.Core.Repositories;

/// <summary>What to record with a commit beyond the workspace's content.</summary>
public sealed record CommitOptions
{
    /// <summary>Key/value metadata (scores, agent ids, prompts); sorted and stored in the commit.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>Author; the repository's default identity when null.</summary>
    public Signature? Author { get; init; }

    /// <summary>Committer; the author when null.</summary>
    public Signature? Committer { get; init; }

    /// <summary>Commit even when the tree equals the parent's.</summary>
    public bool AllowEmpty { get; init; }

    /// <summary>
    /// The collections and state arrays to record; null keeps the base commit's. A commit whose
    /// roots differ from its base's is not empty even when its files are unchanged.
    /// </summary>
    public IReadOnlyList<StateRoot>? Roots { get; init; }

    /// <summary>Parents after the first (the base commit), for merges.</summary>
    public IReadOnlyList<ObjectId> ExtraParents { get; init; } = [];

    /// <summary>Who did it, for the operation log.</summary>
    public string Agent { get; init; } = "";

    /// <summary>The operation-log kind and description, when not a plain commit's (a merge records its report).</summary>
    internal (string Kind, string Description)? Operation { get; init; }
}

/// <summary>The outcome of a commit: committed, nothing to commit, or the branch moved under us.</summary>
public abstract record CommitResult
{
    private CommitResult() { }

    public sealed record Committed(ObjectId Id, OperationRecord Operation) : CommitResult;

    /// <summary>The tree equals the base commit's and empty commits were not allowed.</summary>
    public sealed record NothingToCommit : CommitResult;

    /// <summary>Another writer moved <paramref name="Ref"/> from <paramref name="Expected"/> to <paramref name="Actual"/>; nothing was committed.</summary>
    public sealed record RefMoved(Refs.RefName Ref, ObjectId? Expected, Refs.RefTarget? Actual) : CommitResult;

    /// <summary>The new commit's id; throws a <see cref="Errors.HeliosException"/> for the other outcomes.</summary>
    public ObjectId EnsureCommitted() => this switch
    {
        Committed c => c.Id,
        NothingToCommit => throw new Errors.HeliosException(Errors.HeliosErrorCode.NothingToDo, "Nothing to commit: the workspace matches its base commit."),
        RefMoved m => throw new Errors.HeliosException(Errors.HeliosErrorCode.Conflict,
            $"{m.Ref} moved to {m.Actual?.ToString() ?? "nothing"} while this commit was based on {m.Expected?.ToString() ?? "nothing"}; reload the workspace and commit again."),
        _ => throw new InvalidOperationException(),
    };
}

/// <summary>How <see cref="Repository.Reset"/> treats the workspace's content.</summary>
public enum ResetMode
{
    /// <summary>Move the ref only; the workspace keeps its content, which now shows as changes.</summary>
    Soft,

    /// <summary>Move the ref and make the workspace show the target commit, discarding changes.</summary>
    Hard,
}

/// <summary>Settings of an open repository.</summary>
public sealed record RepositoryOptions
{
    /// <summary>Identity for commits that give none.</summary>
    public Signature DefaultIdentity { get; init; } = new("Helios Agent", "agent@helios.local", DateTimeOffset.UnixEpoch);

    /// <summary>The clock for commit and operation times.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>
    /// The ref this handle treats as HEAD. Each worktree has its own (<c>worktrees/NAME/HEAD</c>), so
    /// agents in different worktrees check out different branches of one store.
    /// </summary>
    public Refs.RefName Head { get; init; } = Refs.RefName.Head;

    /// <summary>
    /// Consulted by revision parsing when a name matches no ref and no Helios id: returns the commit an
    /// alias names (the CLI resolves imported git ids through it), or null. Null: no aliases.
    /// </summary>
    public Func<string, Objects.ObjectId?>? ResolveAlias { get; init; }

    /// <summary>L0: bytes of decoded objects kept in memory.</summary>
    public long DecodedCacheBytes { get; init; } = 64L << 20;

    /// <summary>
    /// Files longer than this many bytes are stored as chunked blobs (content-defined chunks of about
    /// 16 KiB, so versions share everything away from their edits); shorter ones as one blob. Default
    /// 64 KiB. Changing it changes the ids new commits give files between the old and new value (see
    /// docs/object-format.md, "File identity"); status still sees such files as unchanged.
    /// </summary>
    public long ChunkingThreshold { get; init; } = ObjectDatabase.DefaultChunkingThreshold;

    /// <summary>L1: bytes of LZ4-compressed objects kept in memory.</summary>
    public long CompressedCacheBytes { get; init; } = CachingObjectStore.DefaultCapacityBytes;

    /// <summary>
    /// The key that signs memory merge-log records (<see cref="Memory.MergeLog"/>), chosen by the
    /// composition root: on-disk repositories load <c>.helios/keys/merge-log.pem</c>, creating it on
    /// first need. Lazy, so a handle that never merges memory never reads the key. Null: this handle
    /// cannot append to the merge log (reading and verifying it need no private key). The repository
    /// does not dispose the signer.
    /// </summary>
    public Lazy<Memory.IMergeLogSigner>? MergeLogSigner { get; init; }
}
