using Helios.Core.Errors;
using Helios.Core.Integrity;
using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Repositories;
using Helios.Core.StateArrays;
using static Helios.Core.Tests.StateArrays.StateArrayTestSupport;

namespace Helios.Core.Tests.StateArrays;

public class StateArrayCommitTests
{
    private static readonly StateArrayOptions SmallPages = new() { PageSize = 4096 };
    private readonly Repository _repo = Repository.CreateInMemory();
    private readonly BranchName _main = Repository.DefaultBranch;

    [Fact]
    public void Committing_a_registry_records_each_array_as_a_named_root_beside_the_files()
    {
        var ws = _repo.OpenHead();
        ws.Write("notes.txt", "hello");
        var files = _repo.Commit(ws, "files").EnsureCommitted();

        var registry = new StateArrayRegistry(_repo.Objects.Store);
        var agents = registry.Create<Agent>("agents", 1000, options: SmallPages);
        var scores = registry.Create<double>("scores", 10);
        agents.Set(3, AgentFor(3));
        int operations = _repo.Operations().Count;

        var result = registry.CommitTo(_repo, _main, "frame 1", agent: "sim");
        var commit = _repo.ReadCommit(result.Commit!.Value);
        Assert.Equal([files], commit.Parents);
        Assert.Equal(_repo.ReadCommit(files).Tree, commit.Tree);
        Assert.Equal(["agents", "scores"], commit.Roots.Select(r => r.Name));
        Assert.All(commit.Roots, r => Assert.Equal(ObjectType.StateArray, r.Type));
        Assert.Equal(agents.LastCheckpoint, commit.FindRoot("agents")!.Id);
        Assert.Equal(scores.LastCheckpoint, commit.FindRoot("scores")!.Id);
        Assert.Equal(result.Commit, _repo.TryGetBranch(_main));
        Assert.Equal(operations + 1, _repo.Operations().Count);
        Assert.Equal("sim", _repo.Operations(1)[0].Info.Agent);

        // Nothing changed: no new commit.
        Assert.Null(registry.CommitTo(_repo, _main, "frame 2").Commit);
    }

    [Fact]
    public void A_registry_commit_on_an_unborn_branch_makes_a_root_commit_with_no_files()
    {
        var registry = new StateArrayRegistry(_repo.Objects.Store);
        registry.Create<Agent>("agents", 10);
        var id = registry.CommitTo(_repo, _main, "start").Commit!.Value;
        var commit = _repo.ReadCommit(id);
        Assert.Empty(commit.Parents);
        Assert.Empty(_repo.Objects.Read<Tree>(commit.Tree).Entries);
        Assert.Equal(1, commit.Generation);
    }

    [Fact]
    public void Restore_after_reset_or_undo_brings_the_arrays_back_with_the_branch()
    {
        var registry = new StateArrayRegistry(_repo.Objects.Store);
        var agents = registry.Create<Agent>("agents", 1000, options: SmallPages);
        agents.Set(1, AgentFor(1));
        var first = registry.CommitTo(_repo, _main, "frame 1").Commit!.Value;
        var atFirst = Snapshot(agents);
        agents.Set(900, AgentFor(900, frame: 5));
        var second = registry.CommitTo(_repo, _main, "frame 2").Commit!.Value;
        var atSecond = Snapshot(agents);

        _repo.Undo();
        Assert.Equal(first, _repo.TryGetBranch(_main));
        var restore = registry.Restore(_repo, _repo.TryGetBranch(_main)!.Value);
        Assert.Equal(1, restore.Restored["agents"].PagesRewritten);
        Assert.Equal(atFirst, Snapshot(agents));

        _repo.Undo(); // undoing the undo redoes
        registry.Restore(_repo, _repo.TryGetBranch(_main)!.Value);
        Assert.Equal(atSecond, Snapshot(agents));
        Assert.Equal(_repo.ReadCommit(second).FindRoot("agents")!.Id, agents.LastCheckpoint);
    }

    [Fact]
    public void Arrays_opened_from_a_branch_see_its_checkpoint_and_branches_stay_apart()
    {
        var registry = new StateArrayRegistry(_repo.Objects.Store);
        var agents = registry.Create<Agent>("agents", 100);
        agents.Set(0, AgentFor(0));
        var start = registry.CommitTo(_repo, _main, "start").Commit!.Value;
        var experiment = BranchName.Parse("experiment");
        _repo.CreateBranch(experiment, start);

        agents.GetForWrite(0).Health = 1;
        registry.CommitTo(_repo, experiment, "try");
        Assert.Equal(start, _repo.TryGetBranch(_main));

        var other = new StateArrayRegistry(_repo.Objects.Store);
        var onMain = other.Open<Agent>(_repo, _repo.TryGetBranch(_main)!.Value, "agents");
        Assert.Equal(AgentFor(0), onMain[0]);
        var onExperiment = StateArray.Load<Agent>(_repo.Objects.Store, _repo.ReadCommit(_repo.TryGetBranch(experiment)!.Value).FindRoot("agents")!.Id, "agents");
        Assert.Equal(1, onExperiment[0].Health);
    }

    [Fact]
    public void A_file_commit_in_between_is_kept_and_a_later_file_commit_keeps_the_roots()
    {
        var registry = new StateArrayRegistry(_repo.Objects.Store);
        var agents = registry.Create<Agent>("agents", 100);
        registry.CommitTo(_repo, _main, "start");

        var ws = _repo.OpenHead();
        ws.Write("a.txt", "1");
        var files = _repo.Commit(ws, "files").EnsureCommitted();
        agents.Set(5, AgentFor(5));
        var arrays = registry.CommitTo(_repo, _main, "frame").Commit!.Value;
        Assert.Equal([files], _repo.ReadCommit(arrays).Parents);
        Assert.Equal(_repo.ReadCommit(files).Tree, _repo.ReadCommit(arrays).Tree);

        var ws2 = _repo.OpenHead();
        ws2.Write("b.txt", "2");
        var later = _repo.Commit(ws2, "more files").EnsureCommitted();
        Assert.Equal(agents.LastCheckpoint, _repo.ReadCommit(later).FindRoot("agents")!.Id);
    }

    [Fact]
    public void A_registry_on_another_store_or_a_collection_of_the_same_name_is_refused_and_nothing_changes()
    {
        var elsewhere = new StateArrayRegistry(new ControllableStore());
        elsewhere.Create<Agent>("agents", 10);
        Assert.Equal(HeliosErrorCode.InvalidArgument, Assert.Throws<HeliosException>(() => elsewhere.CommitTo(_repo, _main, "x")).Code);

        var registry = new StateArrayRegistry(_repo.Objects.Store);
        var agents = registry.Create<Agent>("agents", 10);
        var first = registry.CommitTo(_repo, _main, "start").Commit!.Value;
        var other = new StateArrayRegistry(_repo.Objects.Store);
        var mismatched = other.Create<long>("agents", 10);
        Assert.Equal(HeliosErrorCode.InvalidArgument, Assert.Throws<HeliosException>(() => other.Restore(_repo, first)).Code);
        Assert.Null(mismatched.LastCheckpoint);
        Assert.Equal(first, _repo.TryGetBranch(_main));
    }

    [Fact]
    public void Committing_over_a_root_another_writer_or_an_undo_moved_is_a_conflict_that_changes_nothing()
    {
        var registry = new StateArrayRegistry(_repo.Objects.Store);
        var agents = registry.Create<Agent>("agents", 100);
        var start = registry.CommitTo(_repo, _main, "start").Commit!.Value;

        var rival = new StateArrayRegistry(_repo.Objects.Store);
        rival.Open<Agent>(_repo, start, "agents").Set(1, AgentFor(1));
        var rivals = rival.CommitTo(_repo, _main, "rival").Commit!.Value;

        agents.Set(2, AgentFor(2));
        var last = agents.LastCheckpoint;
        var e = Assert.Throws<HeliosException>(() => registry.CommitTo(_repo, _main, "mine"));
        Assert.Equal(HeliosErrorCode.Conflict, e.Code);
        Assert.Equal(rivals, _repo.TryGetBranch(_main));
        Assert.Equal(last, agents.LastCheckpoint);
        Assert.Equal(1, agents.DirtyPageCount);

        // Restoring the branch's state first lets the registry continue from it.
        registry.Restore(_repo, rivals);
        agents.Set(2, AgentFor(2));
        Assert.NotNull(registry.CommitTo(_repo, _main, "mine").Commit);

        _repo.Undo();
        agents.Set(3, AgentFor(3));
        Assert.Equal(HeliosErrorCode.Conflict, Assert.Throws<HeliosException>(() => registry.CommitTo(_repo, _main, "after undo")).Code);
    }

    [Fact]
    public void Plain_checkpoints_between_commits_do_not_block_the_next_commit()
    {
        var registry = new StateArrayRegistry(_repo.Objects.Store);
        var agents = registry.Create<Agent>("agents", 100);
        registry.CommitTo(_repo, _main, "start");
        for (int frame = 0; frame < 3; frame++)
        {
            agents.Set(frame, AgentFor(frame));
            registry.Checkpoint();
        }

        var id = registry.CommitTo(_repo, _main, "every third frame").Commit!.Value;
        Assert.Equal(agents.LastCheckpoint, _repo.ReadCommit(id).FindRoot("agents")!.Id);
    }

    [Fact]
    public void Fsck_walks_a_committed_state_array_to_its_pages_and_reports_a_missing_page_with_its_checkpoint()
    {
        var registry = new StateArrayRegistry(_repo.Objects.Store);
        var agents = registry.Create<Agent>("agents", 2000, options: SmallPages);
        agents.Set(100, AgentFor(100));
        registry.CommitTo(_repo, _main, "frame");
        var report = Fsck.Check(_repo);
        Assert.True(report.IsClean);
        // The commit, its empty tree, the root, the page written, and the zero pages: one full, one
        // for the shorter last page (2,000 agents are 31 pages of 64 and one of 16).
        Assert.Equal(6, report.ReachableObjects);

        var root = StateArray.ReadRoot(_repo.Objects.Store, agents.LastCheckpoint!.Value);
        _repo.Objects.Store.Delete([root.Pages[1].Page]);
        var problem = Assert.Single(Fsck.Check(_repo).Problems);
        Assert.Equal(FsckProblemKind.MissingObject, problem.Kind);
        Assert.Equal(root.Pages[1].Page, problem.Id);
        Assert.Contains($"page 1 of state array checkpoint {agents.LastCheckpoint}", problem.Message, StringComparison.Ordinal);
    }
}
