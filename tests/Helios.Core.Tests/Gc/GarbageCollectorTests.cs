using Helios.Core.Gc;
using Helios.Core.Integrity;
using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Repositories;
using Helios.Core.Storage;
using Helios.Core.Storage.InMemory;
using Helios.Storage.Conformance;

namespace Helios.Core.Tests.Gc;

public sealed class GarbageCollectorTests : IDisposable
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    private readonly ManualClock _clock = new();
    private readonly InMemoryRepositoryStorage _storage;
    private readonly Repository _repo;

    public GarbageCollectorTests()
    {
        _storage = new InMemoryRepositoryStorage(_clock);
        _repo = Repository.Init(_storage, new RepositoryOptions { Clock = _clock });
    }

    public void Dispose() => _repo.Dispose();

    private ObjectId Commit(Workspace ws, string path, string content)
    {
        ws.Write(path, content);
        return _repo.Commit(ws, $"write {path}").EnsureCommitted();
    }

    private ObjectId PutBlob(string content, ObjectId? deltaBase = null)
    {
        var bytes = ObjectCodec.EncodeBlob(System.Text.Encoding.UTF8.GetBytes(content));
        var id = ObjectId.Of(bytes);
        _storage.Objects.PutMany([new EncodedObject(id, bytes, deltaBase)]);
        return id;
    }

    private void AssertFsckClean() => Assert.Empty(Fsck.Check(_repo).Problems);

    [Fact]
    public void An_unreachable_object_older_than_the_grace_period_is_deleted_and_every_reachable_one_kept()
    {
        var ws = _repo.OpenHead();
        var c1 = Commit(ws, "a.txt", "one");
        var garbage = PutBlob("nobody names me");
        int before = _storage.Objects.Enumerate().Count();
        _clock.Advance(2 * Hour);

        var report = GarbageCollector.Collect(_repo);

        Assert.Equal(1, report.Deleted);
        Assert.False(_storage.Objects.Contains(garbage));
        Assert.Equal(before - 1, _storage.Objects.Enumerate().Count());
        Assert.Equal(before - 1, report.ObjectsAfter);
        Assert.True(_storage.Objects.Contains(c1));
        Assert.Equal("one", System.Text.Encoding.UTF8.GetString(_repo.OpenWorkspace(Repository.DefaultBranch).Read("a.txt").Span));
        AssertFsckClean();
    }

    [Fact]
    public void An_unreachable_object_younger_than_the_grace_period_is_kept_with_everything_it_reaches()
    {
        var ws = _repo.OpenHead();
        Commit(ws, "a.txt", "one");
        // A tree and blob stored long ago, then a commit naming them stored just now by a writer that has not moved its ref.
        var oldBlob = PutBlob("old content");
        var tree = new Tree([new TreeEntry("f.txt", EntryKind.File, oldBlob)]);
        var (treeId, treeBytes) = ObjectCodec.EncodeWithId(tree);
        _storage.Objects.PutMany([new EncodedObject(treeId, treeBytes)]);
        _clock.Advance(2 * Hour);
        var signature = new Signature("w", "w@x", _clock.Now);
        var (commitId, commitBytes) = ObjectCodec.EncodeWithId(new Commit(treeId, [], 1, signature, signature, "pending"u8.ToArray(), new Dictionary<string, string>()));
        _storage.Objects.PutMany([new EncodedObject(commitId, commitBytes)]);

        var report = GarbageCollector.Collect(_repo);

        Assert.Equal(0, report.Deleted);
        Assert.Equal(3, report.KeptYoung);
        Assert.True(_storage.Objects.Contains(oldBlob));
        Assert.True(_storage.Objects.Contains(treeId));
    }

    [Fact]
    public void Values_the_retained_operation_log_records_are_kept_so_undo_still_works_after_gc()
    {
        var ws = _repo.OpenHead();
        var c1 = Commit(ws, "a.txt", "one");
        var c2 = Commit(ws, "a.txt", "two");
        _repo.Reset(ws, c1, ResetMode.Hard);
        _clock.Advance(2 * Hour);

        var report = GarbageCollector.Collect(_repo);

        Assert.Equal(0, report.Deleted);
        _repo.Undo();
        Assert.Equal(c2, _repo.TryGetBranch(Repository.DefaultBranch));
        Assert.Equal("two", System.Text.Encoding.UTF8.GetString(_repo.OpenWorkspace(Repository.DefaultBranch).Read("a.txt").Span));
        AssertFsckClean();
    }

    [Fact]
    public void Expiring_the_operation_log_frees_what_only_old_records_named_and_leaves_a_log_fsck_accepts()
    {
        var ws = _repo.OpenHead();
        var c1 = Commit(ws, "a.txt", "one");
        var c2 = Commit(ws, "a.txt", "two");
        _repo.Reset(ws, c1, ResetMode.Hard);
        long operations = _repo.Operations().Count;
        _clock.Advance(2 * Hour);
        Commit(ws, "b.txt", "new"); // A young record that must stay.

        var report = GarbageCollector.Collect(_repo, new GcOptions { ExpireBefore = _clock.Now - Hour });

        Assert.Equal(operations, report.OperationsExpired);
        Assert.False(_storage.Objects.Contains(c2));
        Assert.True(report.Deleted >= 3); // c2, its root tree and blob "two"
        Assert.True(_storage.Objects.Contains(c1));
        Assert.Equal(new OperationLogStart(operations + 1, _repo.Operations()[^1].Previous), _storage.Refs.ReadOperationLogStart());
        AssertFsckClean();
    }

    [Fact]
    public void A_dry_run_reports_what_a_real_run_then_deletes_and_changes_nothing()
    {
        var ws = _repo.OpenHead();
        var c1 = Commit(ws, "a.txt", "one");
        Commit(ws, "a.txt", "two");
        _repo.Reset(ws, c1, ResetMode.Hard);
        Commit(ws, "b.txt", "after the reset"); // The newest record is always kept; make it not name the dropped commit.
        PutBlob("garbage");
        _clock.Advance(2 * Hour);
        var options = new GcOptions { ExpireBefore = _clock.Now };
        int objects = _storage.Objects.Enumerate().Count();
        int records = _repo.Operations().Count;

        var dry = GarbageCollector.Collect(_repo, options with { DryRun = true });

        Assert.Equal(objects, _storage.Objects.Enumerate().Count());
        Assert.Equal(records, _repo.Operations().Count);
        var real = GarbageCollector.Collect(_repo, options);
        Assert.True(dry.Deleted > 1);
        Assert.Equal(dry.Deleted, real.Deleted);
        Assert.Equal(dry.DeletedStoredBytes, real.DeletedStoredBytes);
        Assert.Equal(dry.OperationsExpired, real.OperationsExpired);
    }

    [Fact]
    public void The_delta_base_of_a_kept_object_is_never_deleted_even_when_nothing_else_reaches_it()
    {
        var ws = _repo.OpenHead();
        Commit(ws, "a.txt", "one");
        var deltaBase = PutBlob("the base version, unreachable");
        // The reachable blob is stored as a delta against the unreachable one.
        ws.Write("b.txt", "the base version, edited");
        var kept = PutBlob("the base version, edited", deltaBase);
        Commit(ws, "c.txt", "x");
        _clock.Advance(2 * Hour);

        var report = GarbageCollector.Collect(_repo);

        Assert.True(_storage.Objects.Contains(deltaBase));
        Assert.True(_storage.Objects.Contains(kept));
        Assert.Equal(1, report.KeptAsDeltaBase);
        Assert.Equal(0, report.Deleted);
    }

    [Fact]
    public void Objects_reached_through_collections_state_arrays_tags_and_extra_roots_are_kept()
    {
        var ws = _repo.OpenHead();
        var c1 = Commit(ws, "a.txt", "one");
        var staged = PutBlob("staged in a worktree but not committed");
        var tagged = PutBlob("only a tag names me");
        var signature = new Signature("t", "t@x", _clock.Now);
        var (tagId, tagBytes) = ObjectCodec.EncodeWithId(new Tag(tagged, ObjectType.Blob, "v1", signature, "tag\n"u8.ToArray()));
        _repo.Refs.Commit(new RefTransaction([new RefUpdate(RefName.Parse("refs/tags/v1"), null, RefTarget.To(tagId))], new OperationInfo("tag", "tag v1", _clock.Now))
        {
            Objects = [new EncodedObject(tagId, tagBytes)],
        });
        _clock.Advance(2 * Hour);

        var report = GarbageCollector.Collect(_repo, new GcOptions { ExtraRoots = [staged] });

        Assert.Equal(0, report.Deleted);
        Assert.True(_storage.Objects.Contains(staged));
        Assert.True(_storage.Objects.Contains(tagged));
        Assert.True(_storage.Objects.Contains(c1));
    }

    [Fact]
    public void Discarded_experiments_older_than_the_expiry_are_forgotten_and_active_ones_kept()
    {
        var ws = _repo.OpenHead();
        var c1 = Commit(ws, "a.txt", "one");
        var experiments = new Experiments.Experiments(_repo);
        experiments.Start("old", c1, Repository.DefaultBranch, 2);
        var variant = _repo.OpenWorkspace(Experiments.Experiments.BranchOf("old", 1));
        var lost = Commit(variant, "a.txt", "variant");
        experiments.Discard("old");
        _clock.Advance(3 * Hour);
        experiments.Start("young", c1, Repository.DefaultBranch, 2);

        var report = GarbageCollector.Collect(_repo, new GcOptions { ExpireBefore = _clock.Now - Hour });

        Assert.Equal(["old"], report.ExperimentsExpired);
        Assert.Null(experiments.Find("old"));
        Assert.NotNull(experiments.Find("young"));
        Assert.False(_storage.Objects.Contains(lost));
        AssertFsckClean();
        // The expiry is an operation like any other: undoing it brings the record back, readable.
        _repo.Undo();
        Assert.Equal(Experiments.ExperimentStatus.Discarded, experiments.Find("old")!.Status);
    }

    [Fact]
    public void Aggressive_gc_hands_every_kept_object_to_the_store_rewriter_with_the_previous_version_of_its_path_as_hint()
    {
        using var storage = new RewritingStorage(new InMemoryRepositoryStorage(_clock));
        using var repo = Repository.Init(storage, new RepositoryOptions { Clock = _clock });
        var ws = repo.OpenHead();
        var blobs = new List<ObjectId>();
        foreach (var version in new[] { "v1", "v2", "v3" })
        {
            ws.Write("dir/a.txt", version);
            ws.Write("b.txt", "unchanged");
            repo.Commit(ws, version).EnsureCommitted();
            blobs.Add(ObjectId.Of(ObjectCodec.EncodeBlob(System.Text.Encoding.UTF8.GetBytes(version))));
        }

        var report = GarbageCollector.Collect(repo, new GcOptions { Aggressive = true });

        Assert.Equal(storage.Objects.Enumerate().Count(), report.Rewritten);
        Assert.Equal(report.Rewritten, storage.Rewriter.Seen.Count);
        Assert.Equal(blobs[0], storage.Rewriter.Seen[blobs[1]]);
        Assert.Equal(blobs[1], storage.Rewriter.Seen[blobs[2]]);
        Assert.Null(storage.Rewriter.Seen[blobs[0]]);
        Assert.Null(storage.Rewriter.Seen[ObjectId.Of(ObjectCodec.EncodeBlob("unchanged"u8))]);
    }

    [Fact]
    public void A_corrupt_reachable_tree_stops_gc_before_it_deletes_anything()
    {
        var ws = _repo.OpenHead();
        Commit(ws, "dir/a.txt", "one");
        var tree = _repo.ReadCommit(_repo.HeadCommit!.Value).Tree;
        var garbage = PutBlob("garbage");
        // Overwrite the root tree's stored bytes with a blob's: its links can no longer be read.
        _storage.Objects.Delete([tree]);
        _storage.Objects.PutMany([new EncodedObject(tree, ObjectCodec.EncodeBlob("not a tree"u8))]);
        _clock.Advance(2 * Hour);

        var e = Assert.Throws<Errors.HeliosException>(() => GarbageCollector.Collect(_repo));

        Assert.Equal(Errors.HeliosErrorCode.Corruption, e.Code);
        Assert.True(_storage.Objects.Contains(garbage));
    }

    [Fact]
    public void Chunks_of_a_kept_large_file_stay_and_chunks_only_a_dropped_version_used_are_deleted()
    {
        var ws = _repo.OpenHead();
        var random = new Random(5);
        var v1 = new byte[1 << 20];
        random.NextBytes(v1);
        ws.Write("model.bin", v1);
        var c1 = _repo.Commit(ws, "v1").EnsureCommitted();
        var v2 = (byte[])v1.Clone();
        random.NextBytes(v2.AsSpan(500_000, 4096));
        ws.Write("model.bin", v2);
        _repo.Commit(ws, "v2").EnsureCommitted();
        var v2File = _repo.ReadCommit(_repo.HeadCommit!.Value).Tree;
        _repo.Reset(ws, c1, ResetMode.Hard);
        Commit(ws, "other.txt", "so that the newest record does not name v2");
        int before = _storage.Objects.Enumerate().Count();
        _clock.Advance(2 * Hour);

        var report = GarbageCollector.Collect(_repo, new GcOptions { ExpireBefore = _clock.Now });

        // v2's commit, its root tree, its chunked blob and the one or two chunks around the edit.
        Assert.InRange(report.Deleted, 4, 7);
        Assert.Equal(before - report.Deleted, _storage.Objects.Enumerate().Count());
        Assert.False(_storage.Objects.Contains(v2File));
        Assert.Equal(v1, _repo.OpenWorkspace(Repository.DefaultBranch).Read("model.bin").ToArray());
        AssertFsckClean();
    }

    [Fact]
    public void A_negative_grace_period_is_refused_before_anything_changes()
    {
        var e = Assert.Throws<Errors.HeliosException>(() => GarbageCollector.Collect(_repo, new GcOptions { GracePeriod = TimeSpan.FromSeconds(-1) }));
        Assert.Equal(Errors.HeliosErrorCode.InvalidArgument, e.Code);
    }

    [Fact]
    public void Gc_never_deletes_an_object_reachable_from_a_ref_for_any_history_of_commits_and_resets()
    {
        // Property: random histories of commits, branch moves and deletions; after gc with the log expired,
        // everything fsck can reach from the refs is still there.
        var random = new Random(1234);
        for (int round = 0; round < 20; round++)
        {
            using var storage = new InMemoryRepositoryStorage(_clock);
            using var repo = Repository.Init(storage, new RepositoryOptions { Clock = _clock });
            var ws = repo.OpenHead();
            var commits = new List<ObjectId>();
            for (int step = 0; step < 12; step++)
            {
                switch (random.Next(4))
                {
                    case 0 when commits.Count > 0:
                        repo.Reset(ws, commits[random.Next(commits.Count)], ResetMode.Hard);
                        break;
                    case 1 when commits.Count > 0:
                        string name = $"b{random.Next(3)}";
                        if (repo.TryGetBranch(BranchName.Parse(name)) is null)
                        {
                            repo.CreateBranch(BranchName.Parse(name), commits[random.Next(commits.Count)]);
                        }
                        else
                        {
                            repo.DeleteBranch(BranchName.Parse(name));
                        }

                        break;
                    default:
                        ws.Write($"d{random.Next(3)}/f{random.Next(4)}.txt", random.Next(1000).ToString(System.Globalization.CultureInfo.InvariantCulture));
                        if (repo.Commit(ws, "step") is CommitResult.Committed committed)
                        {
                            commits.Add(committed.Id);
                        }

                        break;
                }

                _clock.Advance(TimeSpan.FromMinutes(random.Next(0, 90)));
            }

            GarbageCollector.Collect(repo, new GcOptions { ExpireBefore = _clock.Now - TimeSpan.FromMinutes(random.Next(0, 300)) });

            Assert.Empty(Fsck.Check(repo).Problems);
        }
    }

    /// <summary>A backend whose object store can rewrite and records what it was asked to.</summary>
    private sealed class RewritingStorage(InMemoryRepositoryStorage inner) : IRepositoryStorage
    {
        public RecordingRewriter Rewriter { get; } = new(inner.Objects);

        public IObjectStore Objects => Rewriter;

        public IRefStore Refs => inner.Refs;

        public void Dispose() => inner.Dispose();
    }

    private sealed class RecordingRewriter(IObjectStore inner) : ObjectStoreDecorator(inner), IObjectRewriter
    {
        public Dictionary<ObjectId, ObjectId?> Seen { get; } = [];

        public (long StoredBefore, long StoredAfter) Rewrite(IReadOnlyList<EncodedObject> objects)
        {
            foreach (var o in objects)
            {
                Seen.Add(o.Id, o.DeltaBase);
            }

            return (objects.Sum(o => (long)o.Bytes.Length), objects.Sum(o => (long)o.Bytes.Length) / 2);
        }
    }
}
