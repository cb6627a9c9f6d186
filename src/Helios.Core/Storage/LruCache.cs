namespace Helios.Core.Storage;

/// <summary>
/// A thread-safe least-recently-used map bounded by the total of a caller-defined size.
/// Every operation is O(1) under one short lock. Counts hits and misses.
/// </summary>
internal sealed class LruCache<TKey, TValue> where TKey : notnull
{
    private readonly Lock _lock = new();
    private readonly Dictionary<TKey, LinkedListNode<Entry>> _map = [];
    private readonly LinkedList<Entry> _order = new();
    private readonly Func<TValue, long> _sizeOf;
    private readonly long _capacity;
    private long _size;

    public LruCache(long capacityBytes, Func<TValue, long> sizeOf)
    {
        _capacity = capacityBytes;
        _sizeOf = sizeOf;
    }

    public TierStatistics Statistics { get; } = new();

    public int Count
    {
        get { lock (_lock) return _map.Count; }
    }

    public long Size
    {
        get { lock (_lock) return _size; }
    }

    public bool TryGet(TKey key, out TValue value)
    {
        lock (_lock)
        {
            if (_map.TryGetValue(key, out var node))
            {
                _order.Remove(node);
                _order.AddFirst(node);
                value = node.Value.Value;
                Statistics.RecordHit();
                return true;
            }
        }

        Statistics.RecordMiss();
        value = default!;
        return false;
    }

    public void Add(TKey key, TValue value)
    {
        long size = _sizeOf(value);
        if (size > _capacity)
        {
            return;
        }

        lock (_lock)
        {
            if (_map.TryGetValue(key, out var existing))
            {
                _order.Remove(existing);
                _size -= existing.Value.Size;
            }

            var node = _order.AddFirst(new Entry(key, value, size));
            _map[key] = node;
            _size += size;
            while (_size > _capacity && _order.Last is { } last)
            {
                _order.RemoveLast();
                _map.Remove(last.Value.Key);
                _size -= last.Value.Size;
            }
        }
    }

    public void Remove(TKey key)
    {
        lock (_lock)
        {
            if (_map.Remove(key, out var node))
            {
                _order.Remove(node);
                _size -= node.Value.Size;
            }
        }
    }

    private readonly record struct Entry(TKey Key, TValue Value, long Size);
}
