using Helios.Core.Errors;
using Helios.Core.Merging;
using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Storage;
using Helios.Core.Storage.InMemory;

namespace Helios.Core.Repositories;

/// <summary>Hit and miss counts per tier: L0 decoded objects, L1 compressed cache, L2 backend.</summary>
public sealed record CacheStatistics(TierStatistics L0, TierStatistics L1, TierStatistics L2);

/// <summary>A branch and the commit it points at.</summary>
public sealed record BranchInfo(BranchName Name, ObjectId Head);

/// <summary>
/// A repository over any backend: workspaces, commits, branches, checkout, reset, history,
/// revisions, the operation log and undo. Every ref change is one compare-and-swap transaction
/// with its operation record, so concurrent writers never silently overwrite each other.
/// Thread-safe; workspaces are not (one per writer).
/// </summary>
public sealed class Repository : IDisposable
{
    /// <summary>The branch <see cref="Init"/> checks out.</summary>
    public static readonly BranchName DefaultBranch = BranchName.Parse("main");

    private readonly IRepositoryStorage _storage;
    private readonly RepositoryOptions _options;

    private Repository(IRepositoryStorage storage, RepositoryOptions options)
    {
        _storage = storage;
        _options = options;
        // L2 reads are counted and verified against their ids; L1 keeps them LZ4-compressed.
        // Writes bypass L1 (cacheWrites: false): compressing on the commit path costs more than
        // it saves, since workspaces keep what they wrote and trees go to L0.
        var l2 = new CountingObjectStore(storage.Objects);
        var l1 = new CachingObjectStore(new VerifyingObjectStore(l2), options.CompressedCacheBytes, cacheWrites: false);
        Objects = new ObjectDatabase(l1, options.DecodedCacheBytes, options.ChunkingThreshold);
        CacheStatistics = new CacheStatistics(Objects.DecodedCacheStatistics, l1.Statistics, l2.Statistics);
    }

    /// <summary>Hit and miss counts of the three tiers.</summary>
    public CacheStatistics CacheStatistics { get; }

    /// <summary>Typed, cached object access (L0 over L1 over the backend).</summary>
    public ObjectDatabase Objects { get; }

    /// <summary>The ref store and operation log.</summary>
    public IRefStore Refs => _storage.Refs;

    public RepositoryOptions Options => _options;

    /// <summary>The backend beneath every cache and decorator, for checks that must see stored bytes as they are (fsck).</summary>
    internal IRepositoryStorage Storage => _storage;

    /// <summary>Creates a repository in empty storage: HEAD follows the unborn branch <c>main</c>.</summary>
    public static Repository Init(IRepositoryStorage storage, RepositoryOptions? options = null)
    {
        var repo = new Repository(storage, options ?? new RepositoryOptions());
        if (storage.Refs.Read(RefName.Head) is not null)
        {
            throw new HeliosException(HeliosErrorCode.AlreadyExists, "A repository already exists here; open it instead of initialising it again.");
        }

        repo.Apply("init", $"initialise repository on branch {DefaultBranch}", "",
            new RefUpdate(RefName.Head, null, RefTarget.Follow(DefaultBranch.Ref)));
        return repo;
    }

    /// <summary>Opens a repository that <see cref="Init"/> created in this storage.</summary>
    public static Repository Open(IRepositoryStorage storage, RepositoryOptions? options = null)
    {
        options ??= new RepositoryOptions();
        if (storage.Refs.Read(RefName.Head) is null)
        {
            throw new HeliosException(HeliosErrorCode.RepositoryNotFound, "The storage holds no repository (no HEAD); run init first.");
        }

        if (options.Head != RefName.Head && storage.Refs.Read(options.Head) is null)
        {
            throw new HeliosException(HeliosErrorCode.RepositoryNotFound, $"The repository has no {options.Head}: the worktree was removed or never registered.");
        }

        return new Repository(storage, options);
    }

    /// <summary>The ref this handle treats as HEAD (<see cref="RepositoryOptions.Head"/>).</summary>
    public RefName Head => _options.Head;

    /// <summary>A repository in memory only, for tests and scratch work.</summary>
    public static Repository CreateInMemory(RepositoryOptions? options = null) => Init(new InMemoryRepositoryStorage(), options);


    /// <summary>The branch HEAD follows, or null when HEAD is detached at a commit.</summary>
    public BranchName? CurrentBranch => ReadRef(Head) is { Symbolic: { } name } ? BranchName.FromRef(name) : null;

    /// <summary>The commit HEAD resolves to, or null on an unborn branch.</summary>
    public ObjectId? HeadCommit => ResolveRef(Head);

    /// <summary>The commit a branch points at, or null when it does not exist.</summary>
    public ObjectId? TryGetBranch(BranchName name) => ResolveRef(name.Ref);

    /// <summary>All branches, sorted by name.</summary>
    public IReadOnlyList<BranchInfo> ListBranches() =>
        Refs.List(BranchName.RefPrefix)
            .Where(e => e.Target.Id is not null)
            .Select(e => new BranchInfo(BranchName.FromRef(e.Name)!.Value, e.Target.Id!.Value))
            .ToArray();

    /// <summary>Creates a branch at a commit: one ref write, O(1), no data copied.</summary>
    public OperationRecord CreateBranch(BranchName name, ObjectId at, string agent = "")
    {
        Objects.Read<Commit>(at);
        var result = Refs.Commit(new RefTransaction(
            [new RefUpdate(name.Ref, null, RefTarget.To(at))],
            Info("branch", $"create branch {name} at {at.ToShortString()}", agent)));
        return result switch
        {
            RefTransactionResult.Committed c => c.Record,
            _ => throw new HeliosException(HeliosErrorCode.AlreadyExists, $"Branch '{name}' already exists; pick another name or delete it first."),
        };
    }

    /// <summary>Deletes a branch (its commits stay until gc). Refuses the branch HEAD follows.</summary>
    public OperationRecord DeleteBranch(BranchName name, string agent = "")
    {
        if (CheckedOutBranches().Contains(name))
        {
            throw new HeliosException(HeliosErrorCode.InvalidState, $"Cannot delete branch '{name}': it is checked out in a worktree; check out another branch there first.");
        }

        var head = TryGetBranch(name) ?? throw new NotFoundException(name.Value, $"Branch '{name}' does not exist.");
        return Apply("branch", $"delete branch {name} (was {head.ToShortString()})", agent, new RefUpdate(name.Ref, RefTarget.To(head), null));
    }


    /// <summary>A workspace on a branch (which may be unborn: then it starts empty). O(1).</summary>
    public Workspace OpenWorkspace(BranchName branch) => WorkspaceAt(branch.Ref, TryGetBranch(branch));

    /// <summary>A workspace on whatever HEAD shows: its branch, or the detached commit.</summary>
    public Workspace OpenHead()
    {
        var head = ReadRef(Head) ?? throw new HeliosException(HeliosErrorCode.RepositoryNotFound, $"The repository has no {Head}.");
        return head.Symbolic is { } branchRef ? WorkspaceAt(branchRef, ResolveRef(branchRef)) : WorkspaceAt(Head, head.Id);
    }

    /// <summary>
    /// A workspace that commits to <paramref name="target"/> by compare-and-swap from
    /// <paramref name="commit"/> (null: the ref must not exist yet). Use it to commit changes computed
    /// against a commit read earlier: if the ref has moved since, the commit reports it instead of
    /// silently building on the newer commit. O(1).
    /// </summary>
    public Workspace OpenWorkspaceAt(RefName target, ObjectId? commit) => WorkspaceAt(target, commit);

    /// <summary>
    /// Moves this handle's HEAD from <paramref name="expected"/> to <paramref name="target"/> (a branch
    /// to follow or a commit to detach at), recorded in the operation log. Throws a conflict when
    /// HEAD no longer holds <paramref name="expected"/>.
    /// </summary>
    public OperationRecord MoveHead(RefTarget? expected, RefTarget target, string description, string agent = "") =>
        Apply("checkout", description, agent, new RefUpdate(Head, expected, target));

    /// <summary>Moves any ref by compare-and-swap from <paramref name="expected"/>, recorded in the operation log as a reset.</summary>
    public OperationRecord MoveRef(RefName name, RefTarget? expected, RefTarget target, string description, string agent = "") =>
        MoveRef("reset", name, expected, target, description, agent);

    internal OperationRecord MoveRef(string kind, RefName name, RefTarget? expected, RefTarget target, string description, string agent)
    {
        if (target.Id is { } id)
        {
            Objects.Read<Commit>(id);
        }

        return Apply(kind, description, agent, new RefUpdate(name, expected, target));
    }

    /// <summary>
    /// Merges <paramref name="child"/> into the workspace's branch (see <see cref="Merger"/>):
    /// up to date, a fast-forward (the ref moves, the workspace follows), a merge commit with both
    /// parents when every conflict was settled, or, with conflicts left (manual strategy), the
    /// merged content with conflict markers in the workspace and nothing committed: resolve the
    /// files and commit with <c>ExtraParents = [child]</c>. The report's summary describes the
    /// fast-forward's or merge commit's operation-log record. Refused when the workspace has
    /// uncommitted changes.
    /// </summary>
    public MergeReport Merge(Workspace workspace, ObjectId child, MergeOptions? options = null)
    {
        options ??= new MergeOptions();
        if (workspace.HasChanges)
        {
            throw new HeliosException(HeliosErrorCode.Conflict, "The workspace has uncommitted changes; commit or discard them before merging.");
        }

        var parent = workspace.BaseCommit;
        var parentTree = workspace.BaseTree;
        var report = Merger.Compute(this, workspace, child, options);
        string label = options.ChildLabel ?? child.ToShortString();
        switch (report.Outcome)
        {
            case MergeOutcome.FastForward:
                MoveRef("merge", workspace.Target, parent is { } p ? RefTarget.To(p) : null, RefTarget.To(child), report.Summary(label), options.Agent);
                workspace.Load(child, report.Tree!.Value);
                return report;
            case MergeOutcome.Merged:
                var result = Commit(workspace, options.Message ?? $"Merge {label}", new CommitOptions
                {
                    ExtraParents = [child],
                    Roots = report.Roots,
                    Agent = options.Agent,
                    Metadata = new Dictionary<string, string> { ["merge.strategy"] = options.Strategy.Name() },
                    Operation = ("merge", report.Summary(label)),
                });
                if (result is not CommitResult.Committed)
                {
                    workspace.Load(parent, parentTree); // The branch moved: leave the workspace as it was.
                }

                return report with { Commit = result.EnsureCommitted(), Tree = workspace.BaseTree };
            default:
                return report;
        }
    }

    /// <summary>
    /// Creates another HEAD (a worktree's) with <paramref name="target"/> (a branch to follow or a
    /// commit), and a new branch at a commit when <paramref name="newBranch"/> is given, in one
    /// transaction. Fails without changing anything when the HEAD or that branch already exists.
    /// </summary>
    public OperationRecord CreateHead(RefName head, RefTarget target, (BranchName Name, ObjectId At)? newBranch = null, string agent = "")
    {
        var updates = new List<RefUpdate> { new(head, null, target) };
        foreach (var id in new[] { target.Id, newBranch?.At }.OfType<ObjectId>())
        {
            Objects.Read<Commit>(id);
        }

        if (newBranch is { } b)
        {
            updates.Add(new RefUpdate(b.Name.Ref, null, RefTarget.To(b.At)));
        }

        var result = Refs.Commit(new RefTransaction(updates, Info("worktree", $"add {head} at {target}", agent)));
        return result switch
        {
            RefTransactionResult.Committed c => c.Record,
            RefTransactionResult.Conflict c => throw new HeliosException(HeliosErrorCode.AlreadyExists,
                c.Name == head ? $"{head} already exists." : $"Branch '{newBranch?.Name}' already exists; pick another name."),
            _ => throw new InvalidOperationException(),
        };
    }

    /// <summary>Deletes a HEAD other than the main one (a removed worktree's). Its branch stays.</summary>
    public OperationRecord DeleteHead(RefName head, string agent = "")
    {
        if (head == RefName.Head)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, "The main HEAD cannot be deleted.");
        }

        var current = ReadRef(head) ?? throw new NotFoundException(head.Value, $"{head} does not exist.");
        return Apply("worktree", $"remove {head}", agent, new RefUpdate(head, current, null));
    }

    /// <summary>The branches that some HEAD (the main one or a worktree's) follows.</summary>
    public IReadOnlySet<BranchName> CheckedOutBranches()
    {
        var heads = Refs.List("worktrees/").Select(e => (RefTarget?)e.Target).Append(ReadRef(RefName.Head));
        return heads.Select(t => t?.Symbolic is { } s ? BranchName.FromRef(s) : null).OfType<BranchName>().ToHashSet();
    }

    /// <summary>
    /// Points HEAD at a branch (or detaches it at a commit when <paramref name="revision"/> is not a
    /// branch name) and returns a workspace showing it. O(1): directories load on first use.
    /// </summary>
    public Workspace Checkout(string revision, string agent = "")
    {
        if (revision is "HEAD" or "@")
        {
            return OpenHead();
        }

        var newHead = BranchName.TryParse(revision) is { } branch
            && (TryGetBranch(branch) is not null || CurrentBranch == branch)
                ? RefTarget.Follow(branch.Ref)
                : RefTarget.To(ResolveRevision(revision));

        var oldHead = ReadRef(Head);
        if (oldHead != newHead)
        {
            Apply("checkout", $"checkout {revision}", agent, new RefUpdate(Head, oldHead, newHead));
        }

        return OpenHead();
    }

    /// <summary>
    /// Records the workspace as a commit on its ref: stores only new blobs and the trees on changed
    /// paths and moves the ref by compare-and-swap from the workspace's base, all in one storage
    /// transaction. Returns <see cref="CommitResult.RefMoved"/> (storing nothing) when another
    /// writer moved the ref first. Cost: O(changed paths) hashing plus one transaction.
    /// </summary>
    public CommitResult Commit(Workspace workspace, string message, CommitOptions? options = null) =>
        Commit(workspace, System.Text.Encoding.UTF8.GetBytes(message), options);

    /// <inheritdoc cref="Commit(Workspace, string, CommitOptions?)"/>
    public CommitResult Commit(Workspace workspace, ReadOnlyMemory<byte> message, CommitOptions? options = null)
    {
        options ??= new CommitOptions();
        var batch = new SaveBatch();
        var tree = workspace.Save(batch);
        var baseRoots = workspace.BaseCommit is { } baseCommit ? ReadCommit(baseCommit).Roots : [];
        var roots = options.Roots ?? baseRoots;
        if (tree == workspace.BaseTree && !options.AllowEmpty && options.ExtraParents.Count == 0 && roots.SequenceEqual(baseRoots))
        {
            return new CommitResult.NothingToCommit();
        }

        var now = Now();
        var author = options.Author ?? _options.DefaultIdentity with { When = now };
        var parents = workspace.BaseCommit is { } parent ? [parent, .. options.ExtraParents] : options.ExtraParents.ToArray();
        long generation = Helios.Core.Objects.Commit.GenerationAfter(parents.Select(ReadCommit));
        var commit = new Commit(tree, parents, generation, author, options.Committer ?? author, message, options.Metadata, roots);
        var (id, bytes) = ObjectCodec.EncodeWithId(commit);
        batch.Objects.Add(new EncodedObject(id, bytes));

        // Objects and the ref move commit in one storage transaction: one write instead of two,
        // and a commit that loses the race leaves no garbage behind.
        var expected = workspace.BaseCommit is { } b ? RefTarget.To(b) : (RefTarget?)null;
        var result = Refs.Commit(new RefTransaction(
            [new RefUpdate(workspace.Target, expected, RefTarget.To(id))],
            options.Operation is { } operation
                ? Info(operation.Kind, $"{operation.Description}; commit {id.ToShortString()}", options.Agent, now)
                : Info("commit", $"commit {id.ToShortString()} on {Describe(workspace.Target)}: {commit.Subject}", options.Agent, now))
        {
            Objects = batch.Objects,
        });
        switch (result)
        {
            case RefTransactionResult.Committed committed:
                batch.MarkStored();
                Objects.Remember(id, commit);
                workspace.BaseCommit = id;
                workspace.BaseTree = tree;
                return new CommitResult.Committed(id, committed.Record);
            case RefTransactionResult.Conflict conflict:
                return new CommitResult.RefMoved(workspace.Target, workspace.BaseCommit, conflict.Actual);
            default:
                throw new InvalidOperationException();
        }
    }

    /// <summary>
    /// Moves the workspace's ref to <paramref name="target"/> (compare-and-swap from its base).
    /// Hard: the workspace then shows the target; soft: it keeps its content as changes.
    /// </summary>
    public OperationRecord Reset(Workspace workspace, ObjectId target, ResetMode mode, string agent = "")
    {
        var commit = Objects.Read<Commit>(target);
        var expected = workspace.BaseCommit is { } b ? RefTarget.To(b) : (RefTarget?)null;
        var record = Apply("reset", $"reset {mode.ToString().ToLowerInvariant()} {Describe(workspace.Target)} to {target.ToShortString()}", agent,
            new RefUpdate(workspace.Target, expected, RefTarget.To(target)));
        if (mode == ResetMode.Hard)
        {
            workspace.Load(target, commit.Tree);
        }
        else
        {
            workspace.BaseCommit = target;
            workspace.BaseTree = commit.Tree;
        }

        return record;
    }


    /// <summary>Reads a commit.</summary>
    public Commit ReadCommit(ObjectId id) => Objects.Read<Commit>(id);

    /// <summary>
    /// Commits reachable from <paramref name="start"/>, newest first by committer time (ties by id),
    /// each once, as <c>git log</c> orders them. Lazy: reads only as many commits as are consumed.
    /// </summary>
    public IEnumerable<(ObjectId Id, Commit Commit)> Log(ObjectId start)
    {
        var seen = new HashSet<ObjectId> { start };
        var queue = new PriorityQueue<(ObjectId Id, Commit Commit), (long, ObjectId)>(
            Comparer<(long Time, ObjectId Id)>.Create((a, b) => a.Time != b.Time ? b.Time.CompareTo(a.Time) : b.Id.CompareTo(a.Id)));
        var first = ReadCommit(start);
        queue.Enqueue((start, first), (first.Committer.When.UtcTicks, start));
        while (queue.TryDequeue(out var item, out _))
        {
            yield return item;
            foreach (var parent in item.Commit.Parents)
            {
                if (seen.Add(parent))
                {
                    var c = ReadCommit(parent);
                    queue.Enqueue((parent, c), (c.Committer.When.UtcTicks, parent));
                }
            }
        }
    }

    /// <summary>
    /// Resolves a revision to a commit id: a full id or unique prefix of 4+ hex digits, a branch,
    /// <c>HEAD</c>, a full ref name, each optionally followed by <c>~N</c>, <c>^</c> or <c>^N</c>.
    /// </summary>
    public ObjectId ResolveRevision(string revision) => new RevisionResolver(this).Resolve(revision);

    internal RefTarget? ReadRef(RefName name) => Refs.Read(name);

    /// <summary>Follows symbolic refs (at most a few levels) to an id; null when unborn or absent.</summary>
    internal ObjectId? ResolveRef(RefName name)
    {
        for (int depth = 0; depth < 5; depth++)
        {
            switch (Refs.Read(name))
            {
                case null:
                    return null;
                case { Id: { } id }:
                    return id;
                case { Symbolic: { } next }:
                    name = next;
                    break;
            }
        }

        throw new HeliosException(HeliosErrorCode.Corruption, $"Ref {name} is part of a symbolic ref loop.");
    }


    /// <summary>The operation log, newest first.</summary>
    public IReadOnlyList<OperationRecord> Operations(int limit = int.MaxValue) => Refs.ReadOperations(null, limit);

    /// <summary>
    /// Restores every ref the last operation (with <paramref name="ownOnly"/>, the last one recorded
    /// by <paramref name="agent"/>, so agents sharing a store undo only their own work) changed to its value before it, as one new operation
    /// (so undoing an undo redoes). Fails with a conflict if those refs have moved since.
    /// </summary>
    public OperationRecord Undo(string agent = "", bool ownOnly = false)
    {
        var last = ownOnly ? LastOperationOf(agent) : Refs.ReadOperations(null, 1) is [var newest, ..] ? newest : null;
        if (last is null || last.Info.Kind == "init")
        {
            throw new HeliosException(HeliosErrorCode.NothingToDo, "Nothing to undo: no operation since the repository was initialised.");
        }

        // The memory merge log is an audit trail: undoing a merge moves the branches back, and the
        // operation log records that, but the merge's signed record stays in the chain.
        var updates = last.Changes.Where(c => !c.Name.Value.StartsWith(Memory.MergeLog.RefPrefix, StringComparison.Ordinal))
            .Select(c => new RefUpdate(c.Name, c.New, c.Old)).ToArray();
        return Apply("undo", $"undo operation {last.Sequence}: {last.Info.Description}", agent, updates);
    }

    private OperationRecord? LastOperationOf(string agent)
    {
        const int Page = 256;
        for (long? before = null; ;)
        {
            var page = Refs.ReadOperations(before, Page);
            foreach (var record in page)
            {
                if (record.Info.Agent == agent || record.Info.Kind == "init")
                {
                    return record;
                }
            }

            if (page.Count < Page)
            {
                return null;
            }

            before = page[^1].Sequence;
        }
    }

    public void Dispose() => _storage.Dispose();

    private Workspace WorkspaceAt(RefName target, ObjectId? commit)
    {
        var tree = commit is { } c ? ReadCommit(c).Tree : DirectoryNode.EmptyTreeId;
        var workspace = new Workspace(Objects, target, commit, DirectoryNode.CreateEmpty());
        workspace.Load(commit, tree);
        return workspace;
    }

    internal OperationRecord Apply(string kind, string description, string agent, params RefUpdate[] updates) =>
        Refs.Commit(new RefTransaction(updates, Info(kind, description, agent))) switch
        {
            RefTransactionResult.Committed c => c.Record,
            RefTransactionResult.Conflict c => throw new HeliosException(HeliosErrorCode.Conflict,
                $"{c.Name} moved to {c.Actual?.ToString() ?? "nothing"} (expected {c.Expected?.ToString() ?? "nothing"}) while running '{kind}'; retry against the new value."),
            _ => throw new InvalidOperationException(),
        };

    internal OperationInfo Info(string kind, string description, string agent, DateTimeOffset? time = null) =>
        new(kind, description, time ?? Now(), agent);

    // Objects and records keep microseconds; truncating here keeps cached objects equal to decoded ones.
    internal DateTimeOffset Now()
    {
        var now = _options.Clock.GetLocalNow();
        return now.AddTicks(-(now.Ticks % 10));
    }

    private static string Describe(RefName target) => BranchName.FromRef(target) is { } b ? $"branch {b}" : target.Value;
}
