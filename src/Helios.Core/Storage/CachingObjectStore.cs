using System.Buffers;
using Helios.Core.Compression;
using Helios.Core.Errors;
using Helios.Core.Objects;

namespace Helios.Core.Storage;

/// <summary>
/// The L1 tier: a size-bounded, least-recently-used cache of LZ4-compressed object bytes in front
/// of another store. Reads are served from the cache when possible and fill it on a miss; writes go
/// through to the inner store first and then (by default) enter the cache, because agents read back
/// what they just wrote; deletes remove from both.
/// <para>
/// The bound counts the stored bytes of cached objects (compressed, or raw for objects that LZ4
/// does not shrink, which are then returned without a decompression pass). Per-entry bookkeeping,
/// roughly 100 bytes, is not counted. An object larger than an eighth of the bound is never cached,
/// so one large object cannot flush everything else.
/// </para>
/// <para>
/// Thread-safe. Every operation is O(1) per object plus the cost of (de)compressing it, which
/// happens outside the lock. Every read returns a fresh array, so a caller that mutates it cannot
/// corrupt the cache. A cached object is never served after <see cref="Delete"/> for it returns.
/// Durability and atomicity are those of the inner store.
/// </para>
/// </summary>
public sealed class CachingObjectStore : ObjectStoreDecorator
{
    /// <summary>The default bound: 256 MiB of cached bytes.</summary>
    public const long DefaultCapacityBytes = 256L * 1024 * 1024;

    private readonly bool _cacheWrites;
    private readonly long _maxObjectBytes;
    private readonly LruCache<ObjectId, Entry> _cache;

    /// <param name="inner">The store beneath (L2, usually a <see cref="VerifyingObjectStore"/>). Disposed with this one.</param>
    /// <param name="capacityBytes">Upper bound of cached bytes.</param>
    /// <param name="cacheWrites">Whether objects passed to <see cref="PutMany"/> enter the cache.</param>
    public CachingObjectStore(IObjectStore inner, long capacityBytes = DefaultCapacityBytes, bool cacheWrites = true)
        : base(inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacityBytes);
        _cacheWrites = cacheWrites;
        _maxObjectBytes = Math.Max(1, capacityBytes / 8);
        _cache = new LruCache<ObjectId, Entry>(capacityBytes, e => e.Data.Length);
    }

    /// <summary>Hits and misses of <see cref="TryGet"/>.</summary>
    public TierStatistics Statistics => _cache.Statistics;

    /// <summary>Upper bound of <see cref="Bytes"/>.</summary>
    public long CapacityBytes => _cache.Capacity;

    /// <summary>Number of cached objects.</summary>
    public int Count => _cache.Count;

    /// <summary>Bytes held by cached objects, as counted against <see cref="CapacityBytes"/>.</summary>
    public long Bytes => _cache.Size;

    /// <summary>Objects dropped so far to stay within the bound.</summary>
    public long Evictions => _cache.Evictions;

    /// <summary>True when the object is in the cache itself. Does not refresh its recency or count a lookup.</summary>
    internal bool IsCached(ObjectId id) => _cache.Contains(id);

    /// <summary>True when the object is cached (without refreshing its recency) or stored beneath.</summary>
    public override bool Contains(ObjectId id) => IsCached(id) || Inner.Contains(id);

    /// <summary>The object's bytes from the cache (a hit) or from the inner store (a miss, which fills the cache).</summary>
    public override byte[]? TryGet(ObjectId id)
    {
        // Read before the lookup: a Delete that lands while we read the inner store makes Add drop the bytes,
        // so a read racing a delete cannot bring a deleted object back into the cache.
        long generation = _cache.Generation;
        if (_cache.TryGet(id, out var entry))
        {
            return Materialize(entry);
        }

        byte[]? bytes = Inner.TryGet(id);
        if (bytes is not null)
        {
            Admit(id, bytes, generation);
        }

        return bytes;
    }

    /// <summary>Writes through to the inner store; once that succeeds, caches the objects (unless disabled).</summary>
    public override void PutMany(IReadOnlyList<EncodedObject> objects)
    {
        long generation = _cache.Generation;
        Inner.PutMany(objects);
        if (_cacheWrites)
        {
            foreach (var o in objects)
            {
                Admit(o.Id, o.Bytes.Span, generation);
            }
        }
    }

    /// <summary>
    /// Caches objects the inner store already holds because they were stored another way (with a
    /// ref transaction), without writing them again: the writer is the likeliest next reader.
    /// </summary>
    internal void AdmitStored(IReadOnlyList<EncodedObject> objects)
    {
        long generation = _cache.Generation;
        foreach (var o in objects)
        {
            Admit(o.Id, o.Bytes.Span, generation);
        }
    }

    /// <summary>Deletes from the inner store, then evicts the objects from the cache.</summary>
    public override void Delete(IReadOnlyCollection<ObjectId> ids)
    {
        // Inner store first: a reader that misses after the eviction below then finds nothing to re-cache.
        Inner.Delete(ids);
        _cache.Remove(ids);
    }

    /// <summary>Deletes unused objects from the inner store, then evicts the ones it deleted from the cache.</summary>
    public override IReadOnlyList<ObjectId> DeleteUnused(IReadOnlyCollection<ObjectId> ids, DateTimeOffset storedBefore)
    {
        var deleted = Inner.DeleteUnused(ids, storedBefore);
        _cache.Remove(deleted);
        return deleted;
    }

    private void Admit(ObjectId id, ReadOnlySpan<byte> raw, long generation)
    {
        // The cheap check first, so re-putting or re-reading a cached object does not pay for compression.
        if (raw.Length <= _maxObjectBytes && !_cache.Contains(id, touch: true))
        {
            _cache.Add(id, Encode(id, raw), generation);
        }
    }

    private static Entry Encode(ObjectId id, ReadOnlySpan<byte> raw)
    {
        if (raw.IsEmpty)
        {
            return new Entry(id, [], 0, isCompressed: false);
        }

        int bound = Lz4.MaxCompressedLength(raw.Length);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(bound);
        try
        {
            int compressed = Lz4.Compress(raw, buffer.AsSpan(0, bound));
            return compressed < raw.Length
                ? new Entry(id, buffer.AsSpan(0, compressed).ToArray(), raw.Length, isCompressed: true)
                : new Entry(id, raw.ToArray(), raw.Length, isCompressed: false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static byte[] Materialize(Entry entry)
    {
        if (!entry.IsCompressed)
        {
            return entry.Data.Length == 0 ? [] : (byte[])entry.Data.Clone();
        }

        byte[] result = GC.AllocateUninitializedArray<byte>(entry.RawLength);
        try
        {
            if (Lz4.Decompress(entry.Data, result) == entry.RawLength)
            {
                return result;
            }
        }
        catch (HeliosException e) when (e.Code == HeliosErrorCode.Corruption)
        {
            // Reported below with the object's id, which the codec does not know.
        }

        throw new CorruptObjectException(entry.Id, "its cached LZ4 copy does not decode to its recorded length.");
    }

    private sealed class Entry(ObjectId id, byte[] data, int rawLength, bool isCompressed)
    {
        public ObjectId Id { get; } = id;

        /// <summary>LZ4 raw block when <see cref="IsCompressed"/>, else the object's bytes.</summary>
        public byte[] Data { get; } = data;

        public int RawLength { get; } = rawLength;

        public bool IsCompressed { get; } = isCompressed;
    }
}
