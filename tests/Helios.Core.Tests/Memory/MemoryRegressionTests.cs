using Helios.Core.Collections;
using Helios.Core.Errors;
using Helios.Core.Memory;
using Helios.Core.Merging;
using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Repositories;
using Helios.Core.StateArrays;
using Helios.Core.Storage;

namespace Helios.Core.Tests.Memory;

/// <summary>Races and reports the review of issues 5 and 6 found wrong (each failed before its fix).</summary>

public sealed class MemoryRegressionTests : IDisposable
{
    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() { Now = Now.AddSeconds(1); return Now; }
        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
    }

    private static readonly BranchName Main = Repository.DefaultBranch;
    private readonly Clock _clock = new();
    private readonly MemorySigningKey _key = MemorySigningKey.Generate();
    private readonly Repository _repo;
    private readonly AgentMemory _memory;

    public void Dispose()
    {
        _repo.Dispose();
        _key.Dispose();
    }

    public MemoryRegressionTests()
    {
        _repo = Repository.CreateInMemory(new RepositoryOptions { Clock = _clock, MergeLogSigner = new Lazy<IMergeLogSigner>(() => _key) });
        var ws = _repo.OpenHead();
        ws.Write("README", "kb\n");
        _repo.Commit(ws, "first").EnsureCommitted();
        _memory = new AgentMemory(_repo);
        var kb = _memory.Open(Main);
        kb.CreateCollection("notes", 0).Put("k", "base"u8);
        kb.CreateCollection("other", 0).Put("x", "1"u8);
        kb.Commit("seed");
    }

    [Fact]
    public void After_restoring_a_commit_without_an_array_the_next_commit_records_it_afresh()
    {
        var registry = new StateArrayRegistry(_repo.Objects.Store);
        var before = _repo.TryGetBranch(Main)!.Value;
        var a = registry.Create<long>("a", 10);
        a.Set(1, 5);
        registry.CommitTo(_repo, Main, "frame");
        _repo.Refs.Commit(new RefTransaction([new RefUpdate(Main.Ref, RefTarget.To(_repo.TryGetBranch(Main)!.Value), RefTarget.To(before))], _repo.Info("reset", "reset", "")));
        var restore = registry.Restore(_repo, before);
        Assert.Equal(["a"], restore.NotInCommit);
        a.Set(2, 6);
        var again = registry.CommitTo(_repo, Main, "frame 2");
        Assert.NotNull(_repo.ReadCommit(again.Commit!.Value).FindRoot("a"));
    }

    [Fact]
    public void After_a_commit_a_handle_reads_the_collections_it_did_not_edit_at_the_new_head()
    {
        var h = _memory.Open(Main);
        Assert.Equal("1"u8.ToArray(), h.Collection("other").GetBytes("x"));
        var other = _memory.Open(Main);
        other.Collection("other").Put("x", "2"u8);
        other.Commit("other writer");
        h.Collection("notes").Put("k", "mine"u8);
        var head = h.Commit("mine")!.Value;
        Assert.Equal(head, h.Head);
        Assert.Equal("2"u8.ToArray(), _memory.Open(Main).Collection("other").GetBytes("x"));
        Assert.Equal("2"u8.ToArray(), h.Collection("other").GetBytes("x"));
    }

    [Fact]
    public void A_child_deleting_a_collection_is_in_the_report_its_hash_and_the_log_record()
    {
        var child = BranchName.Parse("c1");
        _memory.Derive(Main, child, "a1");
        var ws = _repo.OpenWorkspace(child);
        var roots = _repo.ReadCommit(_repo.TryGetBranch(child)!.Value).Roots.Where(r => r.Name != "notes").ToArray();
        _repo.Commit(ws, "drop notes", new CommitOptions { Roots = roots }).EnsureCommitted();
        var report = _memory.Merge(child, new MemoryMergeOptions { Strategy = MergeStrategy.ChildWins });
        Assert.Null(_repo.ReadCommit(_repo.TryGetBranch(Main)!.Value).FindRoot("notes")); // parent lost the collection
        Assert.Equal([new RootMergeChange("notes", ObjectType.Collection, "deleted", "child")], report.Roots);
        Assert.Contains("notes", new MergeLog(_repo).Records().First().Record.Entry.Collections);
        Assert.Contains("notes: deleted by the child", _repo.Operations(1)[0].Info.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Newest_wins_finds_when_a_value_was_written_even_when_it_arrived_through_a_merge_commit()
    {
        var c1 = BranchName.Parse("c1"); var c2 = BranchName.Parse("c2"); var c3 = BranchName.Parse("c3");
        _memory.Derive(Main, c1, "a1"); _memory.Derive(Main, c2, "a2"); _memory.Derive(Main, c3, "a3");
        var b2 = _memory.Open(c2); b2.Collection("notes").Put("k", "c2-old"u8); b2.Commit("c2 writes at t0");
        var b1 = _memory.Open(c1); b1.Collection("notes").Put("k", "c1-new"u8); b1.Commit("c1 writes at t1 > t0");
        var b3 = _memory.Open(c3); b3.Collection("other").Put("y", "z"u8); b3.Commit("c3 unrelated");
        _memory.Merge(c3, new() { Strategy = MergeStrategy.NewestWins });  // fast-forward
        _memory.Merge(c2, new() { Strategy = MergeStrategy.NewestWins });  // merge commit at t2
        _memory.Merge(c1, new() { Strategy = MergeStrategy.NewestWins });
        // c1's write (t1) is newer than c2's (t0), but the parent's "last change" is the merge commit time t2.
        Assert.Equal("c1-new"u8.ToArray(), _memory.Open(Main).Collection("notes").GetBytes("k"));
    }

    [Fact]
    public void A_state_array_checkpoint_commit_does_not_copy_the_head_s_merge_metadata()
    {
        var c1 = BranchName.Parse("c1"); var c2 = BranchName.Parse("c2");
        _memory.Derive(Main, c1, "a1"); _memory.Derive(Main, c2, "a2");
        var b1 = _memory.Open(c1); b1.Collection("notes").Put("k1", "v"u8); b1.Commit("w");
        var b2 = _memory.Open(c2); b2.Collection("notes").Put("k2", "v"u8); b2.Commit("w");
        _memory.Merge(c1, new() { Strategy = MergeStrategy.ChildWins });
        _memory.Merge(c2, new() { Strategy = MergeStrategy.ChildWins });
        var registry = new StateArrayRegistry(_repo.Objects.Store);
        registry.Create<long>("a", 10).Set(0, 1);
        var id = registry.CommitTo(_repo, Main, "frame").Commit!.Value;
        var commit = _repo.ReadCommit(id);
        Assert.Single(commit.Parents);
        Assert.DoesNotContain("merge.strategy", commit.Metadata.Keys);
    }

    [Fact]
    public void A_collection_created_while_another_writer_records_a_state_array_of_that_name_is_a_conflict()
    {
        var h = _memory.Open(Main);
        h.CreateCollection("a", 0).Put("k", "v"u8);
        var registry = new StateArrayRegistry(_repo.Objects.Store);
        registry.Create<long>("a", 10).Set(0, 1);
        registry.CommitTo(_repo, Main, "frame");
        var e = Assert.Throws<HeliosException>(() => h.Commit("mine"));
        Assert.Equal(HeliosErrorCode.Conflict, e.Code);
    }
}
