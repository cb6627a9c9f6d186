using System.Text;
using Helios.Core.Objects;
using Helios.Core.Storage;
using Helios.Core.Storage.InMemory;

namespace Helios.Core.Tests.Storage;

public sealed class CachingObjectStoreTests
{
    private readonly Random _random = new(42);

    [Fact]
    public void Second_read_of_an_object_is_a_cache_hit()
    {
        var inner = new InMemoryObjectStore();
        var (id, bytes) = NewObject(4096, compressible: true);
        inner.PutMany([new EncodedObject(id, bytes)]);
        using var cache = new CachingObjectStore(inner);

        byte[]? first = cache.TryGet(id);
        byte[]? second = cache.TryGet(id);

        Assert.Equal(bytes, first);
        Assert.Equal(bytes, second);
        Assert.Equal(1, cache.Statistics.Misses);
        Assert.Equal(1, cache.Statistics.Hits);
        Assert.Equal(0.5, cache.Statistics.HitRatio);
    }

    [Fact]
    public void Object_just_written_is_read_back_from_the_cache()
    {
        using var cache = new CachingObjectStore(new InMemoryObjectStore());
        var (id, bytes) = NewObject(10_240, compressible: true);

        cache.PutMany([new EncodedObject(id, bytes)]);

        Assert.True(cache.IsCached(id));
        Assert.Equal(bytes, cache.TryGet(id));
        Assert.Equal(1, cache.Statistics.Hits);
        Assert.Equal(0, cache.Statistics.Misses);
    }

    [Fact]
    public void Delete_unused_evicts_exactly_the_objects_the_inner_store_deleted()
    {
        var clock = new Helios.Storage.Conformance.ManualClock();
        using var cache = new CachingObjectStore(new InMemoryObjectStore(clock));
        var (oldId, oldBytes) = NewObject(1000, compressible: true);
        cache.PutMany([new EncodedObject(oldId, oldBytes)]);
        clock.Advance(TimeSpan.FromHours(2));
        var (youngId, youngBytes) = NewObject(1000, compressible: true);
        cache.PutMany([new EncodedObject(youngId, youngBytes)]);

        var deleted = cache.DeleteUnused([oldId, youngId], clock.Now - TimeSpan.FromHours(1));

        Assert.Equal([oldId], deleted);
        Assert.False(cache.IsCached(oldId));
        Assert.Null(cache.TryGet(oldId));
        Assert.True(cache.IsCached(youngId));
        Assert.Equal(youngBytes, cache.TryGet(youngId));
    }

    [Fact]
    public void Writes_reach_the_inner_store()
    {
        var inner = new InMemoryObjectStore();
        using var cache = new CachingObjectStore(inner);
        var (id, bytes) = NewObject(100, compressible: false);

        cache.PutMany([new EncodedObject(id, bytes)]);

        Assert.Equal(bytes, inner.TryGet(id));
    }

    [Fact]
    public void Writes_are_not_cached_when_write_caching_is_off()
    {
        using var cache = new CachingObjectStore(new InMemoryObjectStore(), cacheWrites: false);
        var (id, bytes) = NewObject(1000, compressible: true);

        cache.PutMany([new EncodedObject(id, bytes)]);

        Assert.False(cache.IsCached(id));
        Assert.Equal(bytes, cache.TryGet(id));
        Assert.True(cache.IsCached(id));
    }

    [Fact]
    public void Missing_object_is_a_miss_that_caches_nothing()
    {
        using var cache = new CachingObjectStore(new InMemoryObjectStore());

        Assert.Null(cache.TryGet(NewId()));
        Assert.Equal(1, cache.Statistics.Misses);
        Assert.Equal(0, cache.Count);
        Assert.Equal(0, cache.Bytes);
    }

    [Fact]
    public void Compressible_object_is_stored_compressed()
    {
        using var cache = new CachingObjectStore(new InMemoryObjectStore());
        var (id, bytes) = NewObject(10_240, compressible: true);

        cache.PutMany([new EncodedObject(id, bytes)]);

        Assert.InRange(cache.Bytes, 1, bytes.Length / 2);
        Assert.Equal(bytes, cache.TryGet(id));
    }

    [Fact]
    public void Incompressible_object_is_stored_raw()
    {
        using var cache = new CachingObjectStore(new InMemoryObjectStore());
        var (id, bytes) = NewObject(10_240, compressible: false);

        cache.PutMany([new EncodedObject(id, bytes)]);

        Assert.Equal(bytes.Length, cache.Bytes);
        Assert.Equal(bytes, cache.TryGet(id));
    }

    [Fact]
    public void Empty_object_is_cached_and_read_back()
    {
        using var cache = new CachingObjectStore(new InMemoryObjectStore());
        var id = NewId();

        cache.PutMany([new EncodedObject(id, Array.Empty<byte>())]);

        Assert.True(cache.IsCached(id));
        Assert.Equal(Array.Empty<byte>(), cache.TryGet(id));
        Assert.Equal(1, cache.Statistics.Hits);
    }

    [Fact]
    public void Mutating_a_returned_array_does_not_change_the_cached_object()
    {
        using var cache = new CachingObjectStore(new InMemoryObjectStore());
        var (compressedId, compressible) = NewObject(2000, compressible: true);
        var (rawId, incompressible) = NewObject(2000, compressible: false);
        cache.PutMany([new EncodedObject(compressedId, compressible), new EncodedObject(rawId, incompressible)]);

        Array.Clear(cache.TryGet(compressedId)!);
        Array.Clear(cache.TryGet(rawId)!);

        Assert.Equal(compressible, cache.TryGet(compressedId));
        Assert.Equal(incompressible, cache.TryGet(rawId));
    }

    [Fact]
    public void Cache_never_exceeds_its_byte_bound()
    {
        const long capacity = 64 * 1024;
        using var cache = new CachingObjectStore(new InMemoryObjectStore(), capacity);
        var written = new List<(ObjectId Id, byte[] Bytes)>();

        for (int i = 0; i < 500; i++)
        {
            var o = NewObject(_random.Next(0, 8192), compressible: i % 2 == 0);
            written.Add(o);
            cache.PutMany([new EncodedObject(o.Id, o.Bytes)]);
            Assert.InRange(cache.Bytes, 0, capacity);

            var old = written[_random.Next(written.Count)];
            Assert.Equal(old.Bytes, cache.TryGet(old.Id));
            Assert.InRange(cache.Bytes, 0, capacity);
        }

        Assert.True(cache.Evictions > 0);
        Assert.InRange(cache.Count, 1, written.Count - 1);
    }

    [Fact]
    public void Least_recently_used_object_is_evicted_first()
    {
        // Eight incompressible 1000-byte objects fill an 8000-byte cache exactly.
        using var cache = new CachingObjectStore(new InMemoryObjectStore(), capacityBytes: 8000);
        var objects = Enumerable.Range(0, 8).Select(_ => NewObject(1000, compressible: false)).ToArray();
        foreach (var o in objects)
        {
            cache.PutMany([new EncodedObject(o.Id, o.Bytes)]);
        }

        Assert.Equal(8000, cache.Bytes);
        cache.TryGet(objects[0].Id);
        var newcomer = NewObject(1000, compressible: false);
        cache.PutMany([new EncodedObject(newcomer.Id, newcomer.Bytes)]);

        Assert.True(cache.IsCached(objects[0].Id), "the object read last must survive");
        Assert.False(cache.IsCached(objects[1].Id), "the least recently used object must go first");
        Assert.All(objects.Skip(2), o => Assert.True(cache.IsCached(o.Id)));
        Assert.True(cache.IsCached(newcomer.Id));
        Assert.Equal(1, cache.Evictions);
        Assert.Equal(8000, cache.Bytes);
    }

    [Fact]
    public void Evicted_object_is_still_read_from_the_inner_store()
    {
        using var cache = new CachingObjectStore(new InMemoryObjectStore(), capacityBytes: 2000);
        var objects = Enumerable.Range(0, 5).Select(_ => NewObject(250, compressible: false)).ToArray();
        foreach (var o in objects)
        {
            cache.PutMany([new EncodedObject(o.Id, o.Bytes)]);
        }

        var more = Enumerable.Range(0, 10).Select(_ => NewObject(250, compressible: false)).ToArray();
        cache.PutMany([.. more.Select(o => new EncodedObject(o.Id, o.Bytes))]);

        Assert.False(cache.IsCached(objects[0].Id));
        Assert.Equal(objects[0].Bytes, cache.TryGet(objects[0].Id));
        Assert.True(cache.IsCached(objects[0].Id));
    }

    [Fact]
    public void Object_larger_than_an_eighth_of_the_bound_is_returned_but_not_cached()
    {
        using var cache = new CachingObjectStore(new InMemoryObjectStore(), capacityBytes: 8000);
        var small = NewObject(1000, compressible: false);
        var large = NewObject(1001, compressible: false);

        cache.PutMany([new EncodedObject(small.Id, small.Bytes), new EncodedObject(large.Id, large.Bytes)]);

        Assert.True(cache.IsCached(small.Id));
        Assert.False(cache.IsCached(large.Id));
        Assert.Equal(large.Bytes, cache.TryGet(large.Id));
        Assert.False(cache.IsCached(large.Id));
    }

    [Fact]
    public void Deleted_object_is_evicted()
    {
        var inner = new InMemoryObjectStore();
        using var cache = new CachingObjectStore(inner);
        var kept = NewObject(3000, compressible: true);
        var deleted = NewObject(3000, compressible: true);
        cache.PutMany([new EncodedObject(kept.Id, kept.Bytes), new EncodedObject(deleted.Id, deleted.Bytes)]);
        long bytesBefore = cache.Bytes;

        cache.Delete([deleted.Id, NewId()]);

        Assert.False(cache.IsCached(deleted.Id));
        Assert.False(cache.Contains(deleted.Id));
        Assert.Null(cache.TryGet(deleted.Id));
        Assert.Null(inner.TryGet(deleted.Id));
        Assert.Equal(1, cache.Count);
        Assert.True(cache.Bytes < bytesBefore);
        Assert.Equal(kept.Bytes, cache.TryGet(kept.Id));
    }

    [Fact]
    public async Task Read_racing_a_delete_does_not_bring_the_object_back()
    {
        var gated = new GatedObjectStore(new InMemoryObjectStore());
        using var cache = new CachingObjectStore(gated, cacheWrites: false);
        var o = NewObject(4096, compressible: true);
        cache.PutMany([new EncodedObject(o.Id, o.Bytes)]);

        // The reader fetches the bytes from the inner store, then stalls before caching them.
        gated.HoldNextRead();
        var reader = Task.Run(() => cache.TryGet(o.Id));
        gated.WaitUntilReadIsHeld();
        cache.Delete([o.Id]);
        gated.ReleaseRead();

        Assert.Equal(o.Bytes, await reader);
        Assert.False(cache.IsCached(o.Id));
        Assert.Null(cache.TryGet(o.Id));
    }

    [Fact]
    public void Contains_sees_cached_and_inner_objects()
    {
        var inner = new InMemoryObjectStore();
        var innerOnly = NewObject(10, compressible: false);
        inner.PutMany([new EncodedObject(innerOnly.Id, innerOnly.Bytes)]);
        using var cache = new CachingObjectStore(inner);
        var written = NewObject(10, compressible: false);
        cache.PutMany([new EncodedObject(written.Id, written.Bytes)]);

        Assert.True(cache.Contains(innerOnly.Id));
        Assert.True(cache.Contains(written.Id));
        Assert.False(cache.Contains(NewId()));
        Assert.Equal(0, cache.Statistics.Lookups);
    }

    [Fact]
    public void Enumeration_and_prefix_lookup_are_answered_by_the_inner_store()
    {
        var inner = new InMemoryObjectStore();
        var o = NewObject(10, compressible: false);
        inner.PutMany([new EncodedObject(o.Id, o.Bytes)]);
        using var cache = new CachingObjectStore(inner);

        Assert.Equal([o.Id], cache.Enumerate());
        Assert.Equal([o.Id], cache.FindByPrefix(o.Id.ToString()[..8], 10));
    }

    [Fact]
    public void Disposing_the_cache_disposes_the_inner_store()
    {
        var inner = new GatedObjectStore(new InMemoryObjectStore());
        var cache = new CachingObjectStore(inner);

        cache.Dispose();

        Assert.True(inner.Disposed);
    }

    [Fact]
    public void Invalid_capacity_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CachingObjectStore(new InMemoryObjectStore(), capacityBytes: 0));
    }

    [Fact]
    public void Concurrent_readers_and_writers_see_consistent_bytes()
    {
        const int objectCount = 300;
        var inner = new InMemoryObjectStore();
        // Small enough to evict constantly, large enough to hit often.
        using var cache = new CachingObjectStore(inner, capacityBytes: 256 * 1024);
        var objects = Enumerable.Range(0, objectCount)
            .Select(i => NewObject(1 + (i * 97 % 6000), compressible: i % 3 != 0))
            .ToArray();
        // The first half is written up front and never deleted; the second half churns.
        cache.PutMany([.. objects.Take(objectCount / 2).Select(o => new EncodedObject(o.Id, o.Bytes))]);

        int threads = Math.Max(4, Environment.ProcessorCount * 2);
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            var random = new Random(1000 + t);
            for (int step = 0; step < 3000; step++)
            {
                int i = random.Next(objectCount);
                var (id, bytes) = objects[i];
                int action = random.Next(10);
                if (action < 7)
                {
                    byte[]? read = cache.TryGet(id);
                    bool mayBeAbsent = i >= objectCount / 2;
                    if (read is null ? !mayBeAbsent : !read.AsSpan().SequenceEqual(bytes))
                    {
                        failures.Enqueue($"object {i}: read {(read is null ? "null" : $"{read.Length} wrong bytes")}");
                    }
                }
                else if (action < 9 || i < objectCount / 2)
                {
                    cache.PutMany([new EncodedObject(id, bytes)]);
                }
                else
                {
                    cache.Delete([id]);
                }
            }
        });

        Assert.Empty(failures);
        Assert.InRange(cache.Bytes, 0, cache.CapacityBytes);
        Assert.True(cache.Statistics.Hits > 0);
        foreach (var (id, bytes) in objects)
        {
            byte[]? final = cache.TryGet(id);
            Assert.True(final is null || final.AsSpan().SequenceEqual(bytes));
            Assert.Equal(inner.Contains(id), final is not null);
        }
    }

    private ObjectId NewId()
    {
        Span<byte> bytes = stackalloc byte[ObjectId.Size];
        _random.NextBytes(bytes);
        return new ObjectId(bytes);
    }

    private (ObjectId Id, byte[] Bytes) NewObject(int size, bool compressible)
    {
        byte[] bytes = new byte[size];
        if (compressible)
        {
            var text = new StringBuilder(size + 32);
            while (text.Length < size)
            {
                text.Append("    public int Field").Append(_random.Next(100)).Append(" { get; set; }\n");
            }

            Encoding.ASCII.GetBytes(text.ToString(0, size), bytes);
        }
        else
        {
            _random.NextBytes(bytes);
        }

        return (NewId(), bytes);
    }

    /// <summary>An inner store whose next read can be held after it has fetched the bytes.</summary>
    private sealed class GatedObjectStore(IObjectStore inner) : IObjectStore
    {
        private readonly ManualResetEventSlim _held = new();
        private readonly ManualResetEventSlim _release = new();
        private volatile bool _holdNext;

        public bool Disposed { get; private set; }

        public void HoldNextRead() => _holdNext = true;

        public void WaitUntilReadIsHeld() => Assert.True(_held.Wait(TimeSpan.FromSeconds(10)), "the read never reached the inner store");

        public void ReleaseRead() => _release.Set();

        public bool Contains(ObjectId id) => inner.Contains(id);

        public byte[]? TryGet(ObjectId id)
        {
            byte[]? bytes = inner.TryGet(id);
            if (_holdNext)
            {
                _holdNext = false;
                _held.Set();
                _release.Wait(TimeSpan.FromSeconds(10));
            }

            return bytes;
        }

        public void PutMany(IReadOnlyList<EncodedObject> objects) => inner.PutMany(objects);

        public IEnumerable<ObjectId> Enumerate() => inner.Enumerate();

        public IReadOnlyList<ObjectId> FindByPrefix(string hexPrefix, int limit) => inner.FindByPrefix(hexPrefix, limit);

        public void Delete(IReadOnlyCollection<ObjectId> ids) => inner.Delete(ids);

        public IEnumerable<StoredObjectInfo> EnumerateStored() => inner.EnumerateStored();

        public IReadOnlyList<ObjectId> FindDeltaDependents(ObjectId baseId) => inner.FindDeltaDependents(baseId);

        public IReadOnlyList<ObjectId> DeleteUnused(IReadOnlyCollection<ObjectId> ids, DateTimeOffset storedBefore) =>
            inner.DeleteUnused(ids, storedBefore);

        public void Dispose()
        {
            Disposed = true;
            _held.Dispose();
            _release.Dispose();
            inner.Dispose();
        }
    }
}
