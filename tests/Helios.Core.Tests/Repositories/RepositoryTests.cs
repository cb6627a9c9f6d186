using Helios.Core.Errors;
using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Repositories;

namespace Helios.Core.Tests.Repositories;

public class RepositoryTests
{
    private readonly Repository _repo = Repository.CreateInMemory();

    private ObjectId CommitFile(Workspace ws, string path, string content, string message)
    {
        ws.Write(path, content);
        return _repo.Commit(ws, message).EnsureCommitted();
    }

    [Fact]
    public void Init_checks_out_an_unborn_main_branch()
    {
        Assert.Equal(Repository.DefaultBranch, _repo.CurrentBranch);
        Assert.Null(_repo.HeadCommit);
        Assert.Empty(_repo.ListBranches());
        Assert.Empty(_repo.OpenHead().ListFiles());
    }

    [Fact]
    public void Commit_moves_the_branch_and_records_parents_and_metadata()
    {
        var ws = _repo.OpenHead();
        var first = CommitFile(ws, "a.txt", "1", "first");
        ws.Write("a.txt", "2");
        var second = _repo.Commit(ws, "second\n\nbody", new CommitOptions { Metadata = new Dictionary<string, string> { ["score"] = "0.9" } }).EnsureCommitted();
        Assert.Equal(second, _repo.HeadCommit);
        var commit = _repo.ReadCommit(second);
        Assert.Equal([first], commit.Parents);
        Assert.Equal("second", commit.Subject);
        Assert.Equal("0.9", commit.Metadata["score"]);
        Assert.Empty(_repo.ReadCommit(first).Parents);
    }

    [Fact]
    public void Committing_an_unchanged_workspace_reports_nothing_to_commit()
    {
        var ws = _repo.OpenHead();
        Assert.IsType<CommitResult.NothingToCommit>(_repo.Commit(ws, "empty"));
        CommitFile(ws, "a", "1", "first");
        Assert.IsType<CommitResult.NothingToCommit>(_repo.Commit(ws, "again"));
        Assert.IsType<CommitResult.Committed>(_repo.Commit(ws, "allowed", new CommitOptions { AllowEmpty = true }));
    }

    [Fact]
    public void A_commit_based_on_a_stale_head_reports_that_the_branch_moved_and_loses_nothing()
    {
        var a = _repo.OpenHead();
        CommitFile(a, "base", "0", "base");
        var b = _repo.OpenHead();
        var winner = CommitFile(a, "x", "a", "from a");
        b.Write("x", "b");
        var result = _repo.Commit(b, "from b");
        var moved = Assert.IsType<CommitResult.RefMoved>(result);
        Assert.Equal(RefTarget.To(winner), moved.Actual);
        Assert.Equal(winner, _repo.HeadCommit);
        var e = Assert.Throws<HeliosException>(() => result.EnsureCommitted());
        Assert.Equal(HeliosErrorCode.Conflict, e.Code);
    }

    [Fact]
    public void Only_changed_blobs_and_trees_on_changed_paths_are_stored()
    {
        var storage = new Core.Storage.InMemory.InMemoryRepositoryStorage();
        using var repo = Repository.Init(storage);
        var ws = repo.OpenHead();
        for (int d = 0; d < 10; d++)
        {
            for (int f = 0; f < 10; f++)
            {
                ws.Write($"dir{d}/file{f}.txt", $"{d}/{f}");
            }
        }

        repo.Commit(ws, "tree").EnsureCommitted();
        var store = (Core.Storage.InMemory.InMemoryObjectStore)storage.Objects;
        int before = store.Count;
        ws.Write("dir3/file4.txt", "changed");
        repo.Commit(ws, "one change").EnsureCommitted();
        // One blob, the dir3 tree, the root tree, the commit.
        Assert.Equal(before + 4, store.Count);
    }

    [Fact]
    public void Branches_are_created_listed_and_deleted_without_copying()
    {
        var ws = _repo.OpenHead();
        var c = CommitFile(ws, "a", "1", "first");
        var feature = BranchName.Parse("agent-1/try");
        _repo.CreateBranch(feature, c);
        Assert.Equal(["agent-1/try", "main"], _repo.ListBranches().Select(b => b.Name.Value));
        var e = Assert.Throws<HeliosException>(() => _repo.CreateBranch(feature, c));
        Assert.Equal(HeliosErrorCode.AlreadyExists, e.Code);
        _repo.DeleteBranch(feature);
        Assert.Null(_repo.TryGetBranch(feature));
        Assert.Equal(HeliosErrorCode.InvalidState, Assert.Throws<HeliosException>(() => _repo.DeleteBranch(Repository.DefaultBranch)).Code);
        Assert.Equal(HeliosErrorCode.NotFound, Assert.Throws<NotFoundException>(() => _repo.DeleteBranch(feature)).Code);
    }

    [Fact]
    public void Checkout_of_a_branch_and_of_a_commit_moves_head_and_shows_their_files()
    {
        var main = _repo.OpenHead();
        var first = CommitFile(main, "f", "main-1", "m1");
        _repo.CreateBranch(BranchName.Parse("side"), first);
        CommitFile(main, "f", "main-2", "m2");

        var side = _repo.Checkout("side");
        Assert.Equal(BranchName.Parse("side"), _repo.CurrentBranch);
        Assert.Equal("main-1", System.Text.Encoding.UTF8.GetString(side.Read("f").Span));

        var detached = _repo.Checkout(first.ToString()[..8]);
        Assert.Null(_repo.CurrentBranch);
        Assert.Equal(first, _repo.HeadCommit);
        var onDetached = CommitFile(detached, "g", "x", "detached work");
        Assert.Equal(onDetached, _repo.HeadCommit);
        Assert.Equal(first, _repo.TryGetBranch(BranchName.Parse("side")));
    }

    [Fact]
    public void Reset_hard_discards_changes_and_reset_soft_keeps_them()
    {
        var ws = _repo.OpenHead();
        var first = CommitFile(ws, "f", "1", "one");
        CommitFile(ws, "f", "2", "two");
        ws.Write("f", "3");

        _repo.Reset(ws, first, ResetMode.Soft);
        Assert.Equal(first, _repo.HeadCommit);
        Assert.Equal("3", System.Text.Encoding.UTF8.GetString(ws.Read("f").Span));
        Assert.True(ws.HasChanges);

        _repo.Reset(ws, first, ResetMode.Hard);
        Assert.Equal("1", System.Text.Encoding.UTF8.GetString(ws.Read("f").Span));
        Assert.False(ws.HasChanges);
    }

    [Fact]
    public void Log_lists_newest_first_and_visits_each_commit_once()
    {
        var clock = new StepClock();
        using var repo = Repository.CreateInMemory(new RepositoryOptions { Clock = clock });
        var ws = repo.OpenHead();
        ws.Write("f", "0");
        var root = repo.Commit(ws, "root").EnsureCommitted();
        repo.CreateBranch(BranchName.Parse("side"), root);
        ws.Write("f", "1");
        var onMain = repo.Commit(ws, "main").EnsureCommitted();
        var side = repo.OpenWorkspace(BranchName.Parse("side"));
        side.Write("g", "s");
        var onSide = repo.Commit(side, "side").EnsureCommitted();
        ws.Write("g", "s");
        var merge = repo.Commit(ws, "merge", new CommitOptions { ExtraParents = [onSide] }).EnsureCommitted();

        Assert.Equal([merge, onSide, onMain, root], repo.Log(merge).Select(x => x.Id));
        Assert.Equal(onSide, repo.ResolveRevision("HEAD^2"));
        Assert.Equal(onMain, repo.ResolveRevision("HEAD^"));
        Assert.Equal(root, repo.ResolveRevision("HEAD~2"));
        Assert.Equal(root, repo.ResolveRevision("main^1~1"));
        Assert.Equal(root, repo.ResolveRevision("side~"));
        Assert.Equal(merge, repo.ResolveRevision("refs/heads/main"));
        Assert.Equal(merge, repo.ResolveRevision(merge.ToString()));
    }

    [Theory]
    [InlineData("nope", HeliosErrorCode.NotFound)]
    [InlineData("HEAD~5", HeliosErrorCode.NotFound)]
    [InlineData("HEAD^3", HeliosErrorCode.NotFound)]
    [InlineData("abc", HeliosErrorCode.NotFound)]
    [InlineData("HEAD~x", HeliosErrorCode.InvalidArgument)]
    [InlineData("~1", HeliosErrorCode.InvalidArgument)]
    [InlineData("", HeliosErrorCode.InvalidArgument)]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000", HeliosErrorCode.NotFound)]
    public void Bad_revisions_give_one_clear_error(string revision, HeliosErrorCode code)
    {
        CommitFile(_repo.OpenHead(), "f", "1", "one");
        var e = Assert.ThrowsAny<HeliosException>(() => _repo.ResolveRevision(revision));
        Assert.Equal(code, e.Code);
    }

    [Fact]
    public void An_ambiguous_short_id_is_reported_with_its_candidates()
    {
        var ws = _repo.OpenHead();
        var ids = new List<ObjectId>();
        for (int i = 0; ids.GroupBy(id => id.ToString()[..4]).All(g => g.Count() < 2); i++)
        {
            ids.Add(CommitFile(ws, "f", i.ToString(), $"c{i}"));
        }

        var prefix = ids.GroupBy(id => id.ToString()[..4]).First(g => g.Count() > 1).Key;
        var e = Assert.Throws<HeliosException>(() => _repo.ResolveRevision(prefix));
        Assert.Equal(HeliosErrorCode.Ambiguous, e.Code);
        Assert.Contains("ambiguous", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Undo_restores_refs_and_undoing_the_undo_redoes()
    {
        var ws = _repo.OpenHead();
        var first = CommitFile(ws, "f", "1", "one");
        var second = CommitFile(ws, "f", "2", "two");
        _repo.Undo();
        Assert.Equal(first, _repo.HeadCommit);
        _repo.Undo();
        Assert.Equal(second, _repo.HeadCommit);

        _repo.Checkout(first.ToString());
        _repo.Undo();
        Assert.Equal(Repository.DefaultBranch, _repo.CurrentBranch);
    }

    [Fact]
    public void Every_ref_change_is_in_the_operation_log_chained_by_hash()
    {
        var ws = _repo.OpenHead();
        var c = CommitFile(ws, "f", "1", "one");
        _repo.CreateBranch(BranchName.Parse("b"), c);
        _repo.Checkout("b");
        _repo.Undo();
        var ops = _repo.Operations();
        Assert.Equal(["undo", "checkout", "branch", "commit", "init"], ops.Select(o => o.Info.Kind));
        Assert.Equal([5L, 4, 3, 2, 1], ops.Select(o => o.Sequence));
        for (int i = 0; i < ops.Count - 1; i++)
        {
            Assert.Equal(ops[i + 1].Hash, ops[i].Previous);
        }
    }

    [Fact]
    public void Forks_sharing_unsaved_changes_commit_from_many_threads_and_lose_nothing()
    {
        var storage = new Core.Storage.InMemory.InMemoryRepositoryStorage();
        using var repo = Repository.Init(storage);
        var main = repo.OpenHead();
        for (int f = 0; f < 50; f++) main.Write($"shared/f{f}", $"base {f}");
        var baseCommit = repo.Commit(main, "base").EnsureCommitted();
        main.Write("notes/shared.txt", "unsaved change every fork shares");

        const int threads = 4, commitsEach = 100;
        var branches = Enumerable.Range(0, threads).Select(t => BranchName.Parse($"agent-{t}")).ToArray();
        var forks = branches.Select(main.Fork).ToArray();
        Parallel.For(0, threads, t =>
        {
            repo.CreateBranch(branches[t], baseCommit);
            var ws = forks[t];
            for (int i = 0; i < commitsEach; i++)
            {
                ws.Write($"shared/f{(i * 7 + t) % 50}", $"agent {t} commit {i}");
                repo.Commit(ws, $"agent {t} commit {i}").EnsureCommitted();
            }
        });

        using var reopened = Repository.Open(storage);
        for (int t = 0; t < threads; t++)
        {
            var head = reopened.TryGetBranch(BranchName.Parse($"agent-{t}"))!.Value;
            Assert.Equal(commitsEach + 1, reopened.Log(head).Count());
            var ws = reopened.OpenWorkspace(BranchName.Parse($"agent-{t}"));
            Assert.Equal(51, ws.ListFiles().Count(path => ws.Read(path).Length > 0));
            Assert.Equal("unsaved change every fork shares", System.Text.Encoding.UTF8.GetString(ws.Read("notes/shared.txt").Span));
        }
    }

    [Fact]
    public void Undo_with_nothing_to_undo_says_so()
    {
        Assert.Equal(HeliosErrorCode.NothingToDo, Assert.Throws<HeliosException>(() => _repo.Undo()).Code);
    }

    [Fact]
    public void A_corrupt_stored_object_is_reported_with_its_id()
    {
        var storage = new Core.Storage.InMemory.InMemoryRepositoryStorage();
        var repo = Repository.Init(storage);
        var ws = repo.OpenHead();
        ws.Write("f", "precious");
        var c = repo.Commit(ws, "c").EnsureCommitted();
        var blobId = repo.ReadCommit(c).Tree;
        var bytes = storage.Objects.TryGet(blobId)!;
        bytes[^1] ^= 0xff;

        using var reopened = Repository.Open(storage);
        var e = Assert.Throws<CorruptObjectException>(() => reopened.OpenHead().ListFiles().ToList());
        Assert.Equal(blobId, e.Expected);
        Assert.Equal(HeliosErrorCode.Corruption, e.Code);
    }

    private sealed class StepClock : TimeProvider
    {
        private DateTimeOffset _now = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now = _now.AddSeconds(1);
    }
}
