using Helios.Core.Errors;
using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Repositories;
using Helios.Core.Storage;

namespace Helios.Core.Integrity;

/// <summary>
/// The integrity check behind <c>helios fsck</c>. It verifies, each failure becoming one
/// <see cref="FsckProblem"/>:
/// <list type="bullet">
/// <item>every stored object: its bytes hash to its id and decode strictly (read from the backend
/// itself, beneath every cache and the verifying decorator, so nothing is hidden);</item>
/// <item>every ref (HEAD, branches, <c>worktrees/NAME/HEAD</c> and any other): an id names a stored
/// commit (under <c>refs/tags/</c> also an annotated tag; <c>refs/memory/log</c> a merge-log record,
/// whose chain of previous records is walked; <c>refs/memory/key</c> a blob); a symbolic ref follows a ref that exists, or an unborn branch when the ref is a HEAD;</item>
/// <item>connectivity: every commit, tree and blob reachable from a ref or from a value recorded in the
/// operation log (so undo keeps working) is stored and of the type its referrer expects; a chunked
/// blob's chunks are blobs of the listed lengths, and a chunk that is not names every chunked blob
/// and file (tree entry) that depends on it (<see cref="FsckProblemKind.DamagedFile"/>);</item>
/// <item>the operation log: every record decodes, sequence numbers run 1..N without gaps and every
/// record carries the hash of the one before.</item>
/// </list>
/// <para>
/// Cost: one pass over the stored objects (each read, hashed and decoded once) plus one reachability
/// walk that visits each reachable object once, iteratively (depth costs heap, never call stack),
/// re-reading commits and trees but not blobs; the operation log is read once. Memory is O(stored
/// objects): the ids, a type per object and the visited set.
/// </para>
/// <para>
/// Safe to run while other threads and processes write: refs and the log are read before the objects
/// are listed, and a transaction stores its objects no later than it moves refs, so new writes never
/// show as missing objects. Garbage collection must not run at the same time (deleted objects would be
/// reported missing). Limits of a hash chain: a rewritten or deleted <em>newest</em> record has no
/// successor to give it away. A ref whose stored value does not parse makes listing refs fail, which
/// is thrown (as <see cref="HeliosErrorCode.Corruption"/>) rather than reported.
/// </para>
/// </summary>
public static class Fsck
{
    private const int ProgressInterval = 1024;
    private const int OperationPage = 4096;

    // Repository.ResolveRef reads at most this many refs to reach an id; a longer chain cannot be used.
    private const int MaxRefsPerResolution = 5;

    /// <summary>Checks <paramref name="repository"/> and reports what was checked and every problem found.</summary>
    /// <param name="repository">The repository to check; only its backend is read.</param>
    /// <param name="progress">Receives objects done so far per <see cref="FsckPhase"/>, every 1024 objects and at the end of each phase.</param>
    /// <param name="cancellationToken">Stops the check with <see cref="OperationCanceledException"/>.</param>
    /// <exception cref="StorageException">The backend failed.</exception>
    public static FsckReport Check(Repository repository, IProgress<FsckProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        return new Checker(repository.Storage, progress, cancellationToken).Run();
    }

    /// <summary>How the walk reached an object, to name the referrer in a problem.</summary>
    private enum Via : byte
    {
        Ref,
        OperationBefore,
        OperationAfter,
        CommitTree,
        CommitParent,
        TreeEntry,
        TagTarget,
        LogPrevious,
        CommitRoot,
        CollectionRoot,
        CollectionChild,
        CollectionValue,
        StateArrayPage,
        Chunk,
    }

    /// <summary>An object still to visit: what it must be and where it was found.</summary>
    private readonly record struct Pending(ObjectId Id, ObjectType Expected, Via Via, ObjectId From = default, string? Entry = null, RefName? Ref = null, long Operation = 0);

    private sealed class Checker(IRepositoryStorage storage, IProgress<FsckProgress>? progress, CancellationToken cancel)
    {
        private readonly IObjectStore _objects = storage.Objects;
        private readonly IRefStore _refs = storage.Refs;
        private readonly Dictionary<ObjectId, ObjectType> _types = [];
        private readonly HashSet<ObjectId> _corrupt = [];
        private readonly HashSet<ObjectId> _visited = [];
        private readonly HashSet<ObjectId> _reportedRefTargets = [];
        private readonly List<FsckProblem> _problems = [];
        private readonly List<FsckProblem> _operationProblems = [];
        private readonly Dictionary<ObjectId, Commit> _reachedCommits = [];

        // For chunked files: each blob's length, the chunked blobs using each chunk, and the tree
        // entries naming each chunked blob, so a bad chunk names every file that depends on it.
        private readonly Dictionary<ObjectId, int> _blobLengths = [];
        private readonly Dictionary<ObjectId, List<ObjectId>> _chunkUsers = [];
        private readonly Dictionary<ObjectId, List<(ObjectId Tree, string Name)>> _fileEntries = [];
        private readonly HashSet<(ObjectId ChunkedBlob, ObjectId Chunk)> _badLengths = [];
        private long _checked, _commits, _trees, _blobs, _reachable;

        public FsckReport Run()
        {
            // Refs and the log first: whatever they name was stored before the listing below starts.
            var refs = _refs.List("");
            var corruptOperations = new List<long>();
            var operations = ReadOperationLog(corruptOperations);
            var start = _refs.ReadOperationLogStart();

            CheckObjects();
            var roots = new List<Pending>();
            CheckRefs(refs, roots);
            foreach (var record in operations)
            {
                foreach (var change in record.Changes)
                {
                    if (change.Old?.Id is { } before)
                    {
                        roots.Add(new Pending(before, ExpectedAt(change.Name, before), Via.OperationBefore, Ref: change.Name, Operation: record.Sequence));
                    }

                    if (change.New?.Id is { } after)
                    {
                        roots.Add(new Pending(after, ExpectedAt(change.Name, after), Via.OperationAfter, Ref: change.Name, Operation: record.Sequence));
                    }
                }
            }

            Walk(roots);
            CheckChunkedFiles();
            CheckGenerations();
            CheckOperationChain(operations, corruptOperations, start);
            _problems.AddRange(_operationProblems.OrderBy(p => p.Operation));
            return new FsckReport
            {
                ObjectsChecked = _checked,
                Commits = _commits,
                Trees = _trees,
                Blobs = _blobs,
                ReachableObjects = _reachable,
                Refs = refs.Count,
                Operations = operations.Count + corruptOperations.Count,
                Problems = _problems,
            };
        }

        private void CheckObjects()
        {
            var ids = _objects.Enumerate().ToList();
            progress?.Report(new FsckProgress(FsckPhase.Objects, 0, ids.Count));
            foreach (var id in ids)
            {
                cancel.ThrowIfCancellationRequested();
                // Null: deleted since it was listed (gc), or unreadable (reported); nothing left to check.
                if (TryRead(id) is { } bytes)
                {
                    Record(id, Verify(id, bytes));
                    if (_checked % ProgressInterval == 0)
                    {
                        progress?.Report(new FsckProgress(FsckPhase.Objects, _checked, ids.Count));
                    }
                }
            }

            progress?.Report(new FsckProgress(FsckPhase.Objects, _checked, ids.Count));
        }

        /// <summary>The object's bytes from the store; null when absent, or after reporting why the store cannot produce them.</summary>
        private byte[]? TryRead(ObjectId id)
        {
            try
            {
                return _objects.TryGet(id);
            }
            catch (CorruptObjectException e)
            {
                _corrupt.Add(id);
                _problems.Add(new FsckProblem(FsckProblemKind.UnreadableObject, id, null, null, e.Message));
                return null;
            }
        }

        /// <summary>The decoded object, or null after reporting why its bytes are corrupt.</summary>
        private HeliosObject? Verify(ObjectId id, byte[] bytes)
        {
            var actual = ObjectId.Of(bytes);
            if (actual != id)
            {
                _corrupt.Add(id);
                _problems.Add(new FsckProblem(FsckProblemKind.HashMismatch, id, null, null,
                    $"Object {id} is corrupt: its stored bytes hash to {actual}."));
                return null;
            }

            try
            {
                return ObjectCodec.Decode(id, bytes);
            }
            catch (CorruptObjectException e)
            {
                _corrupt.Add(id);
                _problems.Add(new FsckProblem(FsckProblemKind.UndecodableObject, id, null, null, e.Message));
                return null;
            }
        }

        private void Record(ObjectId id, HeliosObject? obj)
        {
            _checked++;
            switch (obj?.Type)
            {
                case ObjectType.Commit: _commits++; break;
                case ObjectType.Tree: _trees++; break;
                case ObjectType.Blob: _blobs++; break;
                case null: return;
            }

            if (obj is Blob blob)
            {
                _blobLengths[id] = blob.Content.Length;
            }

            _types[id] = obj.Type;
        }

        /// <summary>
        /// The type of a stored, sound object; false when it is not stored. An object the listing
        /// missed (stored after it started) is checked here, once.
        /// </summary>
        private bool TryGetType(ObjectId id, out ObjectType type)
        {
            if (_types.TryGetValue(id, out type))
            {
                return true;
            }

            if (_corrupt.Contains(id) || TryRead(id) is not { } bytes)
            {
                return false;
            }

            var obj = Verify(id, bytes);
            Record(id, obj);
            if (obj is null)
            {
                return false;
            }

            type = obj.Type;
            return true;
        }

        private void CheckRefs(IReadOnlyList<RefEntry> refs, List<Pending> roots)
        {
            var byName = new Dictionary<RefName, RefTarget>(refs.Count);
            foreach (var entry in refs)
            {
                byName[entry.Name] = entry.Target;
            }

            foreach (var (name, target) in refs)
            {
                if (target.Id is { } id)
                {
                    CheckRefTarget(name, id, roots);
                }
                else
                {
                    CheckSymbolicRef(name, target.Symbolic!.Value, byName);
                }
            }
        }

        private void CheckRefTarget(RefName name, ObjectId id, List<Pending> roots)
        {
            if (_corrupt.Contains(id))
            {
                return; // Reported with the object; its type and links are unknown.
            }

            if (!TryGetType(id, out var type))
            {
                // Visited: a missing object is reported once, wherever else it is named.
                _visited.Add(id);
                _problems.Add(new FsckProblem(FsckProblemKind.DanglingRef, id, name, null,
                    $"Ref {name} points at {id}, which is not stored."));
            }
            else if (RequiredType(name) is { } required ? type != required : type != ObjectType.Commit && !(type == ObjectType.Tag && IsTagRef(name)))
            {
                // The operation log recorded this value too; it is not reported again as a root.
                _reportedRefTargets.Add(id);
                _problems.Add(new FsckProblem(FsckProblemKind.RefNotACommit, id, name, null,
                    $"Ref {name} points at {id}, which is a {Noun(type)}, not a {(RequiredType(name) is { } r ? Noun(r) : "commit")}{(IsTagRef(name) ? " or an annotated tag" : "")}."));
            }
            else
            {
                roots.Add(new Pending(id, type, Via.Ref, Ref: name));
            }
        }

        /// <summary>Refs under <c>refs/tags/</c> may name an annotated tag; every other ref names a commit.</summary>
        private static bool IsTagRef(RefName name) => name.Value.StartsWith("refs/tags/", StringComparison.Ordinal);

        /// <summary>The memory merge log's refs name a record and the key blob; null for every ref that names a commit.</summary>
        private static ObjectType? RequiredType(RefName name) =>
            name == Memory.MergeLog.HeadRef ? ObjectType.MergeLogRecord
            : name == Memory.MergeLog.KeyRef ? ObjectType.Blob
            : null;

        /// <summary>What a value the operation log recorded for <paramref name="name"/> must be: a tag ref's value may be a tag.</summary>
        private ObjectType ExpectedAt(RefName name, ObjectId id) =>
            RequiredType(name) ?? (IsTagRef(name) && _types.TryGetValue(id, out var type) && type == ObjectType.Tag ? ObjectType.Tag : ObjectType.Commit);

        private void CheckSymbolicRef(RefName name, RefName target, Dictionary<RefName, RefTarget> byName)
        {
            if (!byName.TryGetValue(target, out var next))
            {
                // A HEAD may follow a branch with no commit yet (after init, or after undoing its first commit).
                if (!(IsHead(name) && BranchName.FromRef(target) is not null))
                {
                    _problems.Add(new FsckProblem(FsckProblemKind.DanglingRef, null, name, null,
                        $"Ref {name} follows {target}, which does not exist."));
                }

                return;
            }

            // The target exists and is checked on its own; here only whether the chain ends in an id
            // within the refs Repository.ResolveRef is willing to read.
            for (int read = 2; next.Symbolic is { } further; read++)
            {
                if (read == MaxRefsPerResolution)
                {
                    _problems.Add(new FsckProblem(FsckProblemKind.DanglingRef, null, name, null,
                        $"Ref {name} is part of a symbolic ref loop (or a chain of more than {MaxRefsPerResolution} refs) and resolves to nothing."));
                    return;
                }

                if (!byName.TryGetValue(further, out next))
                {
                    return; // The ref that follows the missing one reports it.
                }
            }
        }

        /// <summary><c>HEAD</c> or a per-worktree <c>worktrees/NAME/HEAD</c>.</summary>
        private static bool IsHead(RefName name)
        {
            if (name == RefName.Head)
            {
                return true;
            }

            var parts = name.Value.Split('/');
            return parts is ["worktrees", _, "HEAD"];
        }

        private void Walk(List<Pending> roots)
        {
            var stack = new Stack<Pending>();
            long visited = 0;
            progress?.Report(new FsckProgress(FsckPhase.Connectivity, 0, null));
            foreach (var root in roots)
            {
                if (_reportedRefTargets.Contains(root.Id))
                {
                    continue;
                }

                // Drain each root before the next, so a problem names the nearest referrer from the refs first.
                Push(stack, root);
                while (stack.TryPop(out var item))
                {
                    cancel.ThrowIfCancellationRequested();
                    Visit(item, stack);
                    if (++visited % ProgressInterval == 0)
                    {
                        progress?.Report(new FsckProgress(FsckPhase.Connectivity, visited, null));
                    }
                }
            }

            progress?.Report(new FsckProgress(FsckPhase.Connectivity, visited, null));
        }

        private void Visit(Pending item, Stack<Pending> stack)
        {
            if (_corrupt.Contains(item.Id))
            {
                return; // Reported by the object pass.
            }

            if (!TryGetType(item.Id, out var type))
            {
                if (!_corrupt.Contains(item.Id))
                {
                    Missing(item);
                }

                return;
            }

            if (type != item.Expected)
            {
                WrongType(item, type); // Only for an object stored after the listing; Push checks the rest.
                return;
            }

            // Blobs and state array pages point at nothing; the object pass hashed and decoded them.
            if (ObjectLinks.IsLeaf(type))
            {
                _reachable++;
                return;
            }

            if (_objects.TryGet(item.Id) is not { } bytes)
            {
                Missing(item); // Deleted since the object pass.
                return;
            }

            var obj = Verify(item.Id, bytes);
            if (obj is null)
            {
                return;
            }

            _reachable++;
            if (obj is Commit commit)
            {
                _reachedCommits.Add(item.Id, commit);
            }

            if (obj is ChunkedBlob chunked)
            {
                for (int i = 0; i < chunked.Chunks.Count; i++)
                {
                    var chunk = chunked.Chunks[i];
                    UsersOf(_chunkUsers, chunk.Id).Add(item.Id);
                    if (_blobLengths.TryGetValue(chunk.Id, out int length) && length != chunk.Length)
                    {
                        _badLengths.Add((item.Id, chunk.Id));
                        _problems.Add(new FsckProblem(FsckProblemKind.ChunkLengthMismatch, item.Id, null, null,
                            $"Chunked blob {item.Id} lists chunk {i} ({chunk.Id}) as {chunk.Length} bytes, but that blob holds {length}."));
                    }
                }
            }

            foreach (var link in ObjectLinks.Of(obj))
            {
                // File content is a blob or, for a large file, a chunked blob.
                var expected = link.Expected;
                if (link.Kind == LinkKind.TreeEntry && expected == ObjectType.Blob && _types.TryGetValue(link.Id, out var stored) && stored == ObjectType.ChunkedBlob)
                {
                    expected = ObjectType.ChunkedBlob;
                    UsersOf(_fileEntries, link.Id).Add((item.Id, link.Name!));
                }

                Push(stack, new Pending(link.Id, expected, ViaOf(link.Kind), item.Id, link.Name));
            }
        }

        private static Via ViaOf(LinkKind kind) => kind switch
        {
            LinkKind.CommitTree => Via.CommitTree,
            LinkKind.CommitParent => Via.CommitParent,
            LinkKind.CommitRoot => Via.CommitRoot,
            LinkKind.TreeEntry => Via.TreeEntry,
            LinkKind.TagTarget => Via.TagTarget,
            LinkKind.LogPrevious => Via.LogPrevious,
            LinkKind.CollectionRoot => Via.CollectionRoot,
            LinkKind.CollectionChild => Via.CollectionChild,
            LinkKind.CollectionValue => Via.CollectionValue,
            LinkKind.StateArrayPage => Via.StateArrayPage,
            LinkKind.Chunk => Via.Chunk,
            _ => throw new InvalidOperationException(),
        };

        private static List<T> UsersOf<T>(Dictionary<ObjectId, List<T>> map, ObjectId id)
        {
            if (!map.TryGetValue(id, out var list))
            {
                map[id] = list = [];
            }

            return list;
        }

        /// <summary>
        /// After the walk: every chunk that cannot be read back as listed (missing, corrupt, not a
        /// blob, wrong length) yields one problem per chunked blob using it, naming the files (tree
        /// entries) that point at that chunked blob, so the damage is known file by file, not only
        /// chunk by chunk. Cost: one pass over the chunks of reachable chunked blobs.
        /// </summary>
        private void CheckChunkedFiles()
        {
            foreach (var (chunk, users) in _chunkUsers)
            {
                string? damage = _corrupt.Contains(chunk) ? "corrupt"
                    : !_types.TryGetValue(chunk, out var type) ? "missing"
                    : type != ObjectType.Blob ? $"a {Noun(type)}, not a blob"
                    : null;
                foreach (var user in users.Distinct())
                {
                    string? problem = damage ?? (_badLengths.Contains((user, chunk)) ? "of another length than listed" : null);
                    if (problem is null)
                    {
                        continue;
                    }

                    var files = _fileEntries.TryGetValue(user, out var entries)
                        ? string.Join(", ", entries.Select(e => $"'{EntryName.Escape(e.Name)}' in tree {e.Tree}"))
                        : "no tree entry (it is reached only through the operation log or another object)";
                    _problems.Add(new FsckProblem(FsckProblemKind.DamagedFile, user, null, null,
                        $"Chunked blob {user} cannot be read back: its chunk {chunk} is {problem}; files that depend on it: {files}."));
                }
            }
        }

        /// <summary>
        /// A wrong generation number would make merge-base walks stop too early, so each is checked
        /// against its parents (those that could be read; a missing parent is reported already).
        /// </summary>
        private void CheckGenerations()
        {
            foreach (var (id, commit) in _reachedCommits)
            {
                long expected = 1;
                foreach (var parent in commit.Parents)
                {
                    if (!_reachedCommits.TryGetValue(parent, out var p))
                    {
                        expected = 0;
                        break;
                    }

                    expected = Math.Max(expected, p.Generation + 1);
                }

                if (expected != 0 && commit.Generation != expected)
                {
                    _problems.Add(new FsckProblem(FsckProblemKind.WrongGeneration, id, null, null,
                        $"Commit {id} records generation {commit.Generation}; its parents make it {expected}."));
                }
            }
        }

        /// <summary>
        /// Queues an object not visited yet. The type is checked here, per reference, so a reference
        /// naming an object as the wrong type is reported even when the object is visited through another.
        /// </summary>
        private void Push(Stack<Pending> stack, Pending item)
        {
            if (_types.TryGetValue(item.Id, out var type) && type != item.Expected)
            {
                WrongType(item, type);
            }
            else if (_visited.Add(item.Id))
            {
                stack.Push(item);
            }
        }

        private void WrongType(Pending item, ObjectType actual) =>
            _problems.Add(new FsckProblem(FsckProblemKind.WrongObjectType, item.Id, item.Ref, OperationOf(item),
                $"Object {item.Id}, {Describe(item)}, is a {Noun(actual)}, not a {Noun(item.Expected)}."));

        private void Missing(Pending item) =>
            _problems.Add(new FsckProblem(FsckProblemKind.MissingObject, item.Id, item.Ref, OperationOf(item),
                $"{Capitalized(Noun(item.Expected))} {item.Id}, {Describe(item)}, is missing."));

        private static long? OperationOf(Pending item) => item.Via is Via.OperationBefore or Via.OperationAfter ? item.Operation : null;

        private static string Describe(Pending item) => item.Via switch
        {
            Via.Ref => $"the target of {item.Ref}",
            Via.OperationBefore => $"the value of {item.Ref} before operation {item.Operation}",
            Via.OperationAfter => $"the value of {item.Ref} after operation {item.Operation}",
            Via.CommitTree => $"the tree of commit {item.From}",
            Via.CommitParent => $"a parent of commit {item.From}",
            Via.TreeEntry => $"entry '{EntryName.Escape(item.Entry!)}' of tree {item.From}",
            Via.TagTarget => $"the target of tag {item.From}",
            Via.LogPrevious => $"the record before merge-log record {item.From}",
            Via.CommitRoot => $"root '{EntryName.Escape(item.Entry!)}' of commit {item.From}",
            Via.CollectionRoot => $"the root node of collection {item.From}",
            Via.CollectionChild => $"a child of collection node {item.From}",
            Via.CollectionValue => $"the value of key '{EntryName.Escape(item.Entry!)}' in collection node {item.From}",
            Via.StateArrayPage => $"page {item.Entry} of state array checkpoint {item.From}",
            Via.Chunk => $"chunk {item.Entry} of chunked blob {item.From}",
            _ => throw new InvalidOperationException(),
        };

        private static string Noun(ObjectType type) => type.ToString().ToLowerInvariant();

        private static string Capitalized(string s) => char.ToUpperInvariant(s[0]) + s[1..];

        /// <summary>
        /// Every record, oldest first. A record that does not decode is reported and skipped: the
        /// stores decode whole pages, so the page that failed is read again one record at a time.
        /// </summary>
        private List<OperationRecord> ReadOperationLog(List<long> corrupt)
        {
            var newestFirst = new List<OperationRecord>();
            long? before = null;
            bool oneAtATime = false;
            while (true)
            {
                cancel.ThrowIfCancellationRequested();
                IReadOnlyList<OperationRecord> page;
                try
                {
                    page = _refs.ReadOperations(before, oneAtATime ? 1 : OperationPage);
                }
                catch (CorruptOperationException e) when (before is null || e.Sequence < before)
                {
                    if (!oneAtATime)
                    {
                        oneAtATime = true;
                        continue;
                    }

                    corrupt.Add(e.Sequence);
                    _operationProblems.Add(new FsckProblem(FsckProblemKind.CorruptOperation, null, null, e.Sequence, e.Message));
                    before = e.Sequence;
                    oneAtATime = false;
                    continue;
                }

                if (page.Count == 0)
                {
                    break;
                }

                newestFirst.AddRange(page);
                before = page[^1].Sequence;
            }

            corrupt.Sort();
            newestFirst.Reverse();
            return newestFirst;
        }

        /// <summary>
        /// Checks the chain from the log's recorded start: sequence 1 with no previous record, or, after gc
        /// trimmed the oldest records, the first kept sequence naming the hash of the last removed record.
        /// </summary>
        private void CheckOperationChain(List<OperationRecord> records, List<long> corrupt, OperationLogStart start)
        {
            OperationRecord? prior = null;
            foreach (var record in records)
            {
                long expected = prior is null ? start.Sequence : prior.Sequence + 1;
                if (record.Sequence > expected)
                {
                    ReportMissingOperations(expected, record.Sequence - 1, corrupt);
                }

                if (record.Sequence == start.Sequence && record.Previous != start.Previous)
                {
                    _operationProblems.Add(new FsckProblem(FsckProblemKind.BrokenOperationChain, null, null, record.Sequence,
                        start.Sequence == 1
                            ? $"Operation 1 names {record.Previous} as the hash of a previous record, but it is the first record."
                            : $"Operation {record.Sequence}, the first kept after the log was trimmed, names {record.Previous} as the previous record's hash, but the trim recorded {start.Previous}."));
                }
                else if (prior is not null && record.Sequence == prior.Sequence + 1 && record.Previous != prior.Hash)
                {
                    _operationProblems.Add(new FsckProblem(FsckProblemKind.BrokenOperationChain, null, null, record.Sequence,
                        $"Operation {record.Sequence} does not follow operation {prior.Sequence}: it names {record.Previous} as the previous record's hash, but operation {prior.Sequence} hashes to {prior.Hash} (one of the two was altered)."));
                }

                prior = record;
            }
        }

        /// <summary>Reports the sequence numbers in [from, to] that are absent, skipping those already reported as corrupt.</summary>
        private void ReportMissingOperations(long from, long to, List<long> corrupt)
        {
            long start = from;
            foreach (long c in corrupt)
            {
                if (c < from || c > to)
                {
                    continue;
                }

                if (c > start)
                {
                    AddMissingRange(start, c - 1);
                }

                start = c + 1;
            }

            if (start <= to)
            {
                AddMissingRange(start, to);
            }
        }

        private void AddMissingRange(long from, long to) =>
            _operationProblems.Add(new FsckProblem(FsckProblemKind.BrokenOperationChain, null, null, from,
                from == to
                    ? $"Operation {from} is missing from the log."
                    : $"Operations {from} to {to} are missing from the log."));
    }
}
