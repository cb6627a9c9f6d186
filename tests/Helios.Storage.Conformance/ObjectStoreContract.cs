using System.Buffers;
using System.Security.Cryptography;
using Helios.Core.Objects;
using Helios.Core.Storage;

namespace Helios.Storage.Conformance;

/// <summary>
/// The behaviour every <see cref="IObjectStore"/> must show. A backend's test class derives from this,
/// supplies fresh stores, and overrides with an explicit <c>Skip</c> any test its backend cannot run.
/// Ids here are random 32-byte values: stores do not verify ids, so no hashing is needed.
/// </summary>
public abstract class ObjectStoreContract : IDisposable
{
    private readonly List<IObjectStore> _stores = [];

    /// <summary>A new, empty store that stamps times from <paramref name="clock"/>. The contract disposes it at the end of the test.</summary>
    protected abstract IObjectStore CreateEmptyStore(TimeProvider clock);

    protected IObjectStore CreateEmptyStore() => CreateEmptyStore(TimeProvider.System);

    /// <summary>Closes <paramref name="store"/> and opens the same storage again (persistent backends only).</summary>
    protected virtual IObjectStore Reopen(IObjectStore store) =>
        throw new NotSupportedException($"{GetType().Name} does not persist; override the reopening test with a Skip.");

    /// <summary>
    /// Brings what <paramref name="store"/> holds into its at-rest form, for tests that inspect how objects are kept
    /// (a store that defers encoding, as SQLite's object inbox does, encodes now); a no-op by default.
    /// </summary>
    protected virtual void Settle(IObjectStore store)
    {
    }

    protected IObjectStore CreateStore(TimeProvider? clock = null)
    {
        var store = CreateEmptyStore(clock ?? TimeProvider.System);
        _stores.Add(store);
        return store;
    }

    protected IObjectStore Track(IObjectStore store)
    {
        _stores.Add(store);
        return store;
    }

    /// <summary>
    /// <paramref name="count"/> versions of a compressible text file, each a few lines away from the one before,
    /// each hinting the one before as its delta base: what the commit path hands a store.
    /// </summary>
    public static EncodedObject[] SimilarVersions(int count, int lines = 200)
    {
        var random = new Random(count * 7919 + lines);
        var text = Enumerable.Range(0, lines).Select(i => $"line {i}: value {random.Next()} and some steady text").ToList();
        var versions = new EncodedObject[count];
        for (int v = 0; v < count; v++)
        {
            for (int change = 0; change < 3; change++)
            {
                text[random.Next(lines)] = $"changed in version {v}: {random.Next()}";
            }

            var bytes = System.Text.Encoding.UTF8.GetBytes(string.Join('\n', text));
            versions[v] = new EncodedObject(RandomId(), bytes, v == 0 ? null : versions[v - 1].Id);
        }

        return versions;
    }

    public static ObjectId RandomId() => new(RandomNumberGenerator.GetBytes(ObjectId.Size));

    public static EncodedObject RandomObject(int size = 100) => new(RandomId(), RandomNumberGenerator.GetBytes(size));

    [Fact]
    public void Get_of_missing_object_returns_null()
    {
        var store = CreateStore();
        Assert.Null(store.TryGet(RandomId()));
        Assert.False(store.Contains(RandomId()));
    }

    [Fact]
    public void Put_then_get_returns_the_same_bytes()
    {
        var store = CreateStore();
        var a = RandomObject(10);
        var b = RandomObject(5000);
        store.PutMany([a, b]);
        Assert.Equal(a.Bytes.ToArray(), store.TryGet(a.Id));
        Assert.Equal(b.Bytes.ToArray(), store.TryGet(b.Id));
        Assert.True(store.Contains(a.Id));
        Assert.True(store.Contains(b.Id));
    }

    [Fact]
    public void Empty_and_large_objects_round_trip()
    {
        var store = CreateStore();
        var empty = new EncodedObject(RandomId(), Array.Empty<byte>());
        var large = RandomObject(3 * 1024 * 1024 + 17);
        store.PutMany([empty, large]);
        Assert.Equal(Array.Empty<byte>(), store.TryGet(empty.Id));
        Assert.Equal(large.Bytes.ToArray(), store.TryGet(large.Id));
    }

    [Fact]
    public void Bytes_given_as_a_slice_of_a_larger_buffer_are_stored_exactly()
    {
        var store = CreateStore();
        var buffer = RandomNumberGenerator.GetBytes(300);
        var o = new EncodedObject(RandomId(), buffer.AsMemory(100, 50));
        store.PutMany([o]);
        Assert.Equal(buffer[100..150], store.TryGet(o.Id));
    }

    [Fact]
    public void Put_is_idempotent()
    {
        var store = CreateStore();
        var a = RandomObject();
        store.PutMany([a]);
        store.PutMany([a, a]);
        Assert.Equal(a.Bytes.ToArray(), store.TryGet(a.Id));
        Assert.Single(store.Enumerate());
    }

    [Fact]
    public void Put_of_an_existing_id_keeps_the_first_bytes()
    {
        var store = CreateStore();
        var first = RandomObject();
        store.PutMany([first]);
        store.PutMany([new EncodedObject(first.Id, new byte[] { 1, 2, 3 })]);
        Assert.Equal(first.Bytes.ToArray(), store.TryGet(first.Id));
    }

    [Fact]
    public void Empty_batch_changes_nothing()
    {
        var store = CreateStore();
        store.PutMany([]);
        Assert.Empty(store.Enumerate());
    }

    [Fact]
    public void Batch_that_fails_midway_stores_none_of_its_objects()
    {
        var store = CreateStore();
        var committed = RandomObject();
        store.PutMany([committed]);
        var before = new[] { RandomObject(), RandomObject(4000) };
        var after = RandomObject();

        Assert.ThrowsAny<Exception>(() => store.PutMany([before[0], before[1], FailingObject(), after]));

        Assert.All(before.Append(after), o => Assert.False(store.Contains(o.Id)));
        Assert.Equal(committed.Bytes.ToArray(), store.TryGet(committed.Id));
        Assert.Single(store.Enumerate());
        // The store is still usable after the failure.
        store.PutMany(before);
        Assert.True(store.Contains(before[1].Id));
    }

    [Fact]
    public void Enumerate_lists_every_stored_id_once()
    {
        var store = CreateStore();
        var objects = Enumerable.Range(0, 5000).Select(_ => RandomObject(8)).ToArray();
        store.PutMany(objects);
        var listed = store.Enumerate().ToList();
        Assert.Equal(objects.Length, listed.Count);
        Assert.Equal(objects.Select(o => o.Id).ToHashSet(), listed.ToHashSet());
    }

    [Fact]
    public void Enumerate_is_safe_while_another_thread_writes()
    {
        var store = CreateStore();
        var initial = Enumerable.Range(0, 3000).Select(_ => RandomObject(8)).ToArray();
        store.PutMany(initial);
        using var stop = new CancellationTokenSource();
        var writer = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                store.PutMany([RandomObject(8), RandomObject(8)]);
            }
        });
        writer.Start();
        var listed = store.Enumerate().ToList();
        stop.Cancel();
        writer.Join();
        Assert.Subset(listed.ToHashSet(), initial.Select(o => o.Id).ToHashSet());
        Assert.Equal(listed.Count, listed.Distinct().Count());
    }

    [Fact]
    public void Find_by_prefix_returns_the_ids_starting_with_an_even_length_prefix()
    {
        var store = CreateStore();
        var objects = Enumerable.Range(0, 300).Select(_ => RandomObject(8)).ToArray();
        store.PutMany(objects);
        var target = objects[17].Id;
        string prefix = target.ToString()[..6];

        var found = store.FindByPrefix(prefix, 100);

        Assert.Contains(target, found);
        Assert.All(found, id => Assert.StartsWith(prefix, id.ToString(), StringComparison.Ordinal));
        Assert.Equal(objects.Count(o => o.Id.StartsWith(prefix)), found.Count);
    }

    [Fact]
    public void Find_by_prefix_with_an_odd_length_prefix_respects_the_nibble_boundary()
    {
        var store = CreateStore();
        var inside = new[] { IdWithPrefix("abc0"), IdWithPrefix("abcf"), IdWithPrefix("abc7") };
        var other = IdWithPrefix("bbc0");
        var outside = new[] { IdWithPrefix("abbf"), IdWithPrefix("abd0"), IdWithPrefix("ab00"), other };
        store.PutMany(inside.Concat(outside).Select(id => new EncodedObject(id, new byte[] { 1 })).ToArray());

        Assert.Equal(inside.Order().ToArray(), store.FindByPrefix("abc", 10).Order().ToArray());
        Assert.Equal(inside.Order().ToArray(), store.FindByPrefix("ABC", 10).Order().ToArray());
        Assert.Equal([other], store.FindByPrefix("b", 10));
    }

    [Fact]
    public void Find_by_prefix_of_f_digits_finds_the_highest_ids()
    {
        var store = CreateStore();
        var highest = IdWithPrefix("ffff");
        var high = new[] { highest, IdWithPrefix("fff0") };
        var other = IdWithPrefix("ffef");
        store.PutMany(high.Append(other).Select(id => new EncodedObject(id, new byte[] { 2 })).ToArray());

        Assert.Equal(high.Order().ToArray(), store.FindByPrefix("fff", 10).Order().ToArray());
        Assert.Equal([highest], store.FindByPrefix("ffff", 10));
        Assert.Equal(3, store.FindByPrefix("f", 10).Count);
    }

    [Fact]
    public void Find_by_prefix_of_a_full_id_finds_exactly_that_id()
    {
        var store = CreateStore();
        var objects = Enumerable.Range(0, 10).Select(_ => RandomObject(8)).ToArray();
        store.PutMany(objects);
        Assert.Equal([objects[3].Id], store.FindByPrefix(objects[3].Id.ToString(), 10));
    }

    [Fact]
    public void Find_by_prefix_respects_the_limit()
    {
        var store = CreateStore();
        var ids = Enumerable.Range(0, 20).Select(i => IdWithPrefix("1234", (byte)i)).ToArray();
        store.PutMany(ids.Select(id => new EncodedObject(id, new byte[] { 3 })).ToArray());
        Assert.Equal(5, store.FindByPrefix("1234", 5).Count);
        Assert.Equal(20, store.FindByPrefix("123", 100).Count);
    }

    [Fact]
    public void Find_by_prefix_without_a_match_or_with_non_hex_input_returns_nothing()
    {
        var store = CreateStore();
        store.PutMany([new EncodedObject(IdWithPrefix("aaaa"), new byte[] { 4 })]);
        Assert.Empty(store.FindByPrefix("aaab", 10));
        Assert.Empty(store.FindByPrefix("zz", 10));
        Assert.Empty(store.FindByPrefix(new string('a', 65), 10));
    }

    [Fact]
    public void Delete_removes_only_the_given_objects()
    {
        var store = CreateStore();
        var keep = RandomObject();
        var drop = new[] { RandomObject(), RandomObject() };
        store.PutMany(drop.Append(keep).ToArray());

        store.Delete(drop.Select(o => o.Id).ToArray());

        Assert.All(drop, o => Assert.Null(store.TryGet(o.Id)));
        Assert.Equal(keep.Bytes.ToArray(), store.TryGet(keep.Id));
        Assert.Equal([keep.Id], store.Enumerate());
        Assert.Empty(store.FindByPrefix(drop[0].Id.ToString()[..8], 10));
    }

    [Fact]
    public void Delete_of_missing_ids_is_ignored()
    {
        var store = CreateStore();
        var keep = RandomObject();
        store.PutMany([keep]);
        store.Delete([RandomId(), RandomId()]);
        store.Delete([]);
        Assert.True(store.Contains(keep.Id));
    }

    [Fact]
    public void Deleted_object_can_be_stored_again()
    {
        var store = CreateStore();
        var o = RandomObject();
        store.PutMany([o]);
        store.Delete([o.Id]);
        store.PutMany([o]);
        Assert.Equal(o.Bytes.ToArray(), store.TryGet(o.Id));
    }

    [Fact]
    public void Many_threads_putting_objects_lose_nothing()
    {
        var store = CreateStore();
        var batches = Enumerable.Range(0, 8)
            .Select(_ => Enumerable.Range(0, 100).Select(_ => new[] { RandomObject(300), RandomObject(300) }).ToArray())
            .ToArray();
        Parallel.ForEach(batches, new ParallelOptions { MaxDegreeOfParallelism = 8 }, thread =>
        {
            foreach (var batch in thread)
            {
                store.PutMany(batch);
                Assert.True(store.Contains(batch[0].Id));
            }
        });
        var all = batches.SelectMany(t => t).SelectMany(b => b).ToArray();
        Assert.Equal(all.Length, store.Enumerate().Count());
        Assert.All(all, o => Assert.Equal(o.Bytes.ToArray(), store.TryGet(o.Id)));
    }

    [Fact]
    public virtual void Objects_survive_reopening()
    {
        var store = CreateEmptyStore(TimeProvider.System);
        var objects = Enumerable.Range(0, 50).Select(_ => RandomObject(2000)).ToArray();
        store.PutMany(objects);
        store.Delete([objects[0].Id]);
        var reopened = Track(Reopen(store));
        Assert.Null(reopened.TryGet(objects[0].Id));
        Assert.All(objects.Skip(1), o => Assert.Equal(o.Bytes.ToArray(), reopened.TryGet(o.Id)));
        Assert.Equal(49, reopened.Enumerate().Count());
    }

    [Fact]
    public void Stored_info_lists_every_object_once_with_its_length_and_time()
    {
        var clock = new ManualClock();
        var store = CreateStore(clock);
        var objects = new[] { RandomObject(0), RandomObject(10), RandomObject(70_000) };
        store.PutMany(objects);

        var infos = store.EnumerateStored().ToDictionary(i => i.Id);

        Assert.Equal(objects.Length, infos.Count);
        Assert.All(objects, o =>
        {
            var info = infos[o.Id];
            Assert.Equal(o.Bytes.Length, info.Length);
            Assert.Equal(clock.Now, info.StoredAt);
            Assert.Null(info.DeltaBase);
            Assert.True(info.StoredLength >= 0);
        });
    }

    [Fact]
    public void Stored_info_pages_through_many_objects_and_matches_enumerate()
    {
        var store = CreateStore();
        var objects = Enumerable.Range(0, 5000).Select(_ => RandomObject(8)).ToArray();
        store.PutMany(objects);
        var listed = store.EnumerateStored().Select(i => i.Id).ToList();
        Assert.Equal(objects.Length, listed.Count);
        Assert.Equal(objects.Select(o => o.Id).ToHashSet(), listed.ToHashSet());
    }

    [Fact]
    public void Putting_an_existing_object_again_freshens_its_stored_time_and_keeps_its_bytes()
    {
        var clock = new ManualClock();
        var store = CreateStore(clock);
        var o = RandomObject(300);
        store.PutMany([o]);
        clock.Advance(TimeSpan.FromHours(3));

        store.PutMany([new EncodedObject(o.Id, new byte[] { 9, 9, 9 })]);

        var info = Assert.Single(store.EnumerateStored());
        Assert.Equal(clock.Now, info.StoredAt);
        Assert.Equal(o.Bytes.ToArray(), store.TryGet(o.Id));
    }

    [Fact]
    public void Delete_unused_deletes_only_the_given_objects_stored_before_the_cutoff()
    {
        var clock = new ManualClock();
        var store = CreateStore(clock);
        var (old, other) = (RandomObject(), RandomObject());
        store.PutMany([old, other]);
        clock.Advance(TimeSpan.FromHours(2));
        var young = RandomObject();
        store.PutMany([young]);

        var deleted = store.DeleteUnused([old.Id, young.Id, RandomId()], clock.Now - TimeSpan.FromHours(1));

        Assert.Equal([old.Id], deleted);
        Assert.Null(store.TryGet(old.Id));
        Assert.Equal(young.Bytes.ToArray(), store.TryGet(young.Id));
        Assert.Equal(other.Bytes.ToArray(), store.TryGet(other.Id));
        Assert.Empty(store.DeleteUnused([], clock.Now));
    }

    [Fact]
    public void Delete_unused_spares_an_object_freshened_after_the_cutoff()
    {
        var clock = new ManualClock();
        var store = CreateStore(clock);
        var o = RandomObject();
        store.PutMany([o]);
        clock.Advance(TimeSpan.FromHours(2));
        store.PutMany([o]);

        Assert.Empty(store.DeleteUnused([o.Id], clock.Now - TimeSpan.FromHours(1)));
        Assert.True(store.Contains(o.Id));
    }

    [Fact]
    public void Delete_unused_of_an_object_stored_exactly_at_the_cutoff_keeps_it()
    {
        var clock = new ManualClock();
        var store = CreateStore(clock);
        var o = RandomObject();
        store.PutMany([o]);
        Assert.Empty(store.DeleteUnused([o.Id], clock.Now));
        Assert.Single(store.DeleteUnused([o.Id], clock.Now + TimeSpan.FromMilliseconds(1)));
    }

    [Fact]
    public virtual void A_similar_object_put_with_a_hint_to_a_stored_base_is_kept_as_a_delta_against_it()
    {
        var store = CreateStore();
        var versions = SimilarVersions(2);
        store.PutMany([versions[0]]);
        store.PutMany([versions[1]]);
        Settle(store);

        var info = store.EnumerateStored().Single(i => i.Id == versions[1].Id);
        Assert.Equal(versions[0].Id, info.DeltaBase);
        Assert.Equal([versions[1].Id], store.FindDeltaDependents(versions[0].Id));
        Assert.Empty(store.FindDeltaDependents(versions[1].Id));
        Assert.Equal(versions[1].Bytes.ToArray(), store.TryGet(versions[1].Id));
    }

    [Fact]
    public void A_hint_to_a_missing_base_is_ignored()
    {
        var store = CreateStore();
        var o = RandomObject() with { DeltaBase = RandomId() };
        store.PutMany([o]);
        Assert.Null(Assert.Single(store.EnumerateStored()).DeltaBase);
        Assert.Equal(o.Bytes.ToArray(), store.TryGet(o.Id));
    }

    [Fact]
    public void Delete_unused_never_deletes_the_delta_base_of_an_object_that_stays()
    {
        var clock = new ManualClock();
        var store = CreateStore(clock);
        var versions = SimilarVersions(6);
        foreach (var v in versions)
        {
            store.PutMany([v]);
        }

        Settle(store);
        var infos = store.EnumerateStored().ToDictionary(i => i.Id);
        clock.Advance(TimeSpan.FromHours(2));
        // Every other version goes; the rest stay and must still read back.
        var asked = versions.Where((_, i) => i % 2 == 0).Select(v => v.Id).ToHashSet();
        var deleted = store.DeleteUnused(asked, clock.Now).ToHashSet();

        Assert.Subset(asked, deleted);
        var survivors = versions.Where(v => !deleted.Contains(v.Id)).ToArray();
        Assert.All(survivors, v => Assert.Equal(v.Bytes.ToArray(), store.TryGet(v.Id)));
        Assert.All(survivors, v =>
        {
            if (infos[v.Id].DeltaBase is { } b)
            {
                Assert.DoesNotContain(b, deleted);
            }
        });
        // Without dependents staying, every asked object is gone.
        Assert.Equal(asked.Where(id => !versions.Any(v => !deleted.Contains(v.Id) && infos[v.Id].DeltaBase == id)).ToHashSet(), deleted);
    }

    [Fact]
    public virtual void Delete_unused_keeps_a_base_while_its_dependent_stays_and_deletes_both_together()
    {
        var clock = new ManualClock();
        var store = CreateStore(clock);
        var versions = SimilarVersions(2);
        store.PutMany([versions[0]]);
        store.PutMany([versions[1]]);
        Settle(store);
        Assert.Equal(versions[0].Id, store.EnumerateStored().Single(i => i.Id == versions[1].Id).DeltaBase);
        clock.Advance(TimeSpan.FromHours(2));

        Assert.Empty(store.DeleteUnused([versions[0].Id], clock.Now));
        Assert.Equal(versions[1].Bytes.ToArray(), store.TryGet(versions[1].Id));

        var both = store.DeleteUnused([versions[0].Id, versions[1].Id], clock.Now);
        Assert.Equal(2, both.Count);
        Assert.Empty(store.Enumerate());
    }

    [Fact]
    public void Delete_of_a_delta_base_leaves_its_dependents_readable()
    {
        var store = CreateStore();
        var versions = SimilarVersions(4);
        foreach (var v in versions)
        {
            store.PutMany([v]);
        }

        store.Delete([versions[0].Id, versions[2].Id]);

        Assert.Equal(versions[1].Bytes.ToArray(), store.TryGet(versions[1].Id));
        Assert.Equal(versions[3].Bytes.ToArray(), store.TryGet(versions[3].Id));
        Assert.All(store.EnumerateStored(), i => Assert.True(i.DeltaBase is null || store.Contains(i.DeltaBase.Value)));
    }

    [Fact]
    public void Objects_in_one_batch_may_hint_each_other()
    {
        var store = CreateStore();
        var versions = SimilarVersions(5);
        store.PutMany(versions);
        Assert.All(versions, v => Assert.Equal(v.Bytes.ToArray(), store.TryGet(v.Id)));
        var infos = store.EnumerateStored().ToArray();
        Assert.Equal(5, infos.Length);
        Assert.All(infos, i => Assert.True(i.DeltaBase is null || store.Contains(i.DeltaBase.Value)));
    }

    /// <summary>An id whose hex starts with <paramref name="hexPrefix"/> (even length), the rest random but for <paramref name="tag"/>.</summary>
    public static ObjectId IdWithPrefix(string hexPrefix, byte tag = 0)
    {
        var bytes = RandomNumberGenerator.GetBytes(ObjectId.Size);
        Convert.FromHexString(hexPrefix).CopyTo(bytes, 0);
        bytes[^1] = tag;
        return new ObjectId(bytes);
    }

    /// <summary>
    /// An object whose bytes throw when a store reads them: putting it in the middle of a batch makes
    /// any backend fail after it has handled the objects before it, so atomicity is tested for real.
    /// </summary>
    public static EncodedObject FailingObject() => new(RandomId(), new FailingMemory().Memory);

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

    private sealed class FailingMemory : MemoryManager<byte>
    {
        public override Span<byte> GetSpan() => throw new IOException("Injected failure: these bytes cannot be read.");

        public override MemoryHandle Pin(int elementIndex = 0) => throw new IOException("Injected failure: these bytes cannot be pinned.");

        public override void Unpin() { }

        protected override void Dispose(bool disposing) { }
    }
}
