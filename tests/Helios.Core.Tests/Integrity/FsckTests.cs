using Helios.Core.Errors;
using Helios.Core.Integrity;
using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Repositories;
using Helios.Core.Storage;
using Helios.Core.Storage.InMemory;

namespace Helios.Core.Tests.Integrity;

public sealed class FsckTests : IDisposable
{
    private static readonly BranchName Feature = BranchName.Parse("feature");
    private static readonly RefName Main = Repository.DefaultBranch.Ref;
    private static readonly Signature Someone = new("Fsck Test", "fsck@test", new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));

    private readonly InMemoryRepositoryStorage _storage = new();
    private readonly Repository _repo;

    // c1 ── c2 ── m (main) ── c5 (undone: reachable only from the operation log)
    //   \        /
    //    c3 ────┘ (feature)        HEAD detached at c1; worktrees/w1/HEAD follows feature,
    //                               worktrees/w2/HEAD follows the unborn branch "later".
    private readonly ObjectId _c1, _c2, _c3, _merge, _c5;

    public FsckTests()
    {
        _repo = Repository.Init(_storage);
        var ws = _repo.OpenHead();
        ws.Write("a.txt", "1");
        ws.Write("src/b.txt", "2");
        _c1 = _repo.Commit(ws, "c1").EnsureCommitted();
        ws.Write("a.txt", "3");
        _c2 = _repo.Commit(ws, "c2").EnsureCommitted();
        _repo.CreateBranch(Feature, _c1);
        var feature = _repo.OpenWorkspace(Feature);
        feature.Write("src/c.txt", "4");
        _c3 = _repo.Commit(feature, "c3").EnsureCommitted();
        ws.Write("src/c.txt", "4");
        _merge = _repo.Commit(ws, "merge feature", new CommitOptions { ExtraParents = [_c3] }).EnsureCommitted();
        ws.Write("a.txt", "5");
        _c5 = _repo.Commit(ws, "c5").EnsureCommitted();
        _repo.Undo();
        _repo.Checkout(_c1.ToString());
        Commit("worktree add",
            new RefUpdate(RefName.Parse("worktrees/w1/HEAD"), null, RefTarget.Follow(Feature.Ref)),
            new RefUpdate(RefName.Parse("worktrees/w2/HEAD"), null, RefTarget.Follow(BranchName.Parse("later").Ref)));
    }

    public void Dispose() => _repo.Dispose();

    [Fact]
    public void A_repository_with_branches_a_merge_a_detached_head_and_undo_history_is_clean_and_counted()
    {
        var report = Fsck.Check(_repo);

        Assert.Empty(report.Problems);
        Assert.True(report.IsClean);
        // Commits c1 c2 c3 merge c5. Blobs "1" to "5". Trees: the roots of the five commits (the
        // merge's differs from c3's in a.txt), src {b} and src {b, c}.
        Assert.Equal(5, report.Commits);
        Assert.Equal(5, report.Blobs);
        Assert.Equal(7, report.Trees);
        Assert.Equal(17, report.ObjectsChecked);
        Assert.Equal(_storage.Objects.Enumerate().Count(), report.ObjectsChecked);
        Assert.Equal(17, report.ReachableObjects);
        // HEAD, main, feature, worktrees/w1/HEAD, worktrees/w2/HEAD.
        Assert.Equal(5, report.Refs);
        // init, c1, c2, branch, c3, merge, c5, undo, checkout, worktree add.
        Assert.Equal(10, report.Operations);
        Assert.Null(_repo.CurrentBranch);
        Assert.Equal(_c1, _repo.HeadCommit);
    }

    [Fact]
    public void A_freshly_initialised_repository_on_an_unborn_branch_is_clean()
    {
        using var repo = Repository.CreateInMemory();
        var report = Fsck.Check(repo);
        Assert.True(report.IsClean);
        Assert.Equal(0, report.ObjectsChecked);
        Assert.Equal(1, report.Refs);
        Assert.Equal(1, report.Operations);
    }

    [Fact]
    public void Unreferenced_objects_are_checked_but_not_counted_as_reachable()
    {
        var stray = Put(ObjectCodec.EncodeBlob("not referenced by anything"u8));
        var report = Fsck.Check(_repo);
        Assert.True(report.IsClean);
        Assert.Equal(18, report.ObjectsChecked);
        Assert.Equal(17, report.ReachableObjects);
        Assert.True(_storage.Objects.Contains(stray));
    }

    [Fact]
    public void A_flipped_byte_in_a_stored_blob_is_reported_with_its_id()
    {
        var blob = BlobId("2");
        FlipLastByte(blob);

        var problem = Assert.Single(Fsck.Check(_repo).Problems);
        Assert.Equal(FsckProblemKind.HashMismatch, problem.Kind);
        Assert.Equal(blob, problem.Id);
        Assert.Contains(blob.ToString(), problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_flipped_byte_in_a_commit_that_refs_and_children_name_is_reported_once()
    {
        FlipLastByte(_c1);

        var report = Fsck.Check(_repo);
        var problem = Assert.Single(report.Problems);
        Assert.Equal(FsckProblemKind.HashMismatch, problem.Kind);
        Assert.Equal(_c1, problem.Id);
        Assert.Equal(4, report.Commits);
    }

    [Fact]
    public void An_object_whose_bytes_hash_to_its_id_but_do_not_decode_is_reported_with_its_id()
    {
        // A blob frame that promises five payload bytes and holds one.
        var garbage = Put([(byte)ObjectType.Blob, 5, (byte)'x']);

        var report = Fsck.Check(_repo);
        var problem = Assert.Single(report.Problems);
        Assert.Equal(FsckProblemKind.UndecodableObject, problem.Kind);
        Assert.Equal(garbage, problem.Id);
        Assert.Contains(garbage.ToString(), problem.Message, StringComparison.Ordinal);
        Assert.Equal(18, report.ObjectsChecked);
        Assert.Equal(5, report.Blobs);
    }

    [Fact]
    public void A_deleted_blob_that_branches_reach_is_reported_missing_with_its_id()
    {
        var blob = BlobId("4");
        _storage.Objects.Delete([blob]);

        var problem = Assert.Single(Fsck.Check(_repo).Problems);
        Assert.Equal(FsckProblemKind.MissingObject, problem.Kind);
        Assert.Equal(blob, problem.Id);
        Assert.Contains("entry 'c.txt'", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deleted_tree_is_reported_missing_with_its_id()
    {
        var src = SrcTree(_c1);
        _storage.Objects.Delete([src]);

        var problem = Assert.Single(Fsck.Check(_repo).Problems);
        Assert.Equal(FsckProblemKind.MissingObject, problem.Kind);
        Assert.Equal(src, problem.Id);
        Assert.StartsWith("Tree ", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deleted_parent_commit_is_reported_missing_with_its_id()
    {
        _storage.Objects.Delete([_c2]);

        var problem = Assert.Single(Fsck.Check(_repo).Problems);
        Assert.Equal(FsckProblemKind.MissingObject, problem.Kind);
        Assert.Equal(_c2, problem.Id);
        Assert.Contains($"a parent of commit {_merge}", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deleted_commit_that_only_the_operation_log_names_is_reported_with_the_operation()
    {
        _storage.Objects.Delete([_c5]);

        var problem = Assert.Single(Fsck.Check(_repo).Problems);
        Assert.Equal(FsckProblemKind.MissingObject, problem.Kind);
        Assert.Equal(_c5, problem.Id);
        Assert.Equal(Main, problem.Ref);
        Assert.Equal(7, problem.Operation);
    }

    [Fact]
    public void A_deleted_branch_head_is_reported_as_a_dangling_ref_once()
    {
        // The merge is main's head, c5's parent and a value in the log; one problem names it.
        _storage.Objects.Delete([_merge]);

        var problem = Assert.Single(Fsck.Check(_repo).Problems);
        Assert.Equal(FsckProblemKind.DanglingRef, problem.Kind);
        Assert.Equal(Main, problem.Ref);
        Assert.Equal(_merge, problem.Id);
    }

    [Fact]
    public void A_branch_pointing_at_a_missing_id_is_reported_as_dangling_with_the_ref_and_id()
    {
        var nowhere = ObjectId.Of("never stored"u8);
        Commit("corrupt", new RefUpdate(Feature.Ref, RefTarget.To(_c3), RefTarget.To(nowhere)));

        var problem = Assert.Single(Fsck.Check(_repo).Problems);
        Assert.Equal(FsckProblemKind.DanglingRef, problem.Kind);
        Assert.Equal(Feature.Ref, problem.Ref);
        Assert.Equal(nowhere, problem.Id);
    }

    [Fact]
    public void A_branch_pointing_at_a_blob_is_reported_as_not_a_commit()
    {
        var blob = BlobId("1");
        Commit("corrupt", new RefUpdate(Feature.Ref, RefTarget.To(_c3), RefTarget.To(blob)));

        var report = Fsck.Check(_repo);
        var problem = Assert.Single(report.Problems);
        Assert.Equal(FsckProblemKind.RefNotACommit, problem.Kind);
        Assert.Equal(Feature.Ref, problem.Ref);
        Assert.Equal(blob, problem.Id);
        Assert.Equal(17, report.ReachableObjects);
    }

    [Fact]
    public void A_tag_ref_naming_an_annotated_tag_is_walked_through_to_its_commit()
    {
        long reachableBefore = Fsck.Check(_repo).ReachableObjects;
        var inner = PutObject(new Tag(_c3, ObjectType.Commit, "v1", Someone, "one\n"u8.ToArray()));
        var outer = PutObject(new Tag(inner, ObjectType.Tag, "v1-signed-off", null, "two\n"u8.ToArray()));
        Commit("tag", new RefUpdate(RefName.Parse("refs/tags/v1"), null, RefTarget.To(outer)));

        var report = Fsck.Check(_repo);

        Assert.Empty(report.Problems);
        Assert.Equal(reachableBefore + 2, report.ReachableObjects);
        Assert.Equal(_c3, _repo.ResolveRevision("v1"));
        Assert.Equal(_c3, _repo.ResolveRevision(outer.ToString()));
    }

    [Fact]
    public void A_tag_whose_target_is_missing_is_reported_and_a_branch_naming_a_tag_is_not_a_commit()
    {
        var nowhere = BlobId("never stored");
        var dangling = PutObject(new Tag(nowhere, ObjectType.Commit, "gone", null, ReadOnlyMemory<byte>.Empty));
        var good = PutObject(new Tag(_c3, ObjectType.Commit, "good", null, ReadOnlyMemory<byte>.Empty));
        Commit("tag", new RefUpdate(RefName.Parse("refs/tags/gone"), null, RefTarget.To(dangling)),
            new RefUpdate(Feature.Ref, RefTarget.To(_c3), RefTarget.To(good)));

        var problems = Fsck.Check(_repo).Problems;
        Assert.Contains(problems, p => p.Kind == FsckProblemKind.MissingObject && p.Id == nowhere && p.Message.Contains($"the target of tag {dangling}"));
        Assert.Contains(problems, p => p.Kind == FsckProblemKind.RefNotACommit && p.Id == good && p.Ref == Feature.Ref);
    }

    [Fact]
    public void A_symbolic_ref_following_a_missing_ref_is_dangling_unless_it_is_a_head_on_an_unborn_branch()
    {
        var alias = RefName.Parse("refs/heads/alias");
        var worktree = RefName.Parse("worktrees/w3/HEAD");
        Commit("corrupt",
            new RefUpdate(alias, null, RefTarget.Follow(RefName.Parse("refs/heads/gone"))),
            new RefUpdate(worktree, null, RefTarget.Follow(RefName.Parse("refs/tags/gone"))));

        var problems = Fsck.Check(_repo).Problems;
        Assert.All(problems, p => Assert.Equal(FsckProblemKind.DanglingRef, p.Kind));
        Assert.Equal([alias, worktree], problems.Select(p => p.Ref!.Value));
    }

    [Fact]
    public void Every_ref_in_a_symbolic_loop_is_reported_as_dangling()
    {
        var x = RefName.Parse("refs/heads/x");
        var y = RefName.Parse("refs/heads/y");
        Commit("corrupt", new RefUpdate(x, null, RefTarget.Follow(y)), new RefUpdate(y, null, RefTarget.Follow(x)));

        var problems = Fsck.Check(_repo).Problems;
        Assert.All(problems, p => Assert.Equal(FsckProblemKind.DanglingRef, p.Kind));
        Assert.Equal([x, y], problems.Select(p => p.Ref!.Value));
        Assert.Contains("loop", problems[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_entry_that_names_a_blob_is_reported_as_the_wrong_type()
    {
        // The blob is also reached correctly (as a.txt); the bad entry is reported all the same.
        var blob = BlobId("1");
        var tree = PutObject(new Tree([new TreeEntry("dir", EntryKind.Tree, blob)]));
        var commit = PutObject(new Commit(tree, [_c3], _repo.ReadCommit(_c3).Generation + 1, Someone, Someone, "bad tree"u8.ToArray()));
        Commit("corrupt", new RefUpdate(Feature.Ref, RefTarget.To(_c3), RefTarget.To(commit)));

        var problem = Assert.Single(Fsck.Check(_repo).Problems);
        Assert.Equal(FsckProblemKind.WrongObjectType, problem.Kind);
        Assert.Equal(blob, problem.Id);
        Assert.Contains($"entry 'dir' of tree {tree}", problem.Message, StringComparison.Ordinal);
        Assert.Contains("is a blob, not a tree", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_commit_whose_generation_does_not_follow_from_its_parents_is_reported()
    {
        var c3 = _repo.ReadCommit(_c3);
        var commit = PutObject(new Commit(c3.Tree, [_c3], c3.Generation + 5, Someone, Someone, "skips generations"u8.ToArray()));
        Commit("corrupt", new RefUpdate(Feature.Ref, RefTarget.To(_c3), RefTarget.To(commit)));

        var problem = Assert.Single(Fsck.Check(_repo).Problems);
        Assert.Equal(FsckProblemKind.WrongGeneration, problem.Kind);
        Assert.Equal(commit, problem.Id);
        Assert.Contains($"its parents make it {c3.Generation + 1}", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_commit_whose_parent_is_a_tree_and_whose_tree_is_a_blob_is_reported_twice_as_the_wrong_type()
    {
        var tree = _repo.ReadCommit(_c1).Tree;
        var blob = BlobId("3");
        var commit = PutObject(new Commit(blob, [tree], 2, Someone, Someone, "bad links"u8.ToArray()));
        Commit("corrupt", new RefUpdate(Feature.Ref, RefTarget.To(_c3), RefTarget.To(commit)));

        var problems = Fsck.Check(_repo).Problems;
        Assert.Equal(2, problems.Count);
        Assert.All(problems, p => Assert.Equal(FsckProblemKind.WrongObjectType, p.Kind));
        Assert.Contains(problems, p => p.Id == blob && p.Message.Contains($"the tree of commit {commit}", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Id == tree && p.Message.Contains($"a parent of commit {commit}", StringComparison.Ordinal));
    }

    [Fact]
    public void An_altered_operation_record_breaks_the_chain_at_the_next_sequence_number()
    {
        using var tampered = Tampered(log => log.Select(r => r.Sequence == 3 ? Forge(r) : r).ToList());

        var problem = Assert.Single(Fsck.Check(tampered).Problems);
        Assert.Equal(FsckProblemKind.BrokenOperationChain, problem.Kind);
        Assert.Equal(4, problem.Operation);
    }

    [Fact]
    public void A_first_record_that_names_a_predecessor_breaks_the_chain_at_one()
    {
        using var tampered = Tampered(log =>
            log.Select(r => r.Sequence == 1 ? OperationRecord.Create(1, ObjectId.Of("x"u8), r.Info, r.Changes) : r).ToList());

        var problems = Fsck.Check(tampered).Problems;
        Assert.All(problems, p => Assert.Equal(FsckProblemKind.BrokenOperationChain, p.Kind));
        // Record 1 names a predecessor, and record 2 no longer names record 1's hash.
        Assert.Equal([1L, 2L], problems.Select(p => p.Operation!.Value));
    }

    [Fact]
    public void A_missing_operation_record_is_reported_with_its_sequence_number()
    {
        using var tampered = Tampered(log => log.Where(r => r.Sequence is not (3 or 4)).ToList());

        var report = Fsck.Check(tampered);
        var problem = Assert.Single(report.Problems);
        Assert.Equal(FsckProblemKind.BrokenOperationChain, problem.Kind);
        Assert.Equal(3, problem.Operation);
        Assert.Contains("Operations 3 to 4 are missing", problem.Message, StringComparison.Ordinal);
        Assert.Equal(8, report.Operations);
    }

    [Fact]
    public void An_undecodable_operation_record_is_reported_and_the_rest_of_the_log_is_still_checked()
    {
        using var tampered = Tampered(log => log.Select(r => r.Sequence == 8 ? Forge(r) : r).ToList(), undecodable: 5);

        var report = Fsck.Check(tampered);
        Assert.Equal(
            [(FsckProblemKind.CorruptOperation, 5L), (FsckProblemKind.BrokenOperationChain, 9L)],
            report.Problems.Select(p => (p.Kind, p.Operation!.Value)));
        Assert.Equal(10, report.Operations);
    }

    [Fact]
    public void A_history_of_100k_commits_is_walked_without_overflowing_the_stack()
    {
        const int depth = 100_000;
        var storage = new InMemoryRepositoryStorage();
        using var repo = Repository.Init(storage);
        var (treeId, treeBytes) = ObjectCodec.EncodeWithId(Tree.Empty);
        var batch = new List<EncodedObject>(depth + 1) { new(treeId, treeBytes) };
        ObjectId? parent = null;
        for (int i = 0; i < depth; i++)
        {
            var (id, bytes) = ObjectCodec.EncodeWithId(new Commit(treeId, parent is { } p ? [p] : [], i + 1, Someone, Someone, BitConverter.GetBytes(i)));
            batch.Add(new EncodedObject(id, bytes));
            parent = id;
        }

        storage.Refs.Commit(new RefTransaction([new RefUpdate(Main, null, RefTarget.To(parent!.Value))], Info("deep")) { Objects = batch });

        var report = Fsck.Check(repo);
        Assert.True(report.IsClean);
        Assert.Equal(depth, report.Commits);
        Assert.Equal(depth + 1, report.ReachableObjects);
    }

    [Fact]
    public void Progress_counts_every_object_checked_and_every_object_walked()
    {
        var progress = new RecordingProgress();
        Fsck.Check(_repo, progress);

        var objects = progress.Reports.Where(p => p.Phase == FsckPhase.Objects).ToList();
        Assert.Equal(new FsckProgress(FsckPhase.Objects, 0, 17), objects[0]);
        Assert.Equal(new FsckProgress(FsckPhase.Objects, 17, 17), objects[^1]);
        Assert.Equal(17, progress.Reports.Last(p => p.Phase == FsckPhase.Connectivity).Completed);
        Assert.True(progress.Reports.IndexOf(objects[^1]) < progress.Reports.FindIndex(p => p.Phase == FsckPhase.Connectivity));
    }

    [Fact]
    public void A_cancelled_check_stops_with_operation_cancelled()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Throws<OperationCanceledException>(() => Fsck.Check(_repo, cancellationToken: cancelled.Token));
    }

    private static ObjectId BlobId(string content) => ObjectId.Of(ObjectCodec.EncodeBlob(System.Text.Encoding.UTF8.GetBytes(content)));

    private ObjectId SrcTree(ObjectId commit) => _repo.Objects.Read<Tree>(_repo.ReadCommit(commit).Tree).Find("src")!.Value.Id;

    private ObjectId Put(byte[] bytes)
    {
        var id = ObjectId.Of(bytes);
        _storage.Objects.PutMany([new EncodedObject(id, bytes)]);
        return id;
    }

    private ObjectId PutObject(HeliosObject obj) => Put(ObjectCodec.Encode(obj));

    /// <summary>Stores other bytes under the object's id, as a bad sector or a stray write would.</summary>
    private void FlipLastByte(ObjectId id)
    {
        var bytes = _storage.Objects.TryGet(id)!.ToArray();
        bytes[^1] ^= 0x40;
        _storage.Objects.Delete([id]);
        _storage.Objects.PutMany([new EncodedObject(id, bytes)]);
    }

    private void Commit(string kind, params RefUpdate[] updates) =>
        Assert.IsType<RefTransactionResult.Committed>(_storage.Refs.Commit(new RefTransaction(updates, Info(kind))));

    private static OperationInfo Info(string kind) => new(kind, kind, DateTimeOffset.UnixEpoch);

    /// <summary>The same record with another description: still decodes, no longer hashes the same.</summary>
    private static OperationRecord Forge(OperationRecord r) =>
        OperationRecord.Create(r.Sequence, r.Previous, r.Info with { Description = "forged" }, r.Changes);

    private Repository Tampered(Func<List<OperationRecord>, List<OperationRecord>> rewrite, long? undecodable = null) =>
        Repository.Open(new TamperedStorage(_storage, rewrite, undecodable));

    private sealed class RecordingProgress : IProgress<FsckProgress>
    {
        public List<FsckProgress> Reports { get; } = [];

        public void Report(FsckProgress value) => Reports.Add(value);
    }

    /// <summary>The fixture's storage with its operation log rewritten on the way out, as an attacker or a bad disk would.</summary>
    private sealed class TamperedStorage(IRepositoryStorage inner, Func<List<OperationRecord>, List<OperationRecord>> rewrite, long? undecodable)
        : IRepositoryStorage
    {
        public IObjectStore Objects => inner.Objects;

        public IRefStore Refs { get; } = new TamperedRefStore(inner.Refs, rewrite, undecodable);

        public void Dispose() { }
    }

    private sealed class TamperedRefStore(IRefStore inner, Func<List<OperationRecord>, List<OperationRecord>> rewrite, long? undecodable) : IRefStore
    {
        public RefTarget? Read(RefName name) => inner.Read(name);

        public IReadOnlyList<RefEntry> List(string prefix) => inner.List(prefix);

        public RefTransactionResult Commit(RefTransaction transaction) => throw new NotSupportedException();

        public IReadOnlyList<OperationRecord> ReadOperations(long? before = null, int limit = int.MaxValue)
        {
            var log = rewrite(inner.ReadOperations().Reverse().ToList());
            var result = new List<OperationRecord>();
            // Newest first, decoding as it goes, as the SQLite store does: a bad record fails the whole read.
            foreach (var record in Enumerable.Reverse(log).Where(r => r.Sequence < (before ?? long.MaxValue)).Take(limit))
            {
                if (record.Sequence == undecodable)
                {
                    throw new CorruptOperationException(record.Sequence, $"Operation log record {record.Sequence} is corrupt: garbled.");
                }

                result.Add(record);
            }

            return result;
        }

        public OperationLogStart ReadOperationLogStart() => inner.ReadOperationLogStart();

        public long TrimOperations(DateTimeOffset before) => throw new NotSupportedException();

        public void Dispose() { }
    }
}
