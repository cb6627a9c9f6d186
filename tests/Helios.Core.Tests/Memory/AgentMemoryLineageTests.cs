using Helios.Core.Errors;
using Helios.Core.Memory;
using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Repositories;

namespace Helios.Core.Tests.Memory;

public sealed class AgentMemoryLineageTests : IDisposable
{
    private static readonly BranchName Main = Repository.DefaultBranch;
    private static readonly BranchName Child = BranchName.Parse("agent-1/try");
    private readonly ManualClock _clock = new();
    private readonly Repository _repo;
    private readonly AgentMemory _memory;

    public AgentMemoryLineageTests()
    {
        _repo = Repository.CreateInMemory(new RepositoryOptions { Clock = _clock });
        var main = _repo.OpenHead();
        main.Write("a", "1\n");
        _repo.Commit(main, "first").EnsureCommitted();
        _memory = new AgentMemory(_repo);
    }

    public void Dispose() => _repo.Dispose();

    [Fact]
    public void Derive_creates_the_branch_at_the_parent_head_with_its_lineage_in_one_operation()
    {
        var head = _repo.TryGetBranch(Main)!.Value;
        int operations = _repo.Operations().Count;

        var info = _memory.Derive(Main, Child, "agent-1");

        Assert.Equal(head, _repo.TryGetBranch(Child));
        Assert.Equal(operations + 1, _repo.Operations().Count);
        var found = _memory.Find(Child)!;
        Assert.Equal(info, found);
        Assert.Equal((Main, head, "agent-1", MemoryBranchStatus.Active, (ObjectId?)head), (found.Parent, found.DerivedFrom, found.Agent, found.Status, found.Head));
        Assert.Equal([Child], _memory.List().Select(i => i.Branch));
    }

    [Fact]
    public void Deriving_onto_an_existing_branch_or_from_a_missing_one_fails_and_changes_nothing()
    {
        _repo.CreateBranch(Child, _repo.TryGetBranch(Main)!.Value);
        int operations = _repo.Operations().Count;

        Assert.Equal(HeliosErrorCode.AlreadyExists, Assert.Throws<HeliosException>(() => _memory.Derive(Main, Child, "a")).Code);
        Assert.Equal(HeliosErrorCode.NotFound, Assert.Throws<NotFoundException>(() => _memory.Derive(BranchName.Parse("nope"), BranchName.Parse("x"), "a")).Code);
        Assert.Equal(operations, _repo.Operations().Count);
        Assert.Empty(_memory.List());
    }

    [Fact]
    public void Discard_deletes_the_branch_keeps_the_record_and_undo_brings_it_back()
    {
        _memory.Derive(Main, Child, "agent-1");

        var discarded = _memory.Discard(Child);

        Assert.Equal(MemoryBranchStatus.Discarded, discarded.Status);
        Assert.Null(_repo.TryGetBranch(Child));
        Assert.Empty(_memory.List());
        Assert.Equal(MemoryBranchStatus.Discarded, Assert.Single(_memory.List(includeDiscarded: true)).Status);
        Assert.Equal(HeliosErrorCode.InvalidState, Assert.Throws<HeliosException>(() => _memory.Discard(Child)).Code);

        _repo.Undo();
        Assert.Equal(MemoryBranchStatus.Active, _memory.Find(Child)!.Status);
        Assert.NotNull(_repo.TryGetBranch(Child));
    }

    [Fact]
    public void A_discarded_name_can_be_derived_again_and_its_lineage_keeps_the_earlier_life()
    {
        var first = _memory.Derive(Main, Child, "agent-1");
        _memory.Discard(Child);
        var main = _repo.OpenHead();
        main.Write("b", "2\n");
        var moved = _repo.Commit(main, "second").EnsureCommitted();

        var again = _memory.Derive(Main, Child, "agent-2");

        Assert.Equal((moved, "agent-2", MemoryBranchStatus.Active), (again.DerivedFrom, again.Agent, again.Status));
        Assert.Equal(moved, _repo.TryGetBranch(Child));
        var record = _repo.ReadCommit(again.Record);
        Assert.Equal(2, record.Parents.Count);
        Assert.Equal(moved, record.Parents[1]);
        Assert.Contains(first.Record, _repo.Log(record.Parents[0]).Select(c => c.Id));
    }

    [Fact]
    public void Orphans_are_branches_inactive_longer_than_the_limit_and_can_be_discarded()
    {
        _memory.Derive(Main, Child, "agent-1");
        _clock.Advance(TimeSpan.FromHours(3));
        var fresh = BranchName.Parse("agent-2/try");
        _memory.Derive(Main, fresh, "agent-2");

        Assert.Equal([Child], _memory.Orphans(TimeSpan.FromHours(2)).Select(o => o.Branch));
        Assert.Empty(_memory.Orphans(TimeSpan.FromHours(4)));

        Assert.Equal([Child], _memory.DiscardOrphans(TimeSpan.FromHours(2)).Select(o => o.Branch));
        Assert.Equal([fresh], _memory.List().Select(i => i.Branch));
    }

    [Fact]
    public void A_memory_branch_checked_out_in_a_worktree_is_not_discarded_nor_swept_as_an_orphan()
    {
        _memory.Derive(Main, Child, "agent-1");
        _repo.Checkout(Child.Value);
        _clock.Advance(TimeSpan.FromHours(3));
        int operations = _repo.Operations().Count;

        var e = Assert.Throws<HeliosException>(() => _memory.Discard(Child));

        Assert.Equal(HeliosErrorCode.InvalidState, e.Code);
        Assert.Contains("checked out", e.Message, StringComparison.Ordinal);
        Assert.Empty(_memory.DiscardOrphans(TimeSpan.FromHours(2)));
        Assert.Equal(operations, _repo.Operations().Count);
        Assert.NotNull(_repo.TryGetBranch(Child));
        Assert.Equal(MemoryBranchStatus.Active, _memory.Find(Child)!.Status);
    }

    [Fact]
    public void Discarding_a_branch_that_is_not_a_memory_branch_is_a_clear_error()
    {
        var e = Assert.Throws<NotFoundException>(() => _memory.Discard(BranchName.Parse("main")));
        Assert.Contains("not a memory branch", e.Message, StringComparison.Ordinal);
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public void Advance(TimeSpan by) => _now += by;

        public override DateTimeOffset GetUtcNow() => _now = _now.AddMilliseconds(1);
    }
}
