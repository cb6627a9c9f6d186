using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit.Abstractions;
using static Helios.Cli.Tests.HeliosProcess;

namespace Helios.Cli.Tests;

/// <summary>
/// Many agent processes on one repository at once, each command its own process, as agents drive
/// the CLI. These tests load every core, so they run alone: not beside each other or other tests.
/// </summary>
[Collection(nameof(ConcurrentAgentProcessTests))]
public sealed partial class ConcurrentAgentProcessTests(ITestOutputHelper output) : IDisposable
{
    private const int Agents = 8;
    private const int CommitsPerAgent = 200;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Eight_agents_committing_200_times_each_in_their_own_worktrees_while_logs_are_read_lose_nothing()
    {
        var clock = Stopwatch.StartNew();
        string repo = RepositoryWithBaseCommit();
        for (int n = 1; n <= Agents; n++)
        {
            Succeed(repo, "worktree", "add", $"../w{n}", "-b", $"b{n}");
        }

        var failures = new ConcurrentQueue<string>();
        var acknowledged = Enumerable.Range(0, Agents + 1).Select(_ => new List<string>()).ToArray();
        using var agentsDone = new CancellationTokenSource();
        var agents = Enumerable.Range(1, Agents)
            .Select(n => Task.Factory.StartNew(() => CommitLoop(n, acknowledged[n], failures), TaskCreationOptions.LongRunning))
            .ToArray();
        var reader = Task.Factory.StartNew(() => ReadLoop(repo, failures, agentsDone.Token), TaskCreationOptions.LongRunning);
        try
        {
            await Task.WhenAll(agents);
        }
        finally
        {
            await agentsDone.CancelAsync();
        }

        int reads = await reader;
        var concurrentPart = clock.Elapsed;
        Assert.True(failures.IsEmpty, string.Join("\n", failures.Take(10)));

        Assert.Equal(["base"], Succeed(repo, "log", "--oneline", "main").Lines.Select(Subject));
        for (int n = 1; n <= Agents; n++)
        {
            // Every branch has exactly its 200 commits, newest first, each the one the agent was told about.
            var log = Succeed(repo, "log", "--oneline", $"b{n}").Lines;
            Assert.Equal(CommitsPerAgent + 1, log.Length);
            Assert.Equal("base", Subject(log[^1]));
            Assert.Equal(Enumerable.Range(1, CommitsPerAgent).Select(i => $"b{n} step {i}"), log[..^1].Reverse().Select(Subject));
            Assert.Equal(acknowledged[n], log[..^1].Reverse().Select(l => l[..12]));
            Assert.Empty(Succeed(_temp[$"w{n}"], "status", "--porcelain").Stdout);

            // Each commit recorded exactly its own change.
            using var middle = JsonDocument.Parse(Succeed(repo, "show", "--json", $"b{n}~{CommitsPerAgent / 2}").Stdout);
            Assert.Equal($"b{n} step {CommitsPerAgent / 2}", middle.RootElement.GetProperty("commit").GetProperty("subject").GetString());
            Assert.Equal([$"A steps/{CommitsPerAgent / 2:D3}.txt", "M state.txt"], middle.RootElement.GetProperty("changes").EnumerateArray()
                .Select(c => $"{c.GetProperty("status").GetString()} {c.GetProperty("path").GetString()}").Order(StringComparer.Ordinal));

            // The last commit's files, as the store holds them: checked out in the main worktree.
            string tip = Succeed(repo, "rev-parse", $"b{n}").Stdout.Trim();
            Succeed(repo, "checkout", tip);
            Assert.Equal($"agent {n} step {CommitsPerAgent}\n", File.ReadAllText(Path.Combine(repo, "state.txt")));
            var steps = Directory.GetFiles(Path.Combine(repo, "steps")).Order(StringComparer.Ordinal).ToArray();
            Assert.Equal(CommitsPerAgent, steps.Length);
            Assert.All(steps.Select((file, i) => (file, i: i + 1)), s => Assert.Equal($"agent {n} wrote step {s.i}\n", File.ReadAllText(s.file)));
        }

        Succeed(repo, "checkout", "main");
        Assert.Equal([Path.Combine(repo, ".helios"), Path.Combine(repo, "README.md")], Directory.GetFileSystemEntries(repo).Order(StringComparer.Ordinal));
        var fsck = Run(repo, "fsck");
        Assert.True(fsck.Code == 0 && fsck.Stdout.Length == 0, $"fsck: {fsck}");
        Assert.Contains($"checked ", fsck.Stderr, StringComparison.Ordinal);
        Assert.Contains("no problems", fsck.Stderr, StringComparison.Ordinal);

        output.WriteLine($"{Agents} agents x {CommitsPerAgent} commits with {reads} concurrent log reads: {concurrentPart.TotalSeconds:F1} s; whole test {clock.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public void Two_worktrees_committing_to_one_branch_at_once_either_both_commit_or_one_is_told_the_branch_moved()
    {
        string repo = RepositoryWithBaseCommit();
        Succeed(repo, "branch", "shared");
        Succeed(repo, "worktree", "add", "../wa", "shared");
        Succeed(repo, "worktree", "add", "../wb", "shared", "--force");
        var acknowledged = new List<string>();
        int rounds = 0, lostRaces = 0;

        // 20 rounds, and more (up to 100) until at least one race was actually lost, so the test exercises that path.
        while (rounds < 20 || (lostRaces == 0 && rounds < 100))
        {
            rounds++;
            // Each round starts with both worktrees showing the branch's latest commit, as an agent
            // that lost a race would get them back (reset --hard discards its losing change).
            Succeed(_temp["wa"], "reset", "--hard", "HEAD");
            Succeed(_temp["wb"], "reset", "--hard", "HEAD");
            File.WriteAllText(_temp["wa/a.txt"], $"a {rounds}\n");
            File.WriteAllText(_temp["wb/b.txt"], $"b {rounds}\n");
            var a = Start(_temp["wa"], "commit", "-m", $"A {rounds}");
            var b = Start(_temp["wb"], "commit", "-m", $"B {rounds}");
            var results = new[] { (Result: a.Wait(), Message: $"A {rounds}"), (Result: b.Wait(), Message: $"B {rounds}") };

            Assert.True(results.Any(r => r.Result.Code == 0), $"round {rounds}: neither commit went in:\n{results[0].Result}\n{results[1].Result}");
            foreach (var (result, message) in results)
            {
                if (result.Code == 0)
                {
                    var match = CommittedLine().Match(result.Stdout);
                    Assert.True(match.Success && match.Groups[1].Value == "shared" && match.Groups[3].Value == message, $"round {rounds}: {result}");
                    acknowledged.Add($"{match.Groups[2].Value} {message}");
                }
                else
                {
                    Assert.True(result.Code == 1, $"round {rounds}: {result}");
                    Assert.Matches(@"^helios: Branch 'shared' moved to [0-9a-f]{64} [^\n]*; nothing was committed\.[^\n]*\n$", result.Stderr);
                    Assert.Empty(result.Stdout);
                    lostRaces++;
                }
            }
        }

        // Every acknowledged commit is in the branch's history, and nothing else is: a lost race wrote no commit.
        var history = Succeed(repo, "log", "--oneline", "shared").Lines;
        Assert.Equal(acknowledged.Order(StringComparer.Ordinal), history[..^1].Order(StringComparer.Ordinal));
        Assert.Equal("base", Subject(history[^1]));
        Assert.True(lostRaces > 0, $"no race was lost in {rounds} rounds");
        Assert.Equal(0, Run(repo, "fsck").Code);
        output.WriteLine($"{rounds} rounds: {lostRaces} lost races, {acknowledged.Count} commits");
    }

    /// <summary>An agent's loop in worktree wN: change a file and add one, commit, 200 times; every commit must go in.</summary>
    private void CommitLoop(int n, List<string> acknowledged, ConcurrentQueue<string> failures)
    {
        string worktree = _temp[$"w{n}"];
        Directory.CreateDirectory(Path.Combine(worktree, "steps"));
        for (int i = 1; i <= CommitsPerAgent && failures.IsEmpty; i++)
        {
            File.WriteAllText(Path.Combine(worktree, "state.txt"), $"agent {n} step {i}\n");
            File.WriteAllText(Path.Combine(worktree, "steps", $"{i:D3}.txt"), $"agent {n} wrote step {i}\n");
            var result = Run(worktree, "commit", "-m", $"b{n} step {i}");
            var match = CommittedLine().Match(result.Stdout);
            if (result.Code != 0 || !match.Success || match.Groups[1].Value != $"b{n}" || match.Groups[3].Value != $"b{n} step {i}")
            {
                failures.Enqueue($"agent {n}, commit {i}: {result}");
                return;
            }

            acknowledged.Add(match.Groups[2].Value);
        }
    }

    /// <summary>
    /// Reads main's and every branch's log until the agents are done: each read must succeed and show
    /// a whole history (base, then the agent's steps 1..k in order) that never shrinks.
    /// </summary>
    private static int ReadLoop(string repo, ConcurrentQueue<string> failures, CancellationToken agentsDone)
    {
        var seen = new int[Agents + 1];
        int reads = 0;
        while (!agentsDone.IsCancellationRequested && failures.IsEmpty)
        {
            for (int n = 0; n <= Agents; n++)
            {
                string branch = n == 0 ? "main" : $"b{n}";
                var result = Run(repo, "log", "--oneline", branch);
                reads++;
                var subjects = result.Lines.Select(l => OnelineEntry().Match(l) is { Success: true } m ? m.Groups[1].Value : null).Reverse().ToArray();
                var expected = subjects.Select((_, i) => i == 0 ? "base" : $"b{n} step {i}");
                if (result.Code != 0 || result.Stderr.Length > 0 || subjects.Length == 0 || !subjects.SequenceEqual(expected) || subjects.Length < seen[n])
                {
                    failures.Enqueue($"log --oneline {branch} after {seen[n]} commits seen: {result}");
                    return reads;
                }

                seen[n] = subjects.Length;
            }
        }

        return reads;
    }

    private string RepositoryWithBaseCommit()
    {
        Succeed(_temp.Path, "init", "repo");
        string repo = _temp["repo"];
        File.WriteAllText(Path.Combine(repo, "README.md"), "shared\n");
        Succeed(repo, "commit", "-m", "base");
        return repo;
    }

    private static string Subject(string onelineEntry)
    {
        var match = OnelineEntry().Match(onelineEntry);
        Assert.True(match.Success, $"'{onelineEntry}' is not a log --oneline entry");
        return match.Groups[1].Value;
    }

    /// <summary>What log --oneline prints per commit: SHORT-ID SUBJECT.</summary>
    [GeneratedRegex(@"^[0-9a-f]{12} (.*)$")]
    private static partial Regex OnelineEntry();

    /// <summary>What commit prints: [BRANCH SHORT-ID] SUBJECT.</summary>
    [GeneratedRegex(@"^\[(\S+) ([0-9a-f]{12})\] (.*)\n$")]
    private static partial Regex CommittedLine();
}

/// <summary>Runs the tests of <see cref="ConcurrentAgentProcessTests"/> with no other test beside them.</summary>
[CollectionDefinition(nameof(ConcurrentAgentProcessTests), DisableParallelization = true)]
public sealed class ConcurrentAgentProcessCollection;
