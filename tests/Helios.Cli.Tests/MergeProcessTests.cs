using System.Text.Json;
using static Helios.Cli.Tests.HeliosProcess;

namespace Helios.Cli.Tests;

/// <summary><c>merge</c> and <c>experiment</c> run as real processes over real directories.</summary>
public sealed class MergeProcessTests : IDisposable
{
    private const string Lines = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_conflicted_merge_exits_1_with_markers_and_is_completed_by_add_and_commit()
    {
        string repo = Diverged(mainLine5: "five-main", featureLine5: "five-feature");

        var merge = Run(repo, "merge", "feature");

        Assert.True(merge.Code == 1, merge.ToString());
        Assert.Contains("CONFLICT (content): f.txt", merge.Stdout, StringComparison.Ordinal);
        Assert.Equal("1\n2\n3\n4\n<<<<<<< HEAD\nfive-main\n=======\nfive-feature\n>>>>>>> feature\n6\n7\n8\n9\n", Read(repo, "f.txt"));
        Assert.Equal("feature\n", Read(repo, "feature-only.txt"));
        Assert.Equal(["UU f.txt", "A  feature-only.txt"], Succeed(repo, "status", "--porcelain").Lines);

        var early = Run(repo, "commit");
        Assert.True(early.Code == 1 && early.Stderr.Contains("not resolved: f.txt", StringComparison.Ordinal), early.ToString());
        var again = Run(repo, "merge", "feature");
        Assert.True(again.Code == 3 && again.Stderr.Contains("in progress", StringComparison.Ordinal), again.ToString());

        File.WriteAllText(Path.Combine(repo, "f.txt"), Lines.Replace("5\n", "five-both\n"));
        Succeed(repo, "add", "f.txt");
        Succeed(repo, "commit");

        var show = JsonDocument.Parse(Succeed(repo, "show", "--json").Stdout).RootElement.GetProperty("commit");
        Assert.Equal(2, show.GetProperty("parents").GetArrayLength());
        Assert.Equal("Merge branch 'feature'", Succeed(repo, "log", "--oneline", "-n", "1").Stdout.Trim()[13..]);
        Assert.Empty(Succeed(repo, "status", "--porcelain").Stdout);
        Assert.Contains("merge feature (manual): 1 paths merged cleanly, 1 conflicts to resolve; f.txt content unresolved; resolved by hand", Succeed(repo, "op", "log", "-n", "1").Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reset_gives_up_a_conflicted_merge_so_the_next_commit_is_not_a_merge_and_checkout_waits_for_it()
    {
        string repo = Diverged(mainLine5: "five-main", featureLine5: "five-feature");
        Assert.Equal(1, Run(repo, "merge", "feature").Code);

        var checkout = Run(repo, "checkout", "feature");
        Assert.True(checkout.Code == 3 && checkout.Stderr.Contains("merge of feature is in progress", StringComparison.Ordinal), checkout.ToString());

        Succeed(repo, "reset", "--hard", "HEAD");
        Assert.DoesNotContain("merging", Succeed(repo, "status").Stdout, StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(repo, "other.txt"), "unrelated\n");
        Succeed(repo, "commit", "-m", "unrelated work");

        var show = JsonDocument.Parse(Succeed(repo, "show", "--json").Stdout).RootElement.GetProperty("commit");
        Assert.Equal(1, show.GetProperty("parents").GetArrayLength());
        // feature was never merged, so merging it again conflicts again.
        Assert.Equal(1, Run(repo, "merge", "feature").Code);
    }

    [Fact]
    public void A_merge_that_turns_a_tracked_directory_into_a_file_is_not_blocked_by_that_directory()
    {
        Succeed(_temp.Path, "init", "repo");
        string repo = _temp["repo"];
        Directory.CreateDirectory(Path.Combine(repo, "p"));
        File.WriteAllText(Path.Combine(repo, "p", "x"), "x\n");
        Succeed(repo, "commit", "-m", "p is a directory");
        Succeed(repo, "checkout", "-b", "other");
        Directory.Delete(Path.Combine(repo, "p"), recursive: true);
        File.WriteAllText(Path.Combine(repo, "p"), "now a file\n");
        Succeed(repo, "commit", "-m", "p is a file");
        Succeed(repo, "checkout", "main");

        Succeed(repo, "merge", "other");

        Assert.Equal("now a file\n", Read(repo, "p"));
        Assert.Empty(Succeed(repo, "status", "--porcelain").Stdout);
    }

    [Fact]
    public void Merge_abort_restores_every_file_the_merge_wrote()
    {
        string repo = Diverged(mainLine5: "five-main", featureLine5: "five-feature");
        string before = Succeed(repo, "rev-parse", "HEAD").Stdout;

        Assert.Equal(1, Run(repo, "merge", "feature").Code);
        Succeed(repo, "merge", "--abort");

        Assert.Equal(Lines.Replace("5\n", "five-main\n"), Read(repo, "f.txt"));
        Assert.False(File.Exists(Path.Combine(repo, "feature-only.txt")));
        Assert.Empty(Succeed(repo, "status", "--porcelain").Stdout);
        Assert.Equal(before, Succeed(repo, "rev-parse", "HEAD").Stdout);
        Assert.Equal(3, Run(repo, "merge", "--abort").Code);
    }

    [Fact]
    public void A_strategy_merge_commits_and_the_json_report_names_each_resolution()
    {
        string repo = Diverged(mainLine5: "five-main", featureLine5: "five-feature");

        var merge = Succeed(repo, "merge", "feature", "--strategy", "theirs", "--json");

        var report = JsonDocument.Parse(merge.Stdout).RootElement;
        Assert.Equal("merged", report.GetProperty("outcome").GetString());
        Assert.Equal("child-wins", report.GetProperty("strategy").GetString());
        Assert.Equal(["feature-only.txt"], report.GetProperty("merged").EnumerateArray().Select(e => e.GetString()));
        var conflict = Assert.Single(report.GetProperty("conflicts").EnumerateArray().ToArray());
        Assert.Equal("f.txt", conflict.GetProperty("path").GetString());
        Assert.Equal("child", conflict.GetProperty("resolution").GetString());
        Assert.Equal(Lines.Replace("5\n", "five-feature\n"), Read(repo, "f.txt"));
        Assert.Equal(report.GetProperty("commit").GetString(), Succeed(repo, "rev-parse", "HEAD").Stdout.Trim());
        Assert.Empty(Succeed(repo, "status", "--porcelain").Stdout);
    }

    [Fact]
    public void Bad_merges_are_refused_with_one_sentence_and_change_nothing()
    {
        string repo = Diverged(mainLine5: "five-main", featureLine5: "five-feature");
        Succeed(repo, "checkout", "-b", "lonely");
        string head = Succeed(repo, "rev-parse", "HEAD").Stdout;

        var unknown = Run(repo, "merge", "feature", "--strategy", "octopus");
        Assert.True(unknown.Code == 2 && unknown.Stderr.Contains("Unknown merge strategy 'octopus'", StringComparison.Ordinal), unknown.ToString());

        File.WriteAllText(Path.Combine(repo, "f.txt"), "dirty\n");
        var dirty = Run(repo, "merge", "feature");
        Assert.True(dirty.Code == 1 && dirty.Stderr.Contains("f.txt", StringComparison.Ordinal), dirty.ToString());
        Assert.Equal("dirty\n", Read(repo, "f.txt"));
        Succeed(repo, "reset", "--hard", "HEAD");

        var missing = Run(repo, "merge", "no-such-branch");
        Assert.Equal(2, missing.Code);
        Assert.Equal(head, Succeed(repo, "rev-parse", "HEAD").Stdout);
        Assert.Empty(Succeed(repo, "status", "--porcelain").Stdout);
    }

    [Fact]
    public void An_experiment_forks_scores_and_collapses_to_the_best_branch_and_undo_restores_the_others()
    {
        Succeed(_temp.Path, "init", "repo");
        string repo = _temp["repo"];
        File.WriteAllText(Path.Combine(repo, "sort.py"), "base\n");
        Succeed(repo, "commit", "-m", "base");
        Succeed(repo, "experiment", "start", "sort", "-n", "3", "--weights", "0.5,0.3,0.2");
        Succeed(repo, "worktree", "add", "../try2", "sort/2");
        File.WriteAllText(_temp["try2/sort.py"], "variant 2\n");
        Succeed(_temp["try2"], "commit", "-m", "variant 2");
        Succeed(repo, "worktree", "remove", "../try2");
        Succeed(repo, "experiment", "score", "sort/1", "0.4");
        Succeed(repo, "experiment", "score", "sort/2", "0.9");

        var listed = JsonDocument.Parse(Succeed(repo, "experiment", "list", "--json").Stdout).RootElement[0];
        Assert.Equal("active", listed.GetProperty("status").GetString());
        Assert.Equal([0.5, 0.3, 0.2], listed.GetProperty("branches").EnumerateArray().Select(b => b.GetProperty("weight").GetDouble()));
        Assert.Equal(0.9, listed.GetProperty("branches")[1].GetProperty("score").GetDouble());

        Succeed(repo, "experiment", "collapse", "sort", "--best");

        Assert.Equal("variant 2\n", Read(repo, "sort.py"));
        Assert.Equal(["* main", "  sort/2"], Succeed(repo, "branch").Lines);
        var collapsed = JsonDocument.Parse(Succeed(repo, "experiment", "list", "--json").Stdout).RootElement[0];
        Assert.Equal("collapsed", collapsed.GetProperty("status").GetString());
        Assert.Equal(2, collapsed.GetProperty("winner").GetInt32());
        Assert.Equal(3, Run(repo, "experiment", "collapse", "sort", "--best").Code);

        Succeed(repo, "undo");
        Assert.Equal(["* main", "  sort/1", "  sort/2", "  sort/3"], Succeed(repo, "branch").Lines);
    }

    [Fact]
    public void An_experiment_started_from_a_commit_collapses_into_the_checked_out_branch_and_a_refused_collapse_merges_nothing()
    {
        Succeed(_temp.Path, "init", "repo");
        string repo = _temp["repo"];
        File.WriteAllText(Path.Combine(repo, "a"), "a\n");
        Succeed(repo, "commit", "-m", "base");
        string head = Succeed(repo, "rev-parse", "HEAD").Stdout.Trim();
        Succeed(repo, "experiment", "start", "ex", "--from", head, "-n", "2");
        Succeed(repo, "worktree", "add", "../w1", "ex/1");
        File.WriteAllText(_temp["w1/a"], "variant\n");
        Succeed(_temp["w1"], "commit", "-m", "variant 1");
        Succeed(repo, "worktree", "add", "../w2", "ex/2");

        // ex/2 is checked out in a worktree, so it could not be deleted: nothing happens.
        var refused = Run(repo, "experiment", "collapse", "ex", "--winner", "1");
        Assert.True(refused.Code == 3 && refused.Stderr.Contains("ex/2", StringComparison.Ordinal), refused.ToString());
        Assert.Equal(head, Succeed(repo, "rev-parse", "main").Stdout.Trim());

        Succeed(repo, "worktree", "remove", "../w2");
        Succeed(repo, "experiment", "collapse", "ex", "--winner", "1");

        Assert.Equal("variant\n", Read(repo, "a"));
        Assert.Equal(Succeed(repo, "rev-parse", "ex/1").Stdout, Succeed(repo, "rev-parse", "main").Stdout);
    }

    [Fact]
    public void Discarding_an_experiment_deletes_its_branches_and_bad_experiment_input_is_refused()
    {
        Succeed(_temp.Path, "init", "repo");
        string repo = _temp["repo"];
        File.WriteAllText(Path.Combine(repo, "a"), "a\n");
        Succeed(repo, "commit", "-m", "base");

        Assert.Equal(2, Run(repo, "experiment", "start", "bad name").Code);
        Assert.Equal(2, Run(repo, "experiment", "start", "e", "-n", "2", "--weights", "1").Code);
        Succeed(repo, "experiment", "start", "e", "-n", "2");
        Assert.Equal(1, Run(repo, "experiment", "start", "e").Code);
        Assert.Equal(2, Run(repo, "experiment", "score", "e/7", "1").Code);
        Assert.Equal(3, Run(repo, "experiment", "collapse", "e", "--best").Code);

        Succeed(repo, "experiment", "discard", "e");

        Assert.Equal(["* main"], Succeed(repo, "branch").Lines);
        Assert.Contains("e  discarded", Succeed(repo, "experiment", "list").Stdout, StringComparison.Ordinal);

        // A finished experiment's name can be used again.
        Succeed(repo, "experiment", "start", "e", "-n", "3");
        Assert.Contains("e  active", Succeed(repo, "experiment", "list").Stdout, StringComparison.Ordinal);
    }

    /// <summary>main and feature, each changing line 5 of f.txt its own way; feature also adds a file.</summary>
    private string Diverged(string mainLine5, string featureLine5)
    {
        Succeed(_temp.Path, "init", "repo");
        string repo = _temp["repo"];
        File.WriteAllText(Path.Combine(repo, "f.txt"), Lines);
        Succeed(repo, "commit", "-m", "base");
        Succeed(repo, "branch", "feature");
        File.WriteAllText(Path.Combine(repo, "f.txt"), Lines.Replace("5\n", mainLine5 + "\n"));
        Succeed(repo, "commit", "-m", "main edit");
        Succeed(repo, "checkout", "feature");
        File.WriteAllText(Path.Combine(repo, "f.txt"), Lines.Replace("5\n", featureLine5 + "\n"));
        File.WriteAllText(Path.Combine(repo, "feature-only.txt"), "feature\n");
        Succeed(repo, "commit", "-m", "feature edit");
        Succeed(repo, "checkout", "main");
        return repo;
    }

    private static string Read(string repo, string path) => File.ReadAllText(Path.Combine(repo, path));
}
