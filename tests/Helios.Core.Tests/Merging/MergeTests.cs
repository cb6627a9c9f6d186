using System.Text;
using Helios.Core.Errors;
using Helios.Core.Merging;
using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Repositories;

namespace Helios.Core.Tests.Merging;

public sealed class MergeTests : IDisposable
{
    private static readonly BranchName Feature = BranchName.Parse("feature");
    private const string Lines = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
    private readonly Repository _repo = Repository.CreateInMemory();
    private int _clock;

    public void Dispose() => _repo.Dispose();

    [Fact]
    public void Edits_to_separate_lines_and_files_from_both_sides_merge_into_a_commit_with_two_parents()
    {
        var (main, feature) = Fork(new() { ["f.txt"] = Lines, ["keep.txt"] = "k\n" });
        Commit(main, new() { ["f.txt"] = Lines.Replace("2\n", "two\n"), ["main-only.txt"] = "m\n" });
        var child = Commit(feature, new() { ["f.txt"] = Lines.Replace("8\n", "eight\n"), ["keep.txt"] = null });
        var parent = main.BaseCommit;

        var report = _repo.Merge(main, child, new MergeOptions { ChildLabel = "feature" });

        Assert.Equal(MergeOutcome.Merged, report.Outcome);
        Assert.Empty(report.Conflicts);
        Assert.Equal(["f.txt", "keep.txt"], report.MergedPaths);
        var merge = _repo.ReadCommit(report.Commit!.Value);
        Assert.Equal([parent!.Value, child], merge.Parents);
        Assert.Equal("manual", merge.Metadata["merge.strategy"]);
        Assert.Equal(Lines.Replace("2\n", "two\n").Replace("8\n", "eight\n"), Text(main, "f.txt"));
        Assert.Null(main.TryRead("keep.txt"));
        Assert.Equal("m\n", Text(main, "main-only.txt"));
        Assert.Equal(report.Commit, _repo.TryGetBranch(Repository.DefaultBranch));
        var record = _repo.Operations(1)[0];
        Assert.Equal("merge", record.Info.Kind);
        Assert.Contains("merge feature (manual): 2 paths merged cleanly", record.Info.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void A_parent_that_is_an_ancestor_fast_forwards_and_a_merged_child_is_up_to_date()
    {
        var (main, feature) = Fork(new() { ["a"] = "1\n" });
        var child = Commit(feature, new() { ["a"] = "2\n" });

        var report = _repo.Merge(main, child);
        Assert.Equal(MergeOutcome.FastForward, report.Outcome);
        Assert.Equal(child, _repo.TryGetBranch(Repository.DefaultBranch));
        Assert.Equal("2\n", Text(main, "a"));

        Assert.Equal(MergeOutcome.UpToDate, _repo.Merge(main, child).Outcome);

        // Even with fast-forwards off, a child already in the history is up to date.
        Assert.Equal(MergeOutcome.UpToDate, _repo.Merge(main, child, new MergeOptions { FastForward = false }).Outcome);
    }

    [Fact]
    public void Overlapping_edits_conflict_under_manual_and_nothing_is_committed()
    {
        var (main, feature) = Fork(new() { ["f.txt"] = Lines });
        var parent = Commit(main, new() { ["f.txt"] = Lines.Replace("5\n", "five-main\n") });
        var child = Commit(feature, new() { ["f.txt"] = Lines.Replace("5\n", "five-feature\n") });

        var report = _repo.Merge(main, child, new MergeOptions { ChildLabel = "feature" });

        Assert.Equal(MergeOutcome.Conflicted, report.Outcome);
        var conflict = Assert.Single(report.Conflicts);
        Assert.Equal(new MergeConflict("f.txt", ConflictKind.Content, ConflictResolution.Unresolved, 1), conflict);
        Assert.True(report.HasUnresolvedConflicts);
        Assert.Equal(parent, _repo.TryGetBranch(Repository.DefaultBranch));
        Assert.Equal("1\n2\n3\n4\n<<<<<<< HEAD\nfive-main\n=======\nfive-feature\n>>>>>>> feature\n6\n7\n8\n9\n", Text(main, "f.txt"));

        // Resolving and committing with the child as second parent completes the merge.
        main.Write("f.txt", Lines.Replace("5\n", "five-both\n"));
        var merge = _repo.Commit(main, "merge", new CommitOptions { ExtraParents = [child] }).EnsureCommitted();
        Assert.Equal([parent, child], _repo.ReadCommit(merge).Parents);
    }

    [Theory]
    [InlineData(MergeStrategy.ParentWins, "five-main\n", ConflictResolution.Parent)]
    [InlineData(MergeStrategy.ChildWins, "five-feature\n", ConflictResolution.Child)]
    public void A_strategy_settles_only_the_conflicting_hunk_and_keeps_clean_edits_from_both_sides(MergeStrategy strategy, string line5, ConflictResolution resolution)
    {
        var (main, feature) = Fork(new() { ["f.txt"] = Lines });
        Commit(main, new() { ["f.txt"] = Lines.Replace("5\n", "five-main\n").Replace("1\n", "one-main\n") });
        var child = Commit(feature, new() { ["f.txt"] = Lines.Replace("5\n", "five-feature\n").Replace("9\n", "nine-feature\n") });

        var report = _repo.Merge(main, child, new MergeOptions { Strategy = strategy });

        Assert.Equal(MergeOutcome.Merged, report.Outcome);
        Assert.Equal(new MergeConflict("f.txt", ConflictKind.Content, resolution, 1), Assert.Single(report.Conflicts));
        Assert.Equal($"one-main\n2\n3\n4\n{line5}6\n7\n8\nnine-feature\n", Text(main, "f.txt"));
    }

    [Fact]
    public void Newest_wins_takes_for_each_path_the_side_that_changed_it_last()
    {
        var (main, feature) = Fork(new() { ["a.txt"] = "a\n", ["b.txt"] = "b\n" });
        Commit(main, new() { ["a.txt"] = "a-main-old\n" }, at: 10);
        Commit(feature, new() { ["a.txt"] = "a-feature-new\n", ["b.txt"] = "b-feature-old\n" }, at: 20);
        Commit(main, new() { ["b.txt"] = "b-main-new\n" }, at: 30);
        var child = feature.BaseCommit!.Value;

        var report = _repo.Merge(main, child, new MergeOptions { Strategy = MergeStrategy.NewestWins });

        Assert.Equal(MergeOutcome.Merged, report.Outcome);
        Assert.Equal(
            [new MergeConflict("a.txt", ConflictKind.Content, ConflictResolution.Child, 1), new MergeConflict("b.txt", ConflictKind.Content, ConflictResolution.Parent, 1)],
            report.Conflicts);
        Assert.Equal("a-feature-new\n", Text(main, "a.txt"));
        Assert.Equal("b-main-new\n", Text(main, "b.txt"));
    }

    [Fact]
    public void Modify_delete_binary_and_add_add_conflicts_are_reported_with_what_manual_leaves()
    {
        var binary = "\0bin\n";
        var (main, feature) = Fork(new() { ["mod-del"] = "x\n", ["del-mod"] = "y\n", ["bin"] = binary });
        Commit(main, new() { ["mod-del"] = "x2\n", ["del-mod"] = null, ["bin"] = binary + "main", ["added"] = "main\n" });
        var child = Commit(feature, new() { ["mod-del"] = null, ["del-mod"] = "y2\n", ["bin"] = binary + "feature", ["added"] = "feature\n" });

        var report = _repo.Merge(main, child, new MergeOptions { ChildLabel = "feature" });

        Assert.Equal(MergeOutcome.Conflicted, report.Outcome);
        Assert.Equal(
            [("added", ConflictKind.AddAdd), ("bin", ConflictKind.Binary), ("del-mod", ConflictKind.DeleteModify), ("mod-del", ConflictKind.ModifyDelete)],
            report.Conflicts.Select(c => (c.Path, c.Kind)));
        Assert.Equal("x2\n", Text(main, "mod-del"));
        Assert.Equal("y2\n", Text(main, "del-mod"));
        Assert.Equal(binary + "main", Text(main, "bin"));
        Assert.Equal("<<<<<<< HEAD\nmain\n=======\nfeature\n>>>>>>> feature\n", Text(main, "added"));
    }

    [Fact]
    public void Child_wins_deletes_what_the_child_deleted_and_takes_its_binary()
    {
        var (main, feature) = Fork(new() { ["mod-del"] = "x\n", ["bin"] = "\0" });
        Commit(main, new() { ["mod-del"] = "x2\n", ["bin"] = "\0main" });
        var child = Commit(feature, new() { ["mod-del"] = null, ["bin"] = "\0feature" });

        var report = _repo.Merge(main, child, new MergeOptions { Strategy = MergeStrategy.ChildWins });

        Assert.Equal(MergeOutcome.Merged, report.Outcome);
        Assert.All(report.Conflicts, c => Assert.Equal(ConflictResolution.Child, c.Resolution));
        Assert.Null(main.TryRead("mod-del"));
        Assert.Equal("\0feature", Text(main, "bin"));
    }

    [Fact]
    public void The_executable_bit_and_the_content_merge_independently()
    {
        var (main, feature) = Fork(new() { ["run.sh"] = Lines });
        main.Write("run.sh", Encoding.UTF8.GetBytes(Lines), EntryKind.Executable);
        _repo.Commit(main, "chmod +x").EnsureCommitted();
        var child = Commit(feature, new() { ["run.sh"] = Lines.Replace("9\n", "nine\n") });

        var report = _repo.Merge(main, child);

        Assert.Equal(MergeOutcome.Merged, report.Outcome);
        Assert.Equal(EntryKind.Executable, main.KindOf("run.sh"));
        Assert.Equal(Lines.Replace("9\n", "nine\n"), Text(main, "run.sh"));
    }

    [Fact]
    public void A_file_where_the_other_side_has_a_directory_is_moved_aside_under_manual()
    {
        var (main, feature) = Fork(new() { ["base"] = "b\n" });
        Commit(main, new() { ["x"] = "file\n" });
        var child = Commit(feature, new() { ["x/inner"] = "dir\n" });

        var report = _repo.Merge(main, child, new MergeOptions { ChildLabel = "feature" });

        Assert.Equal(MergeOutcome.Conflicted, report.Outcome);
        Assert.Equal(new MergeConflict("x", ConflictKind.FileDirectory, ConflictResolution.Unresolved), Assert.Single(report.Conflicts));
        Assert.Equal("dir\n", Text(main, "x/inner"));
        Assert.Equal("file\n", Text(main, "x~HEAD"));
    }

    [Fact]
    public void A_criss_cross_history_merges_against_the_merge_of_its_two_bases()
    {
        var (main, feature) = Fork(new() { ["f.txt"] = Lines });
        var a1 = Commit(main, new() { ["f.txt"] = Lines.Replace("1\n", "one\n") });
        var b1 = Commit(feature, new() { ["f.txt"] = Lines.Replace("9\n", "nine\n") });
        // Each side merges the other's first commit: two merge bases (a1 and b1).
        Assert.Equal(MergeOutcome.Merged, _repo.Merge(main, b1).Outcome);
        Assert.Equal(MergeOutcome.Merged, _repo.Merge(feature, a1).Outcome);
        Commit(main, new() { ["f.txt"] = Lines.Replace("1\n", "one\n").Replace("9\n", "nine\n").Replace("3\n", "three\n") });
        var child = Commit(feature, new() { ["f.txt"] = Lines.Replace("1\n", "one\n").Replace("9\n", "nine\n").Replace("7\n", "seven\n") });

        var report = _repo.Merge(main, child);

        Assert.Equal(2, report.Bases.Count);
        Assert.Equal(MergeOutcome.Merged, report.Outcome);
        Assert.Equal("one\n2\nthree\n4\n5\n6\nseven\n8\nnine\n", Text(main, "f.txt"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_criss_cross_merge_whose_bases_conflict_writes_what_git_writes(bool diff3)
    {
        // Both bases changed line 3 their own way, so the virtual base keeps their conflict (with
        // longer markers); both heads then changed it again. Commit times order the bases the same
        // way in both (the oldest becomes "Temporary merge branch 1").
        string Lines3(string line3) => $"1\n2\n{line3}\n4\n5\n";
        using var git = new GitScratchRepository();
        ScratchFile[] File(string line3) => [new ScratchFile("f.txt", "100644", Encoding.UTF8.GetBytes(Lines3(line3)))];
        git.Commit("root", File("3"), time: 1);
        git.Commit("a1", File("a"), "root", time: 2);
        git.Commit("b1", File("b"), "root", time: 3);
        git.Commit("a2", File("x"), "a1", mergeParent: "b1", time: 4);
        git.Commit("b2", File("y"), "b1", mergeParent: "a1", time: 5);
        string style = diff3 ? "diff3" : "merge";
        string tree = git.RunText(["-c", $"merge.conflictStyle={style}", "merge-tree", "--write-tree", "a2", "b2"], null, 0, 1).Split('\n')[0];
        byte[] expected = git.ReadObjects([$"{tree}:f.txt"])[0]!;

        var (main, feature) = Fork(new() { ["f.txt"] = Lines3("3") });
        var a1 = Commit(main, new() { ["f.txt"] = Lines3("a") });
        var b1 = Commit(feature, new() { ["f.txt"] = Lines3("b") });
        main.Write("f.txt", Lines3("x"));
        _repo.Commit(main, "a2", new CommitOptions { ExtraParents = [b1] }).EnsureCommitted();
        feature.Write("f.txt", Lines3("y"));
        var b2 = _repo.Commit(feature, "b2", new CommitOptions { ExtraParents = [a1] }).EnsureCommitted();

        var report = Merger.Compute(_repo, main, b2, new MergeOptions { ParentLabel = "a2", ChildLabel = "b2", Diff3 = diff3 });

        Assert.Equal(2, report.Bases.Count);
        Assert.Equal(MergeOutcome.Conflicted, report.Outcome);
        // The diff3 base labels are abbreviated commit ids, which differ between git and Helios.
        static string WithoutBaseLabels(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"^(\|{7,}) .*$", "$1 BASE", System.Text.RegularExpressions.RegexOptions.Multiline);
        Assert.Equal(WithoutBaseLabels(Encoding.UTF8.GetString(expected)), WithoutBaseLabels(Text(main, "f.txt")));
    }

    [Fact]
    public void Unrelated_histories_are_refused_unless_allowed()
    {
        var main = _repo.OpenHead();
        Commit(main, new() { ["a"] = "a\n" });
        var other = _repo.OpenWorkspace(BranchName.Parse("other"));
        var child = Commit(other, new() { ["b"] = "b\n" });
        var before = main.BaseCommit;

        var e = Assert.Throws<HeliosException>(() => _repo.Merge(main, child));
        Assert.Equal(HeliosErrorCode.InvalidState, e.Code);
        Assert.Contains("unrelated histories", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, _repo.TryGetBranch(Repository.DefaultBranch));

        var report = _repo.Merge(main, child, new MergeOptions { AllowUnrelatedHistories = true });
        Assert.Equal(MergeOutcome.Merged, report.Outcome);
        Assert.Equal("b\n", Text(main, "b"));
    }

    [Fact]
    public void A_workspace_with_uncommitted_changes_is_refused()
    {
        var (main, feature) = Fork(new() { ["a"] = "1\n" });
        var child = Commit(feature, new() { ["b"] = "2\n" });
        main.Write("a", "dirty\n");

        var e = Assert.Throws<HeliosException>(() => _repo.Merge(main, child));
        Assert.Equal(HeliosErrorCode.Conflict, e.Code);
        Assert.Equal("dirty\n", Text(main, "a"));
    }

    [Fact]
    public void Strategy_names_and_aliases_parse_and_unknown_ones_are_refused()
    {
        Assert.Equal(MergeStrategy.ParentWins, MergeStrategies.Parse("ours"));
        Assert.Equal(MergeStrategy.ChildWins, MergeStrategies.Parse("theirs"));
        Assert.Equal(MergeStrategy.NewestWins, MergeStrategies.Parse("newest-wins"));
        var e = Assert.Throws<HeliosException>(() => MergeStrategies.Parse("octopus"));
        Assert.Equal(HeliosErrorCode.InvalidArgument, e.Code);
    }

    /// <summary>Commits the files on main, then makes branch feature there; returns a workspace on each.</summary>
    private (Workspace Main, Workspace Feature) Fork(Dictionary<string, string?> files)
    {
        var main = _repo.OpenHead();
        var at = Commit(main, files);
        _repo.CreateBranch(Feature, at);
        return (main, _repo.OpenWorkspace(Feature));
    }

    private ObjectId Commit(Workspace workspace, Dictionary<string, string?> files, int? at = null)
    {
        foreach (var (path, content) in files)
        {
            if (content is null)
            {
                workspace.Delete(path);
            }
            else
            {
                workspace.Write(path, content);
            }
        }

        var when = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000 + (at ?? _clock++));
        var who = new Signature("T", "t@example.com", when);
        return _repo.Commit(workspace, "change", new CommitOptions { Author = who, Committer = who }).EnsureCommitted();
    }

    private static string Text(Workspace workspace, string path) => Encoding.UTF8.GetString(workspace.Read(path).Span);
}
