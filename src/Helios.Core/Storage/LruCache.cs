namespace Helios.Core.Storage;

/// <summary>
/// A thread-safe least-recently-used map bounded by the total of a caller-defined size; the one
/// eviction policy behind L0 (decoded objects) and L1 (compressed bytes). Every operation is O(1)
/// under one short lock. Counts hits, misses and evictions.
/// </summary>
internal sealed class LruCache<TKey, TValue> where TKey : notnull
{
    private readonly Lock _lock = new();
    private readonly Dictionary<TKey, LinkedListNode<Entry>> _map = [];
    private readonly LinkedList<Entry> _order = new();
    private readonly Func<TValue, long> _sizeOf;
    private long _size;
    private long _evictions;
    private long _generation;

    public LruCache(long capacity, Func<TValue, long> sizeOf)
    {
        Capacity = capacity;
        _sizeOf = sizeOf;
    }

    /// <summary>Upper bound of <see cref="Size"/>.</summary>
    public long Capacity { get; }

    public TierStatistics Statistics { get; } = new();

    public int Count
    {
        get { lock (_lock) return _map.Count; }
    }

    /// <summary>Total size of the cached values.</summary>
    public long Size
    {
        get { lock (_lock) return _size; }
    }

    /// <summary>Values dropped so far to stay within <see cref="Capacity"/>.</summary>
    public long Evictions => Interlocked.Read(ref _evictions);

    /// <summary>
    /// Bumped by every <see cref="Remove"/>. A caller that read a value from elsewhere before a removal
    /// passes the generation it saw to <see cref="Add"/>, which then drops the stale value.
    /// </summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>The value, made most recently used; counts a hit or a miss.</summary>
    public bool TryGet(TKey key, out TValue value)
    {
        lock (_lock)
        {
            if (_map.TryGetValue(key, out var node))
            {
                MoveToFront(node);
                value = node.Value.Value;
                Statistics.RecordHit();
                return true;
            }
        }

        Statistics.RecordMiss();
        value = default!;
        return false;
    }

    /// <summary>True when cached; refreshes recency when <paramref name="touch"/> is set. Counts nothing.</summary>
    public bool Contains(TKey key, bool touch = false)
    {
        lock (_lock)
        {
            if (!_map.TryGetValue(key, out var node))
            {
                return false;
            }

            if (touch)
            {
                MoveToFront(node);
            }

            return true;
        }
    }

    /// <summary>
    /// Caches the value (replacing any other under the key) unless it alone exceeds the capacity or a
    /// <see cref="Remove"/> happened since <paramref name="generation"/>; evicts the least recently used to fit.
    /// </summary>
    public void Add(TKey key, TValue value, long? generation = null)
    {
        long size = _sizeOf(value);
        if (size > Capacity)
        {
            return;
        }

        lock (_lock)
        {
            if (generation is { } g && g != _generation)
            {
                return;
            }

            if (_map.Remove(key, out var existing))
            {
                _order.Remove(existing);
                _size -= existing.Value.Size;
            }

            _map[key] = _order.AddFirst(new Entry(key, value, size));
            _size += size;
            while (_size > Capacity && _order.Last is { } last)
            {
                _order.RemoveLast();
                _map.Remove(last.Value.Key);
                _size -= last.Value.Size;
                _evictions++;
            }
        }
    }

    /// <summary>Drops the keys and bumps <see cref="Generation"/>.</summary>
    public void Remove(IEnumerable<TKey> keys)
    {
        lock (_lock)
        {
            _generation++;
            foreach (var key in keys)
            {
                if (_map.Remove(key, out var node))
                {
                    _order.Remove(node);
                    _size -= node.Value.Size;
                }
            }
        }
    }

    private void MoveToFront(LinkedListNode<Entry> node)
    {
        if (node != _order.First)
        {
            _order.Remove(node);
            _order.AddFirst(node);
        }
    }

    // A class: LinkedList<Entry> then runs code ReadyToRun compiled ahead of time (a struct entry
    // made every CLI process compile the list's methods at start-up).
    private sealed class Entry(TKey key, TValue value, long size)
    {
        public TKey Key { get; } = key;

        public TValue Value { get; } = value;

        public long Size { get; } = size;
    }
}
