using Helios.Core.Collections.Search;
using Helios.Core.Objects;

namespace Helios.Core.Tests.Collections.Search;

public sealed class VectorBlockCacheTests
{
    [Fact]
    public void A_cached_block_is_a_hit_and_an_absent_one_a_miss()
    {
        var cache = new VectorBlockCache();
        var block = VectorData.RandomBlock(new Random(1), rows: 4, dimension: 8);
        cache.Add(Leaf(1), block);

        Assert.True(cache.TryGet(Leaf(1), out var found));
        Assert.Same(block, found);
        Assert.False(cache.TryGet(Leaf(2), out _));
        Assert.Equal(1, cache.Statistics.Hits);
        Assert.Equal(1, cache.Statistics.Misses);
    }

    [Fact]
    public void Get_or_add_builds_a_block_once_and_then_serves_it_from_the_cache()
    {
        var cache = new VectorBlockCache();
        int builds = 0;
        VectorBlock Build(ObjectId id)
        {
            builds++;
            return VectorData.RandomBlock(new Random(builds), rows: 2, dimension: 3);
        }

        var first = cache.GetOrAdd(Leaf(7), Build);
        var second = cache.GetOrAdd(Leaf(7), Build);

        Assert.Same(first, second);
        Assert.Equal(1, builds);
        Assert.Equal(1, cache.Statistics.Hits);
        Assert.Equal(1, cache.Statistics.Misses);
    }

    [Fact]
    public void The_least_recently_used_block_is_evicted_to_stay_within_capacity()
    {
        var blocks = Enumerable.Range(0, 3).Select(i => VectorData.RandomBlock(new Random(i), rows: 32, dimension: 384)).ToArray();
        var cache = new VectorBlockCache(capacity: (2 * blocks[0].ApproximateSize) + 100);
        cache.Add(Leaf(0), blocks[0]);
        cache.Add(Leaf(1), blocks[1]);
        Assert.True(cache.TryGet(Leaf(0), out _));

        cache.Add(Leaf(2), blocks[2]);

        Assert.Equal(2, cache.Count);
        Assert.Equal(1, cache.Evictions);
        Assert.True(cache.TryGet(Leaf(0), out _));
        Assert.False(cache.TryGet(Leaf(1), out _));
        Assert.True(cache.TryGet(Leaf(2), out _));
        Assert.InRange(cache.Size, 0, cache.Capacity);
    }

    [Fact]
    public void A_block_larger_than_the_capacity_is_not_cached()
    {
        var cache = new VectorBlockCache(capacity: 1000);

        cache.Add(Leaf(1), VectorData.RandomBlock(new Random(1), rows: 32, dimension: 384));

        Assert.Equal(0, cache.Count);
        Assert.False(cache.TryGet(Leaf(1), out _));
    }

    [Fact]
    public void Concurrent_readers_and_writers_keep_the_cache_consistent()
    {
        var blocks = Enumerable.Range(0, 64).Select(i => VectorData.RandomBlock(new Random(i), rows: 2, dimension: 4)).ToArray();
        var cache = new VectorBlockCache(capacity: 20 * blocks[0].ApproximateSize);

        Parallel.For(0, 8, worker =>
        {
            var random = new Random(worker);
            for (int i = 0; i < 5000; i++)
            {
                int n = random.Next(blocks.Length);
                var block = cache.GetOrAdd(Leaf(n), _ => blocks[n]);
                Assert.Same(blocks[n], block);
            }
        });

        Assert.Equal(8 * 5000, cache.Statistics.Lookups);
        Assert.InRange(cache.Size, 0, cache.Capacity);
        Assert.InRange(cache.Count, 1, 20);
    }

    private static ObjectId Leaf(int n) => ObjectId.Of(BitConverter.GetBytes(n));
}
