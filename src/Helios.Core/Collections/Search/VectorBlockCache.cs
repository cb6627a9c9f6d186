using Helios.Core.Objects;
using Helios.Core.Storage;

namespace Helios.Core.Collections.Search;

/// <summary>
/// A size-bounded least-recently-used cache of <see cref="VectorBlock"/>s keyed by the id of the leaf node they
/// were built from, so repeated searches skip decoding leaves. Bounded by the blocks' <see cref="VectorBlock.ApproximateSize"/>.
/// </summary>
/// <remarks>
/// Thread-safe: every operation is O(1) under one short lock (<see cref="LruCache{TKey, TValue}"/>). Leaves are
/// content-addressed and immutable, so an entry never goes stale and there is no invalidation. A block larger than
/// the whole capacity is not cached. <see cref="GetOrAdd"/> builds outside the lock: two threads missing the same
/// id at once may both build it (the results are equal; the later one is kept).
/// </remarks>
public sealed class VectorBlockCache
{
    /// <summary>Default capacity: 256 MiB, about 170,000 vectors of 384 dimensions.</summary>
    public const long DefaultCapacity = 256L * 1024 * 1024;

    private readonly LruCache<ObjectId, VectorBlock> _cache;

    /// <param name="capacity">Upper bound of the cached blocks' total <see cref="VectorBlock.ApproximateSize"/>, in bytes.</param>
    public VectorBlockCache(long capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _cache = new LruCache<ObjectId, VectorBlock>(capacity, static block => block.ApproximateSize);
    }

    /// <summary>Upper bound of <see cref="Size"/>, in bytes.</summary>
    public long Capacity => _cache.Capacity;

    /// <summary>Total <see cref="VectorBlock.ApproximateSize"/> of the cached blocks.</summary>
    public long Size => _cache.Size;

    /// <summary>Blocks cached.</summary>
    public int Count => _cache.Count;

    /// <summary>Blocks dropped so far to stay within <see cref="Capacity"/>.</summary>
    public long Evictions => _cache.Evictions;

    /// <summary>Hits and misses of <see cref="TryGet"/> and <see cref="GetOrAdd"/>.</summary>
    public TierStatistics Statistics => _cache.Statistics;

    /// <summary>The block cached for the leaf, made most recently used; counts a hit or a miss.</summary>
    public bool TryGet(ObjectId leaf, out VectorBlock block) => _cache.TryGet(leaf, out block);

    /// <summary>Caches the block built from the leaf (replacing any other), evicting the least recently used to fit.</summary>
    public void Add(ObjectId leaf, VectorBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        _cache.Add(leaf, block);
    }

    /// <summary>The cached block for the leaf, or the one <paramref name="build"/> makes, which is then cached.</summary>
    public VectorBlock GetOrAdd(ObjectId leaf, Func<ObjectId, VectorBlock> build)
    {
        ArgumentNullException.ThrowIfNull(build);
        if (_cache.TryGet(leaf, out var block))
        {
            return block;
        }

        block = build(leaf);
        _cache.Add(leaf, block);
        return block;
    }
}
