using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using static Helios.Cli.Tests.HeliosProcess;

namespace Helios.Cli.Tests;

/// <summary><c>helios gc</c>, <c>helios stats</c> and automatic gc, each command a real process.</summary>
public sealed class GcProcessTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Repository(string name = "repo")
    {
        string repo = _temp[name];
        Directory.CreateDirectory(repo);
        Succeed(repo, "init");
        return repo;
    }

    private static void CommitFile(string repo, string file, string content, string message)
    {
        File.WriteAllText(Path.Combine(repo, file), content);
        Succeed(repo, "commit", "-m", message);
    }

    private static JsonElement Json(ProcessResult result) => JsonDocument.Parse(result.Stdout).RootElement.Clone();

    [Fact]
    public void Gc_deletes_commits_dropped_by_reset_once_the_log_is_expired_and_a_dry_run_first_reports_the_same()
    {
        string repo = Repository();
        CommitFile(repo, "a.txt", "one", "c1");
        CommitFile(repo, "a.txt", "two", "c2");
        string dropped = Succeed(repo, "rev-parse", "HEAD").Stdout.Trim();
        Succeed(repo, "reset", "--hard", "HEAD~1");
        CommitFile(repo, "b.txt", "after", "c3");

        var dry = Json(Succeed(repo, "gc", "--dry-run", "--before", "0s", "--grace", "0s", "--json"));
        Assert.Equal(0, Run(repo, "rev-parse", dropped).Code);
        var real = Json(Succeed(repo, "gc", "--remove-old-snapshots", "--before=0s", "--grace", "0s", "--json"));

        Assert.True(dry.GetProperty("dry_run").GetBoolean());
        Assert.Equal(3, dry.GetProperty("deleted").GetInt64()); // c2, its root tree, blob "two"
        Assert.Equal(dry.GetProperty("deleted").GetInt64(), real.GetProperty("deleted").GetInt64());
        Assert.Equal(dry.GetProperty("deleted_stored_bytes").GetInt64(), real.GetProperty("deleted_stored_bytes").GetInt64());
        Assert.Equal(real.GetProperty("objects_before").GetInt64() - 3, real.GetProperty("objects_after").GetInt64());
        Assert.NotEqual(0, Run(repo, "rev-parse", dropped).Code);
        Succeed(repo, "fsck");
        Assert.Equal("after", File.ReadAllText(Path.Combine(repo, "b.txt")));
        Assert.Contains("deleted: 0 objects", Succeed(repo, "gc").Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_blob_staged_with_add_survives_gc_until_it_is_committed()
    {
        string repo = Repository();
        CommitFile(repo, "a.txt", "one", "c1");
        File.WriteAllText(Path.Combine(repo, "staged.txt"), "staged, not committed yet");
        Succeed(repo, "add", "staged.txt");

        var report = Json(Succeed(repo, "gc", "--before", "0s", "--grace", "0s", "--json"));
        Succeed(repo, "commit", "-m", "now committed");

        Assert.Equal(0, report.GetProperty("deleted").GetInt64());
        Succeed(repo, "fsck");
        Assert.Contains("+staged, not committed yet", Succeed(repo, "diff", "HEAD~1", "HEAD").Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Gc_rejects_a_bad_duration_with_a_usage_error_and_changes_nothing()
    {
        string repo = Repository();
        CommitFile(repo, "a.txt", "one", "c1");

        var result = Run(repo, "gc", "--before", "two days");

        Assert.Equal(2, result.Code);
        Assert.Contains("--before takes a duration", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, Json(Succeed(repo, "op", "log", "--json")).GetArrayLength());
    }

    [Fact]
    public void Stats_prints_every_seed_name_one_per_line_and_the_same_names_as_json()
    {
        string repo = Repository();
        for (int i = 0; i < 4; i++)
        {
            CommitFile(repo, "a.txt", $"version {i}\n", $"c{i}");
        }

        var lines = Succeed(repo, "stats").Lines.ToDictionary(l => l[..l.IndexOf(':', StringComparison.Ordinal)], l => l[(l.IndexOf(':', StringComparison.Ordinal) + 2)..]);
        var json = Json(Succeed(repo, "stats", "--json"));

        string[] names = ["objects", "logical_bytes", "stored_bytes", "dedup_ratio", "compression_ratio", "cache_hit_ratio", "cache_hit_ratio_l0", "cache_hit_ratio_l1",
            "cache_hit_ratio_l2", "commit_latency_p50", "commit_latency_p95", "commit_latency_p99", "commits_per_hour", "branches", "experiments", "active_snapshots",
            "storage_utilization", "memory_usage"];
        foreach (var name in names)
        {
            Assert.True(lines.ContainsKey(name), $"stats has no line '{name}:'");
            Assert.True(json.TryGetProperty(name, out _), $"stats --json has no '{name}'");
        }

        Assert.Equal(4, json.GetProperty("commit_latency_samples").GetInt32());
        Assert.Equal(4, json.GetProperty("commits_per_hour").GetInt32());
        Assert.Equal(1, json.GetProperty("branches").GetInt32());
        Assert.Equal(12, json.GetProperty("objects").GetInt64()); // 4 commits, 4 trees, 4 blobs
        Assert.True(json.GetProperty("commit_latency_p50").GetDouble() > 0);
        Assert.True(json.GetProperty("commit_latency_p99").GetDouble() >= json.GetProperty("commit_latency_p50").GetDouble());
        Assert.Equal(lines["objects"], json.GetProperty("objects").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Stats_help_explains_each_field_while_the_command_list_keeps_one_line()
    {
        var help = Succeed(_temp.Path, "stats", "--help").Stdout;
        var list = Succeed(_temp.Path, "--help").Stdout;

        foreach (var name in new[] { "dedup_ratio", "compression_ratio", "cache_hit_ratio", "commit_latency_p50", "storage_utilization", "memory_usage" })
        {
            Assert.Contains(name, help, StringComparison.Ordinal);
            Assert.DoesNotContain(name, list, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void With_auto_gc_enabled_a_commit_returns_and_a_background_gc_then_expires_the_log()
    {
        string repo = Repository();
        for (int i = 0; i < 3; i++)
        {
            CommitFile(repo, "a.txt", $"v{i}", $"c{i}");
        }

        Succeed(repo, "config", "set", "cleanup.auto_gc_enabled", "true");
        Succeed(repo, "config", "set", "cleanup.snapshot_ttl", "0s");
        Succeed(repo, "config", "set", "cleanup.auto_gc_interval", "0s");
        Assert.Equal(4, Json(Succeed(repo, "op", "log", "--json")).GetArrayLength());

        var clock = Stopwatch.StartNew();
        CommitFile(repo, "a.txt", "last", "last");
        var commitTime = clock.Elapsed;

        // The background gc trims every record but the newest; poll for it rather than wait a fixed time.
        int records = int.MaxValue;
        while (clock.Elapsed < TimeSpan.FromSeconds(60) && (records = Json(Succeed(repo, "op", "log", "--json")).GetArrayLength()) > 1)
        {
            Thread.Sleep(100);
        }

        Assert.Equal(1, records);
        Assert.True(File.Exists(Path.Combine(repo, ".helios", "gc.last")));
        Assert.True(commitTime < TimeSpan.FromSeconds(30), $"the commit took {commitTime}");
        Succeed(repo, "fsck");
    }

    [Fact]
    public void Auto_gc_does_nothing_while_another_gc_holds_the_lock_and_a_manual_gc_says_so()
    {
        string repo = Repository();
        CommitFile(repo, "a.txt", "one", "c1");
        using (new FileStream(Path.Combine(repo, ".helios", "gc.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            Succeed(repo, "gc", "--auto");
            var manual = Run(repo, "gc");
            Assert.Equal(1, manual.Code);
            Assert.Contains("Another gc is running", manual.Stderr, StringComparison.Ordinal);
            Assert.Equal(2, Json(Succeed(repo, "op", "log", "--json")).GetArrayLength());
        }

        Succeed(repo, "gc");
    }

    [Fact]
    public async Task Gc_running_repeatedly_while_agent_processes_commit_loses_no_acknowledged_commit()
    {
        const int agents = 3, commits = 8;
        string repo = Repository();
        CommitFile(repo, "base.txt", "base", "base");
        for (int n = 1; n <= agents; n++)
        {
            Succeed(repo, "worktree", "add", $"../w{n}", "-b", $"b{n}");
        }

        var acknowledged = new ConcurrentBag<(string Branch, string Subject)>();
        var failures = new ConcurrentQueue<string>();
        using var done = new CancellationTokenSource();
        var gc = Task.Factory.StartNew(() =>
        {
            int runs = 0;
            while (!done.IsCancellationRequested || runs < 2)
            {
                var result = Run(repo, "gc", "--before", "0s", "--grace", "1s");
                if (result.Code != 0)
                {
                    failures.Enqueue($"gc: {result}");
                }

                runs++;
            }

            return runs;
        }, TaskCreationOptions.LongRunning);
        var writers = Enumerable.Range(1, agents).Select(n => Task.Factory.StartNew(() =>
        {
            string worktree = _temp[$"w{n}"];
            for (int i = 1; i <= commits; i++)
            {
                File.WriteAllText(Path.Combine(worktree, "state.txt"), $"agent {n} step {i % 3}\n");
                File.WriteAllText(Path.Combine(worktree, $"step-{i}.txt"), $"{n}.{i}\n");
                var result = Run(worktree, "commit", "-m", $"b{n} step {i}");
                if (result.Code == 0)
                {
                    acknowledged.Add(($"b{n}", $"b{n} step {i}"));
                }
                else
                {
                    failures.Enqueue($"commit in w{n}: {result}");
                }
            }
        }, TaskCreationOptions.LongRunning)).ToArray();

        await Task.WhenAll(writers);
        await done.CancelAsync();
        int gcRuns = await gc;

        Assert.True(failures.IsEmpty, string.Join("\n", failures.Take(5)));
        Assert.True(gcRuns >= 2);
        Assert.Equal(agents * commits, acknowledged.Count);
        Succeed(repo, "fsck");
        for (int n = 1; n <= agents; n++)
        {
            var subjects = Succeed(repo, "log", "--oneline", $"b{n}").Lines.Select(l => l[13..]).ToArray();
            Assert.Equal(acknowledged.Where(a => a.Branch == $"b{n}").Select(a => a.Subject).Order(StringComparer.Ordinal), subjects[..^1].Order(StringComparer.Ordinal));
            string tip = Succeed(repo, "rev-parse", $"b{n}").Stdout.Trim();
            var show = Json(Succeed(repo, "show", "--json", tip));
            Assert.Equal($"b{n} step {commits}", show.GetProperty("commit").GetProperty("subject").GetString());
        }
    }
}
