using System.Text.RegularExpressions;
using static Helios.Cli.Tests.HeliosProcess;

namespace Helios.Cli.Tests;

/// <summary><c>worktree add|list|remove</c> run as real processes, several at once.</summary>
public sealed partial class WorktreeProcessTests : IDisposable
{
    private const int Agents = 8;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Eight_worktrees_added_at_the_same_moment_all_succeed_and_list_with_their_branches()
    {
        Succeed(_temp.Path, "init", "repo");
        string repo = _temp["repo"];
        File.WriteAllText(Path.Combine(repo, "README.md"), "shared\n");
        Directory.CreateDirectory(Path.Combine(repo, "src"));
        File.WriteAllText(Path.Combine(repo, "src", "app.txt"), "v1\n");
        Succeed(repo, "commit", "-m", "first");
        string head = Succeed(repo, "rev-parse", "HEAD").Stdout.Trim();

        var started = Enumerable.Range(1, Agents).Select(n => Start(repo, "worktree", "add", $"../w{n}", "-b", $"b{n}")).ToArray();
        var results = started.Select(s => s.Wait()).ToArray();

        Assert.All(results, r => Assert.True(r.Code == 0, r.ToString()));
        var list = Succeed(repo, "worktree", "list").Lines;
        Assert.Equal(Agents + 1, list.Length);
        Assert.Equal((repo, head[..12], "[main]"), Row(list[0]));
        for (int n = 1; n <= Agents; n++)
        {
            Assert.Contains((_temp[$"w{n}"], head[..12], $"[b{n}]"), list.Select(Row));
            Assert.Equal("shared\n", File.ReadAllText(_temp[$"w{n}/README.md"]));
            Assert.Equal("v1\n", File.ReadAllText(_temp[$"w{n}/src/app.txt"]));
            Assert.Empty(Succeed(_temp[$"w{n}"], "status", "--porcelain").Stdout);
        }

        string[] branches = ["* main", .. Enumerable.Range(1, Agents).Select(n => $"  b{n}")];
        Assert.Equal(branches.Order(StringComparer.Ordinal), Succeed(repo, "branch").Lines.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Worktree_remove_refuses_an_uncommitted_change_removes_with_force_and_keeps_the_branch()
    {
        Succeed(_temp.Path, "init", "repo");
        string repo = _temp["repo"];
        File.WriteAllText(Path.Combine(repo, "README.md"), "shared\n");
        Succeed(repo, "commit", "-m", "first");
        Succeed(repo, "worktree", "add", "../agent", "-b", "agent");
        File.WriteAllText(_temp["agent/README.md"], "agent's work\n");
        Succeed(_temp["agent"], "commit", "-m", "agent works");
        string agentHead = Succeed(repo, "rev-parse", "agent").Stdout.Trim();
        File.WriteAllText(_temp["agent/README.md"], "uncommitted\n");

        var refused = Run(repo, "worktree", "remove", "../agent");

        Assert.Equal(1, refused.Code);
        Assert.StartsWith("helios: Worktree '../agent' has uncommitted changes", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal("uncommitted\n", File.ReadAllText(_temp["agent/README.md"]));
        Assert.Equal(2, Succeed(repo, "worktree", "list").Lines.Length);

        Succeed(repo, "worktree", "remove", "--force", "../agent");

        Assert.False(Directory.Exists(_temp["agent"]));
        Assert.Equal([_temp["repo"]], Succeed(repo, "worktree", "list").Lines.Select(l => Row(l).Path));
        Assert.Equal(agentHead, Succeed(repo, "rev-parse", "agent").Stdout.Trim());
        Assert.Equal(["agent works", "first"], Succeed(repo, "log", "--oneline", "agent").Lines.Select(l => l[13..]));
        Assert.Contains("  agent", Succeed(repo, "branch").Lines);
    }

    private static (string Path, string Commit, string Branch) Row(string line)
    {
        var match = RowPattern().Match(line);
        Assert.True(match.Success, $"'{line}' is not a worktree list row");
        return (match.Groups[1].Value, match.Groups[2].Value, match.Groups[3].Value);
    }

    [GeneratedRegex(@"^(\S+)\s+([0-9a-f]{12})\s+(\[\S+\]|\(detached HEAD\))$")]
    private static partial Regex RowPattern();
}
