using System.Collections.Concurrent;
using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Storage;

namespace Helios.Storage.Conformance;

/// <summary>
/// The behaviour every <see cref="IRefStore"/> must show: compare-and-swap transactions that are all
/// or nothing, and a gap-free, hash-chained operation log, under threads and (for persistent
/// backends) processes. A backend's test class derives from this and overrides with an explicit
/// <c>Skip</c> any test its backend cannot run.
/// </summary>
public abstract class RefStoreContract : IDisposable
{
    /// <summary>Ref written by every writer process in the multi-process test.</summary>
    public const string SharedStressRef = "refs/stress/shared";

    private readonly List<IRefStore> _stores = [];

    /// <summary>A new, empty store. The contract disposes it at the end of the test.</summary>
    protected abstract IRefStore CreateEmptyStore();

    /// <summary>Closes <paramref name="store"/> and opens the same storage again (persistent backends only).</summary>
    protected virtual IRefStore Reopen(IRefStore store) =>
        throw new NotSupportedException($"{GetType().Name} does not persist; override the reopening test with a Skip.");

    /// <summary>
    /// Runs <paramref name="processes"/> OS processes at once against <paramref name="store"/>'s storage,
    /// each making <paramref name="commitsEach"/> transactions that move <c>refs/stress/p{index}</c>
    /// (from its previous value) and <see cref="SharedStressRef"/> (retrying on conflict) to a new value,
    /// then returns the store reopened. Backends that cannot be shared by processes skip the test.
    /// </summary>
    protected virtual IRefStore RunWriterProcesses(IRefStore store, int processes, int commitsEach) =>
        throw new NotSupportedException($"{GetType().Name} cannot be shared by processes; override the test with a Skip.");

    protected IRefStore CreateStore()
    {
        var store = CreateEmptyStore();
        _stores.Add(store);
        return store;
    }

    protected static RefName Ref(string name) => RefName.Parse(name);

    protected static RefTarget Target() => RefTarget.To(ObjectStoreContract.RandomId());

    protected static RefTransaction Tx(params RefUpdate[] updates) =>
        new(updates, new OperationInfo("test", "a test transaction", DateTimeOffset.UtcNow, "conformance"));

    protected static OperationRecord Committed(RefTransactionResult result) =>
        Assert.IsType<RefTransactionResult.Committed>(result).Record;

    [Fact]
    public void Read_of_missing_ref_returns_null()
    {
        var store = CreateStore();
        Assert.Null(store.Read(Ref("refs/heads/nothing")));
        Assert.Empty(store.List(""));
        Assert.Empty(store.ReadOperations());
    }

    [Fact]
    public void Creating_a_ref_with_null_expected_value_succeeds()
    {
        var store = CreateStore();
        var t = Target();
        var record = Committed(store.Commit(Tx(new RefUpdate(Ref("refs/heads/main"), null, t))));
        Assert.Equal(t, store.Read(Ref("refs/heads/main")));
        Assert.Equal(1, record.Sequence);
        Assert.Equal([new RefChange(Ref("refs/heads/main"), null, t)], record.Changes);
    }

    [Fact]
    public void Creating_a_ref_that_exists_reports_conflict()
    {
        var store = CreateStore();
        var first = Target();
        store.Commit(Tx(new RefUpdate(Ref("refs/heads/main"), null, first)));
        var result = store.Commit(Tx(new RefUpdate(Ref("refs/heads/main"), null, Target())));
        var conflict = Assert.IsType<RefTransactionResult.Conflict>(result);
        Assert.Equal(Ref("refs/heads/main"), conflict.Name);
        Assert.Null(conflict.Expected);
        Assert.Equal(first, conflict.Actual);
        Assert.Equal(first, store.Read(Ref("refs/heads/main")));
    }

    [Fact]
    public void Compare_and_swap_with_current_expected_value_moves_the_ref()
    {
        var store = CreateStore();
        var (a, b) = (Target(), Target());
        store.Commit(Tx(new RefUpdate(Ref("refs/heads/main"), null, a)));
        var record = Committed(store.Commit(Tx(new RefUpdate(Ref("refs/heads/main"), a, b))));
        Assert.Equal(b, store.Read(Ref("refs/heads/main")));
        Assert.Equal([new RefChange(Ref("refs/heads/main"), a, b)], record.Changes);
    }

    [Fact]
    public void Compare_and_swap_with_stale_expected_value_reports_conflict()
    {
        var store = CreateStore();
        var (a, b, c) = (Target(), Target(), Target());
        store.Commit(Tx(new RefUpdate(Ref("refs/heads/main"), null, a)));
        store.Commit(Tx(new RefUpdate(Ref("refs/heads/main"), a, b)));

        var result = store.Commit(Tx(new RefUpdate(Ref("refs/heads/main"), a, c)));

        Assert.Equal(new RefTransactionResult.Conflict(Ref("refs/heads/main"), a, b), result);
        Assert.Equal(b, store.Read(Ref("refs/heads/main")));
        Assert.Equal(2, store.ReadOperations().Count);
    }

    [Fact]
    public void Deleting_a_ref_removes_it_and_records_the_old_value()
    {
        var store = CreateStore();
        var a = Target();
        store.Commit(Tx(new RefUpdate(Ref("refs/heads/topic"), null, a)));
        var record = Committed(store.Commit(Tx(new RefUpdate(Ref("refs/heads/topic"), a, null))));
        Assert.Null(store.Read(Ref("refs/heads/topic")));
        Assert.Empty(store.List("refs/"));
        Assert.Equal([new RefChange(Ref("refs/heads/topic"), a, null)], record.Changes);
    }

    [Fact]
    public void Deleting_a_missing_ref_with_an_expected_value_reports_conflict()
    {
        var store = CreateStore();
        var result = store.Commit(Tx(new RefUpdate(Ref("refs/heads/gone"), Target(), null)));
        Assert.IsType<RefTransactionResult.Conflict>(result);
        Assert.Empty(store.ReadOperations());
    }

    [Fact]
    public void Symbolic_refs_round_trip()
    {
        var store = CreateStore();
        var head = RefTarget.Follow(Ref("refs/heads/main"));
        store.Commit(Tx(new RefUpdate(RefName.Head, null, head)));
        Assert.Equal(head, store.Read(RefName.Head));
        Assert.Equal(head, store.ReadOperations().Single().Changes.Single().New);
    }

    [Fact]
    public void Non_ascii_and_long_ref_names_round_trip_exactly()
    {
        var store = CreateStore();
        string[] names = ["refs/heads/agent-ü/проба-✓", "refs/heads/" + new string('x', 300) + "/ä", "refs/heads/😀"];
        store.Commit(Tx(names.Select(n => new RefUpdate(Ref(n), null, Target())).ToArray()));

        foreach (var name in names)
        {
            Assert.NotNull(store.Read(Ref(name)));
        }

        Assert.Equal(names.Order(StringComparer.Ordinal), store.List("refs/heads/").Select(e => e.Name.Value));
        Assert.Single(store.List("refs/heads/agent-ü/"));
    }

    [Fact]
    public void List_returns_the_refs_with_the_prefix_sorted_ordinally()
    {
        var store = CreateStore();
        string[] names = ["refs/heads/b", "refs/heads/a", "refs/heads/a/x", "refs/heads/B", "refs/heads-x", "refs/tags/v1", "HEAD"];
        store.Commit(Tx(names.Select(n => new RefUpdate(Ref(n), null, Target())).ToArray()));

        Assert.Equal(
            ["refs/heads/B", "refs/heads/a", "refs/heads/a/x", "refs/heads/b"],
            store.List("refs/heads/").Select(e => e.Name.Value));
        Assert.Equal(names.Order(StringComparer.Ordinal), store.List("").Select(e => e.Name.Value));
        Assert.Empty(store.List("refs/remotes/"));
        Assert.Equal(store.Read(Ref("refs/tags/v1")), store.List("refs/tags/").Single().Target);
    }

    [Fact]
    public void Transaction_moves_several_refs_together_and_records_each_change()
    {
        var store = CreateStore();
        var (a, b) = (Target(), Target());
        var record = Committed(store.Commit(Tx(
            new RefUpdate(Ref("refs/heads/one"), null, a),
            new RefUpdate(Ref("refs/heads/two"), null, b))));
        Assert.Equal(a, store.Read(Ref("refs/heads/one")));
        Assert.Equal(b, store.Read(Ref("refs/heads/two")));
        Assert.Equal(2, record.Changes.Count);
    }

    [Fact]
    public void Rolled_back_write_is_invisible()
    {
        var store = CreateStore();
        var (a, b) = (Target(), Target());
        store.Commit(Tx(new RefUpdate(Ref("refs/heads/one"), null, a), new RefUpdate(Ref("refs/heads/two"), null, b)));

        // The first update is valid; the second expects a stale value, so neither may apply.
        var result = store.Commit(Tx(
            new RefUpdate(Ref("refs/heads/one"), a, Target()),
            new RefUpdate(Ref("refs/heads/two"), a, Target()),
            new RefUpdate(Ref("refs/heads/three"), null, Target())));

        Assert.Equal(new RefTransactionResult.Conflict(Ref("refs/heads/two"), a, b), result);
        Assert.Equal(a, store.Read(Ref("refs/heads/one")));
        Assert.Equal(b, store.Read(Ref("refs/heads/two")));
        Assert.Null(store.Read(Ref("refs/heads/three")));
        Assert.Single(store.ReadOperations());
        // The next record continues the sequence without a gap.
        Assert.Equal(2, Committed(store.Commit(Tx(new RefUpdate(Ref("refs/heads/three"), null, a)))).Sequence);
    }

    [Fact]
    public void Operation_log_records_are_hash_chained()
    {
        var store = CreateStore();
        RefTarget? current = null;
        var returned = new List<OperationRecord>();
        for (int i = 0; i < 20; i++)
        {
            var next = Target();
            returned.Add(Committed(store.Commit(Tx(new RefUpdate(Ref("refs/heads/main"), current, next)))));
            current = next;
        }

        var log = store.ReadOperations();
        AssertChain(log);
        Assert.Equal(returned.Select(r => r.Encoded).Reverse(), log.Select(r => r.Encoded));
        Assert.Equal(returned.Select(r => r.Hash).Reverse(), log.Select(r => r.Hash));
    }

    [Fact]
    public void Operation_record_keeps_the_operation_info()
    {
        var store = CreateStore();
        var time = new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.FromHours(2)).AddTicks(1234567);
        var info = new OperationInfo("commit", "message with ünïcode ✓", time, "agent-7");
        store.Commit(new RefTransaction([new RefUpdate(Ref("refs/heads/main"), null, Target())], info));

        var stored = store.ReadOperations().Single().Info;
        Assert.Equal("commit", stored.Kind);
        Assert.Equal("message with ünïcode ✓", stored.Description);
        Assert.Equal("agent-7", stored.Agent);
        Assert.Equal(time.UtcTicks / 10, stored.Time.UtcTicks / 10);
    }

    [Fact]
    public void Read_operations_pages_newest_first()
    {
        var store = CreateStore();
        for (int i = 0; i < 10; i++)
        {
            store.Commit(Tx(new RefUpdate(Ref($"refs/heads/b{i}"), null, Target())));
        }

        Assert.Equal([10L, 9, 8], store.ReadOperations(limit: 3).Select(r => r.Sequence));
        Assert.Equal([6L, 5], store.ReadOperations(before: 7, limit: 2).Select(r => r.Sequence));
        Assert.Equal([2L, 1], store.ReadOperations(before: 3).Select(r => r.Sequence));
        Assert.Empty(store.ReadOperations(before: 1));
        Assert.Empty(store.ReadOperations(limit: 0));
    }

    [Fact]
    public void Many_threads_committing_to_distinct_refs_lose_nothing()
    {
        const int threads = 8, transactions = 200;
        var store = CreateStore();
        var finals = new RefTarget[threads];
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            RefTarget? current = null;
            for (int i = 0; i < transactions; i++)
            {
                var next = Target();
                Committed(store.Commit(Tx(new RefUpdate(Ref($"refs/heads/t{t}"), current, next))));
                current = next;
            }

            finals[t] = current!.Value;
        });

        var log = store.ReadOperations();
        Assert.Equal(threads * transactions, log.Count);
        AssertChain(log);
        for (int t = 0; t < threads; t++)
        {
            Assert.Equal(finals[t], store.Read(Ref($"refs/heads/t{t}")));
            Assert.Equal(transactions, log.Count(r => r.Changes.Single().Name == Ref($"refs/heads/t{t}")));
        }
    }

    [Fact]
    public void Many_threads_racing_on_one_ref_report_conflicts_and_lose_no_success()
    {
        const int threads = 8, attempts = 100;
        var store = CreateStore();
        var main = Ref("refs/heads/main");
        var successes = new ConcurrentBag<OperationRecord>();
        int conflicts = 0;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ =>
        {
            for (int i = 0; i < attempts; i++)
            {
                var seen = store.Read(main);
                switch (store.Commit(Tx(new RefUpdate(main, seen, Target()))))
                {
                    case RefTransactionResult.Committed c:
                        successes.Add(c.Record);
                        break;
                    case RefTransactionResult.Conflict c:
                        Assert.Equal(main, c.Name);
                        Assert.NotEqual(c.Expected, c.Actual);
                        Interlocked.Increment(ref conflicts);
                        break;
                }
            }
        });

        var log = store.ReadOperations().Reverse().ToList();
        Assert.Equal(threads * attempts, successes.Count + conflicts);
        Assert.Equal(successes.Count, log.Count);
        Assert.Equal(successes.Select(r => r.Hash).Order(), log.Select(r => r.Hash).Order());
        AssertChain(log.AsEnumerable().Reverse().ToList());
        // Every success started from the value the previous success left: no update was lost.
        RefTarget? previous = null;
        foreach (var record in log)
        {
            var change = record.Changes.Single();
            Assert.Equal(previous, change.Old);
            previous = change.New;
        }

        Assert.Equal(previous, store.Read(main));
    }

    [Fact]
    public virtual void Committed_refs_and_records_survive_reopening()
    {
        var store = CreateEmptyStore();
        var (a, b) = (Target(), Target());
        store.Commit(Tx(new RefUpdate(Ref("refs/heads/main"), null, a)));
        store.Commit(Tx(new RefUpdate(Ref("refs/heads/main"), a, b), new RefUpdate(RefName.Head, null, RefTarget.Follow(Ref("refs/heads/main")))));
        var before = store.ReadOperations();

        var reopened = Reopen(store);
        _stores.Add(reopened);

        Assert.Equal(b, reopened.Read(Ref("refs/heads/main")));
        Assert.Equal(RefTarget.Follow(Ref("refs/heads/main")), reopened.Read(RefName.Head));
        Assert.Equal(before.Select(r => r.Encoded), reopened.ReadOperations().Select(r => r.Encoded));
        Assert.Equal(3, Committed(reopened.Commit(Tx(new RefUpdate(Ref("refs/heads/x"), null, a)))).Sequence);
        AssertChain(reopened.ReadOperations());

        // The trim point survives reopening too.
        reopened.TrimOperations(DateTimeOffset.UtcNow.AddDays(1));
        var start = reopened.ReadOperationLogStart();
        var again = Reopen(reopened);
        _stores.Add(again);
        Assert.Equal(new OperationLogStart(3, before[0].Hash), start);
        Assert.Equal(start, again.ReadOperationLogStart());
    }

    [Fact]
    public virtual void Many_processes_committing_at_once_lose_nothing()
    {
        const int processes = 4, commits = 200;
        var store = CreateEmptyStore();
        var reopened = RunWriterProcesses(store, processes, commits);
        _stores.Add(reopened);

        var log = reopened.ReadOperations();
        Assert.Equal(processes * commits, log.Count);
        AssertChain(log);
        var oldestFirst = log.Reverse().ToList();
        var shared = Ref(SharedStressRef);
        RefTarget? sharedValue = null;
        var perProcess = new Dictionary<RefName, RefTarget?>();
        foreach (var record in oldestFirst)
        {
            Assert.Equal(2, record.Changes.Count);
            foreach (var change in record.Changes)
            {
                if (change.Name == shared)
                {
                    Assert.Equal(sharedValue, change.Old);
                    sharedValue = change.New;
                }
                else
                {
                    Assert.Equal(perProcess.GetValueOrDefault(change.Name), change.Old);
                    perProcess[change.Name] = change.New;
                }
            }
        }

        Assert.Equal(sharedValue, reopened.Read(shared));
        Assert.Equal(processes, perProcess.Count);
        foreach (var (name, value) in perProcess)
        {
            Assert.Equal(value, reopened.Read(name));
            Assert.Equal(commits, oldestFirst.Count(r => r.Changes.Any(c => c.Name == name)));
        }
    }

    private static RefTransaction TxAt(DateTimeOffset time, params RefUpdate[] updates) =>
        new(updates, new OperationInfo("test", "a timed transaction", time, "conformance"));

    [Fact]
    public void Trimming_removes_the_oldest_records_before_the_cutoff_and_the_chain_continues_from_the_trim_point()
    {
        var store = CreateStore();
        var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var main = Ref("refs/heads/main");
        RefTarget? value = null;
        for (int i = 0; i < 5; i++)
        {
            var next = Target();
            store.Commit(TxAt(t0.AddHours(i), new RefUpdate(main, value, next)));
            value = next;
        }

        var third = store.ReadOperations().Single(r => r.Sequence == 3);
        Assert.Equal(OperationLogStart.Untrimmed, store.ReadOperationLogStart());

        long removed = store.TrimOperations(t0.AddHours(3)); // records at hours 0, 1 and 2

        Assert.Equal(3, removed);
        Assert.Equal([5L, 4L], store.ReadOperations().Select(r => r.Sequence));
        Assert.Equal(new OperationLogStart(4, third.Hash), store.ReadOperationLogStart());
        Assert.Equal(third.Hash, store.ReadOperations().Single(r => r.Sequence == 4).Previous);
        var appended = Committed(store.Commit(TxAt(t0.AddHours(9), new RefUpdate(main, value, Target()))));
        Assert.Equal(6, appended.Sequence);
        Assert.Equal(store.ReadOperations(null, 2)[1].Hash, appended.Previous);
        Assert.Equal([4L], store.ReadOperations(5).Select(r => r.Sequence));
    }

    [Fact]
    public void Trimming_never_removes_the_newest_record_and_stops_at_the_first_record_that_is_not_old()
    {
        var store = CreateStore();
        var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        // Times out of order (clocks of different processes): hour 0, hour 5, hour 1.
        store.Commit(TxAt(t0, new RefUpdate(Ref("refs/heads/a"), null, Target())));
        store.Commit(TxAt(t0.AddHours(5), new RefUpdate(Ref("refs/heads/b"), null, Target())));
        store.Commit(TxAt(t0.AddHours(1), new RefUpdate(Ref("refs/heads/c"), null, Target())));

        Assert.Equal(1, store.TrimOperations(t0.AddHours(2)));
        Assert.Equal(0, store.TrimOperations(t0.AddHours(2)));
        Assert.Equal(1, store.TrimOperations(t0.AddHours(10)));
        Assert.Equal([3L], store.ReadOperations().Select(r => r.Sequence));
        Assert.Equal(0, store.TrimOperations(t0.AddHours(100)));
        Assert.Equal(0, CreateStore().TrimOperations(t0));
    }

    /// <summary>Asserts <paramref name="newestFirst"/> is the whole log: sequences n..1 without gaps, each record naming its predecessor's hash.</summary>
    public static void AssertChain(IReadOnlyList<OperationRecord> newestFirst)
    {
        for (int i = 0; i < newestFirst.Count; i++)
        {
            var record = newestFirst[i];
            Assert.Equal(newestFirst.Count - i, record.Sequence);
            Assert.Equal(ObjectId.Of(record.Encoded), record.Hash);
            var expectedPrevious = i + 1 < newestFirst.Count ? newestFirst[i + 1].Hash : default;
            Assert.Equal(expectedPrevious, record.Previous);
        }
    }

    public void Dispose()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }

        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing) { }
}
