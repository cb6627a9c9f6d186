using Helios.Core.Errors;
using Helios.Core.Merging;
using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Repositories;

namespace Helios.Core.Tests.Merging;

/// <summary>Collections and state arrays recorded in commits travel with commits, resets and file merges.</summary>
public sealed class RootMergeTests : IDisposable
{
    private static readonly BranchName Feature = BranchName.Parse("feature");
    private readonly Repository _repo = Repository.CreateInMemory();

    public void Dispose() => _repo.Dispose();

    [Fact]
    public void A_file_commit_keeps_the_roots_of_its_base_and_a_roots_only_commit_is_not_empty()
    {
        var main = _repo.OpenHead();
        main.Write("a", "1\n");
        _repo.Commit(main, "files").EnsureCommitted();

        var withRoot = _repo.Commit(main, "memory", new CommitOptions { Roots = [Root("kb", 1)] }).EnsureCommitted();
        Assert.Equal([Root("kb", 1)], _repo.ReadCommit(withRoot).Roots);

        main.Write("a", "2\n");
        var next = _repo.Commit(main, "files again").EnsureCommitted();
        Assert.Equal([Root("kb", 1)], _repo.ReadCommit(next).Roots);
        Assert.IsType<CommitResult.NothingToCommit>(_repo.Commit(main, "same roots", new CommitOptions { Roots = [Root("kb", 1)] }));
    }

    [Fact]
    public void A_merge_takes_each_root_from_the_side_that_changed_it()
    {
        var (main, feature) = Fork([Root("kb", 1), Root("sim", 1, ObjectType.StateArray), Root("old", 1)]);
        CommitRoots(main, [Root("kb", 2), Root("sim", 1, ObjectType.StateArray), Root("old", 1)], "main.txt");
        var child = CommitRoots(feature, [Root("kb", 1), Root("sim", 3, ObjectType.StateArray), Root("new", 1)], "feature.txt");

        var report = _repo.Merge(main, child);

        Assert.Equal(MergeOutcome.Merged, report.Outcome);
        Assert.Equal([Root("kb", 2), Root("new", 1), Root("sim", 3, ObjectType.StateArray)], _repo.ReadCommit(report.Commit!.Value).Roots);
    }

    [Fact]
    public void A_root_both_sides_changed_is_refused_under_manual_before_anything_is_committed_and_settled_by_a_side_strategy()
    {
        var (main, feature) = Fork([Root("sim", 1, ObjectType.StateArray)]);
        var parent = CommitRoots(main, [Root("sim", 2, ObjectType.StateArray)], "main.txt");
        var child = CommitRoots(feature, [Root("sim", 3, ObjectType.StateArray)], "feature.txt");

        var e = Assert.Throws<HeliosException>(() => _repo.Merge(main, child));
        Assert.Equal(HeliosErrorCode.Conflict, e.Code);
        Assert.Contains("Both sides changed 'sim'", e.Message, StringComparison.Ordinal);
        Assert.Equal(parent, _repo.TryGetBranch(Repository.DefaultBranch));
        Assert.Null(main.TryRead("feature.txt"));

        var report = _repo.Merge(main, child, new MergeOptions { Strategy = MergeStrategy.ChildWins });
        Assert.Equal([Root("sim", 3, ObjectType.StateArray)], _repo.ReadCommit(report.Commit!.Value).Roots);
    }

    [Fact]
    public void A_file_merge_merges_a_collection_both_sides_changed_key_by_key()
    {
        var memory = new Helios.Core.Memory.AgentMemory(_repo);
        var main = _repo.OpenHead();
        main.Write("base.txt", "b\n");
        _repo.Commit(main, "base").EnsureCommitted();
        var kb = memory.Open(Repository.DefaultBranch);
        kb.CreateCollection("kb", 0).Put("shared", "0"u8);
        var at = kb.Commit("kb")!.Value;
        _repo.CreateBranch(Feature, at);
        var ours = memory.Open(Repository.DefaultBranch);
        ours.Collection("kb").Put("ours", "1"u8);
        ours.Collection("kb").Put("shared", "ours"u8);
        ours.Commit("ours");
        var theirs = memory.Open(Feature);
        theirs.Collection("kb").Put("theirs", "2"u8);
        theirs.Collection("kb").Put("shared", "theirs"u8);
        var child = theirs.Commit("theirs")!.Value;
        main = _repo.OpenHead();

        var refused = Assert.Throws<HeliosException>(() => _repo.Merge(main, child));
        Assert.Contains("collection 'kb' (shared)", refused.Message, StringComparison.Ordinal);

        var report = _repo.Merge(main, child, new MergeOptions { Strategy = MergeStrategy.ChildWins });
        var merged = memory.Open(Repository.DefaultBranch).Collection("kb");
        Assert.Equal(MergeOutcome.Merged, report.Outcome);
        Assert.Equal(["ours", "shared", "theirs"], merged.Scan().Select(kv => kv.Key));
        Assert.Equal("theirs"u8.ToArray(), merged.GetBytes("shared"));
    }

    private static StateRoot Root(string name, byte version, ObjectType type = ObjectType.Collection) =>
        new(name, type, ObjectId.Of([(byte)type, version]));

    private (Workspace Main, Workspace Feature) Fork(IReadOnlyList<StateRoot> roots)
    {
        var main = _repo.OpenHead();
        main.Write("base.txt", "b\n");
        var at = _repo.Commit(main, "base", new CommitOptions { Roots = roots }).EnsureCommitted();
        _repo.CreateBranch(Feature, at);
        return (main, _repo.OpenWorkspace(Feature));
    }

    private ObjectId CommitRoots(Workspace workspace, IReadOnlyList<StateRoot> roots, string file)
    {
        workspace.Write(file, file);
        return _repo.Commit(workspace, "change", new CommitOptions { Roots = roots }).EnsureCommitted();
    }
}
