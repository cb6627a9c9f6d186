using Helios.Core.Collections;
using Helios.Core.Errors;
using Helios.Core.Memory;
using Helios.Core.Merging;
using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Repositories;

namespace Helios.Core.Tests.Memory;

public sealed class AgentMemoryMergeTests : IDisposable
{
    private static readonly BranchName Main = Repository.DefaultBranch;
    private static readonly BranchName Child = BranchName.Parse("agent-1/explore");
    private readonly MemorySigningKey _key = MemorySigningKey.Generate();
    private readonly Repository _repo;
    private readonly AgentMemory _memory;

    public AgentMemoryMergeTests()
    {
        _repo = Repository.CreateInMemory(new RepositoryOptions { MergeLogSigner = new Lazy<IMergeLogSigner>(() => _key) });
        var main = _repo.OpenHead();
        main.Write("README", "kb\n");
        _repo.Commit(main, "first").EnsureCommitted();
        _memory = new AgentMemory(_repo);
        var kb = _memory.Open(Main);
        var patterns = kb.CreateCollection("patterns", 4);
        for (int i = 0; i < 100; i++)
        {
            patterns.PutVector($"p{i:D3}", Vector(i), $$"""{"n":{{i}}}""");
        }

        kb.CreateCollection("notes", 0).Put("hello", "world"u8);
        kb.Commit("seed the knowledge base");
    }

    public void Dispose()
    {
        _repo.Dispose();
        _key.Dispose();
    }

    [Fact]
    public void A_derived_branch_reads_the_parent_state_and_keeps_its_writes_to_itself()
    {
        _memory.Derive(Main, Child, "agent-1");
        var child = _memory.Open(Child);
        Assert.Equal(Vector(7), child.Collection("patterns").GetVector("p007"));
        Assert.Equal("""{"n":7}""", child.Collection("patterns").Get("p007")!.GetMetadataJson(4));

        child.Collection("patterns").PutVector("p007", Vector(700));
        child.Collection("patterns").Delete("p008");
        child.Collection("patterns").PutVector("new", Vector(1));
        Assert.Equal(100, child.Collection("patterns").Count);
        child.Commit("explore", "agent-1");

        var parent = _memory.Open(Main).Collection("patterns");
        Assert.Equal(Vector(7), parent.GetVector("p007"));
        Assert.NotNull(parent.Get("p008"));
        Assert.Null(parent.Get("new"));
        Assert.Equal(Vector(700), _memory.Open(Child).Collection("patterns").GetVector("p007"));
    }

    [Fact]
    public void Merging_an_untouched_parent_fast_forwards_and_reports_every_change_with_a_signed_log_record()
    {
        _memory.Derive(Main, Child, "agent-1");
        var child = _memory.Open(Child);
        child.Collection("patterns").PutVector("p001", Vector(-1));
        child.Collection("patterns").Delete("p002");
        child.Collection("patterns").PutVector("z-new", Vector(3));
        var childHead = child.Commit("explore", "agent-1")!.Value;

        var report = _memory.Merge(Child, new MemoryMergeOptions { Strategy = MergeStrategy.ChildWins, Agent = "agent-1" });

        Assert.Equal(childHead, report.ParentAfter);
        Assert.Equal(childHead, _repo.TryGetBranch(Main));
        var patterns = Assert.Single(report.Collections);
        Assert.Equal((1, 1, 1), (patterns.Added, patterns.Changed, patterns.Deleted));
        Assert.Equal(MemoryBranchStatus.Merged, _memory.Find(Child)!.Status);
        var log = new MergeLog(_repo);
        var (id, record) = Assert.Single(log.Records());
        Assert.Equal(report.LogRecord, id);
        Assert.Equal(report.ReportHash, record.Entry.ReportHash);
        Assert.True(log.Verify().IsValid);
    }

    [Fact]
    public void Merging_a_child_already_in_the_parent_is_up_to_date_and_records_nothing()
    {
        _memory.Derive(Main, Child, "agent-1");
        var child = _memory.Open(Child);
        child.Collection("notes").Put("k", "v"u8);
        child.Commit("child");
        _memory.Merge(Child, new MemoryMergeOptions { Strategy = MergeStrategy.ChildWins });
        var parent = _memory.Open(Main);
        parent.Collection("notes").Put("later", "x"u8);
        var head = parent.Commit("parent moves on")!.Value;

        var again = _memory.Merge(Child, new MemoryMergeOptions { Strategy = MergeStrategy.ChildWins });

        Assert.Empty(again.Collections);
        Assert.Equal(head, again.ParentAfter);
        Assert.Null(again.LogRecord);
        Assert.Equal(head, _repo.TryGetBranch(Main));
        Assert.Single(new MergeLog(_repo).Records());
    }

    [Theory]
    [InlineData(MergeStrategy.ParentWins, 10)]
    [InlineData(MergeStrategy.ChildWins, 20)]
    [InlineData(MergeStrategy.NewestWins, 20)]
    public void Keys_both_sides_changed_are_settled_by_the_strategy_and_other_changes_of_both_sides_are_kept(MergeStrategy strategy, int winner)
    {
        _memory.Derive(Main, Child, "agent-1");
        var parent = _memory.Open(Main);
        parent.Collection("patterns").PutVector("p005", Vector(10));
        parent.Collection("patterns").PutVector("parent-only", Vector(11));
        var parentHead = parent.Commit("parent work")!.Value;
        var child = _memory.Open(Child);
        child.Collection("patterns").PutVector("p005", Vector(20));
        child.Collection("patterns").PutVector("child-only", Vector(21));
        child.Commit("child work");

        var report = _memory.Merge(Child, new MemoryMergeOptions { Strategy = strategy });

        var merged = _repo.ReadCommit(report.ParentAfter!.Value);
        Assert.Equal([parentHead, report.ChildHead], merged.Parents);
        var patterns = _memory.Open(Main).Collection("patterns");
        Assert.Equal(Vector(winner), patterns.GetVector("p005"));
        Assert.Equal(Vector(11), patterns.GetVector("parent-only"));
        Assert.Equal(Vector(21), patterns.GetVector("child-only"));
        var conflict = Assert.Single(report.Collections.Single(c => c.Collection == "patterns").Conflicts);
        Assert.Equal("p005", conflict.Key);
        Assert.Equal(winner == 10 ? ConflictChoice.Ours : ConflictChoice.Theirs, conflict.Resolution);
        Assert.Equal(_repo.ReadCommit(parentHead).Tree, merged.Tree);
    }

    [Fact]
    public void An_unresolved_manual_merge_writes_nothing_a_dry_run_shows_the_conflicts_and_given_values_resolve_it()
    {
        _memory.Derive(Main, Child, "agent-1");
        var parent = _memory.Open(Main);
        parent.Collection("notes").Put("hello", "parent"u8);
        var parentHead = parent.Commit("parent")!.Value;
        var child = _memory.Open(Child);
        child.Collection("notes").Put("hello", "child"u8);
        child.Commit("child");
        int operations = _repo.Operations().Count;

        var e = Assert.Throws<HeliosException>(() => _memory.Merge(Child));
        Assert.Equal(HeliosErrorCode.Conflict, e.Code);
        Assert.Contains("notes:hello", e.Message, StringComparison.Ordinal);
        Assert.Equal(parentHead, _repo.TryGetBranch(Main));
        Assert.Equal(operations, _repo.Operations().Count);
        Assert.Empty(new MergeLog(_repo).Records());

        var dry = _memory.Merge(Child, new MemoryMergeOptions { DryRun = true });
        Assert.True(dry.HasUnresolvedConflicts);
        Assert.Null(dry.ParentAfter);
        Assert.Equal(parentHead, _repo.TryGetBranch(Main));

        var resolved = _memory.Merge(Child, new MemoryMergeOptions
        {
            Resolutions = new Dictionary<string, IReadOnlyDictionary<string, CollectionValue?>>
            {
                ["notes"] = new Dictionary<string, CollectionValue?> { ["hello"] = CollectionValue.FromBytes("both"u8) },
            },
        });
        Assert.False(resolved.HasUnresolvedConflicts);
        Assert.Equal("both"u8.ToArray(), _memory.Open(Main).Collection("notes").GetBytes("hello"));
        Assert.Equal(MergeLogResolution.Manual, Assert.Single(Assert.Single(new MergeLog(_repo).Records()).Record.Entry.Conflicts).Resolution);
    }

    [Fact]
    public void Bad_keys_and_vectors_are_refused_and_nothing_is_kept()
    {
        var kb = _memory.Open(Main);
        var patterns = kb.Collection("patterns");
        Assert.Contains("dimension is 4", Assert.Throws<HeliosException>(() => patterns.PutVector("x", [1f, 2f, 3f])).Message, StringComparison.Ordinal);
        Assert.Equal(HeliosErrorCode.InvalidArgument, Assert.Throws<HeliosException>(() => patterns.Put("", "v"u8)).Code);
        Assert.Equal(HeliosErrorCode.InvalidArgument, Assert.Throws<HeliosException>(() => patterns.Put(new string('k', 1025), "v"u8)).Code);
        Assert.Equal(HeliosErrorCode.InvalidArgument, Assert.Throws<HeliosException>(() => patterns.Put("bad\ud800", "v"u8)).Code);
        Assert.Equal(HeliosErrorCode.InvalidArgument, Assert.Throws<HeliosException>(() => kb.Collection("notes").PutVector("v", Vector(1))).Code);
        Assert.False(kb.HasChanges);
        Assert.Null(kb.Commit());
    }

    [Fact]
    public void Branches_without_common_history_cannot_be_merged()
    {
        _memory.Derive(Main, Child, "agent-1");
        var lonely = _repo.OpenWorkspaceAt(RefName.Parse("refs/heads/lonely"), null);
        lonely.Write("x", "y");
        var root = _repo.Commit(lonely, "unrelated root").EnsureCommitted();
        _repo.MoveRef(Child.Ref, RefTarget.To(_repo.TryGetBranch(Child)!.Value), RefTarget.To(root), "point the child elsewhere");

        var e = Assert.Throws<HeliosException>(() => _memory.Merge(Child, new MemoryMergeOptions { Strategy = MergeStrategy.ChildWins }));
        Assert.Contains("share no history", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Undoing_a_merge_moves_the_parent_back_and_keeps_its_signed_record()
    {
        _memory.Derive(Main, Child, "agent-1");
        var before = _repo.TryGetBranch(Main)!.Value;
        var child = _memory.Open(Child);
        child.Collection("notes").Put("k", "v"u8);
        child.Commit("child");
        var report = _memory.Merge(Child, new MemoryMergeOptions { Strategy = MergeStrategy.ChildWins });

        _repo.Undo();

        Assert.Equal(before, _repo.TryGetBranch(Main));
        Assert.Equal(MemoryBranchStatus.Active, _memory.Find(Child)!.Status);
        var log = new MergeLog(_repo);
        Assert.Equal(report.LogRecord, Assert.Single(log.Records()).Id);
        Assert.True(log.Verify().IsValid);
    }

    [Fact]
    public void Cutting_the_newest_records_off_the_log_is_detected_through_the_lineage_that_names_them()
    {
        for (int i = 0; i < 2; i++)
        {
            var branch = BranchName.Parse($"agent-{i}/try");
            _memory.Derive(Main, branch, $"agent-{i}");
            var handle = _memory.Open(branch);
            handle.Collection("notes").Put($"k{i}", "v"u8);
            handle.Commit("work");
            _memory.Merge(branch, new MemoryMergeOptions { Strategy = MergeStrategy.ChildWins });
        }

        Assert.True(_memory.VerifyLog().IsValid);
        var (first, _) = new MergeLog(_repo).Records().Last();
        _repo.Refs.Commit(new Helios.Core.Storage.RefTransaction(
            [new Helios.Core.Storage.RefUpdate(MergeLog.HeadRef, _repo.ReadRef(MergeLog.HeadRef), RefTarget.To(first))],
            new Helios.Core.Storage.OperationInfo("tamper", "rewind the log", DateTimeOffset.UtcNow, "")));

        Assert.True(new MergeLog(_repo).Verify().IsValid); // The chain alone cannot tell.
        var result = _memory.VerifyLog();
        Assert.False(result.IsValid);
        Assert.Equal(MergeLogDefect.Truncated, result.Defect);
        Assert.Contains("agent-1/try", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Undo_and_reset_move_collections_with_the_branch()
    {
        var before = _repo.TryGetBranch(Main)!.Value;
        var kb = _memory.Open(Main);
        kb.Collection("notes").Put("hello", "changed"u8);
        kb.Commit("change a note");

        _repo.Undo();

        Assert.Equal(before, _repo.TryGetBranch(Main));
        Assert.Equal("world"u8.ToArray(), _memory.Open(Main).Collection("notes").GetBytes("hello"));
    }

    [Fact]
    public void Concurrent_agents_deriving_writing_and_merging_lose_no_write()
    {
        const int agents = 8, rounds = 5, writes = 10;
        var failures = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        var threads = Enumerable.Range(0, agents).Select(a => new Thread(() =>
        {
            try
            {
                for (int r = 0; r < rounds; r++)
                {
                    var branch = BranchName.Parse($"agent-{a}/round-{r}");
                    _memory.Derive(Main, branch, $"agent-{a}");
                    var handle = _memory.Open(branch);
                    for (int w = 0; w < writes; w++)
                    {
                        handle.Collection("patterns").PutVector($"a{a}-r{r}-w{w}", Vector(a * 1000 + r * 10 + w));
                    }

                    handle.Commit("work", $"agent-{a}");
                    _memory.Merge(branch, new MemoryMergeOptions { Strategy = MergeStrategy.ChildWins, Agent = $"agent-{a}" });
                }
            }
            catch (Exception e)
            {
                failures.Add(e);
            }
        })).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();

        Assert.Empty(failures);
        var patterns = _memory.Open(Main).Collection("patterns");
        Assert.Equal(100 + agents * rounds * writes, patterns.Count);
        for (int a = 0; a < agents; a++)
        {
            for (int r = 0; r < rounds; r++)
            {
                Assert.Equal(Vector(a * 1000 + r * 10 + 9), patterns.GetVector($"a{a}-r{r}-w9"));
            }
        }

        Assert.Equal(agents * rounds, new MergeLog(_repo).Records().Count());
        Assert.True(new MergeLog(_repo).Verify().IsValid);
    }

    [Fact]
    public void Search_on_a_branch_sees_committed_vectors_and_the_handle_s_own_edits()
    {
        _memory.Derive(Main, Child, "agent-1");
        var patterns = _memory.Open(Child).Collection("patterns");
        float[] query = [1f, 0f, 0f, 0f];
        var brute = patterns.Scan().Select(kv => (kv.Key, Score: Cosine(query, kv.Value.GetVector(4)))).OrderByDescending(x => x.Score).ThenBy(x => x.Key, StringComparer.Ordinal).Take(3).ToArray();
        Assert.Equal(brute.Select(b => b.Key), patterns.Search(query, 3).Select(h => h.Key));

        patterns.PutVector("exact", query);
        patterns.Delete(brute[0].Key);
        var hits = patterns.Search(query, 3);
        Assert.Equal("exact", hits[0].Key);
        Assert.DoesNotContain(hits, h => h.Key == brute[0].Key);
        Assert.All(patterns.Search(query, 5, keyPrefix: "p01"), h => Assert.StartsWith("p01", h.Key, StringComparison.Ordinal));
        Assert.Equal(5, patterns.Search(query, 5, keyPrefix: "p01").Count);
    }

    private static float Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }

        return na == 0 || nb == 0 ? 0 : (float)(dot / Math.Sqrt(na * nb));
    }

    private static float[] Vector(int seed) => [seed, seed * 0.5f, -seed, 1f];
}
