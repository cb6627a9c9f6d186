using Helios.Core.Objects;

namespace Helios.Core.Storage.InMemory;

/// <summary>
/// The reference object store: a dictionary under one lock. For tests and throwaway repositories.
/// <para>
/// It keeps every object's canonical bytes uncompressed, but models delta storage for the retention rules:
/// a put whose <see cref="EncodedObject.DeltaBase"/> hint names a stored object records that object as the
/// new one's <see cref="StoredObjectInfo.DeltaBase"/> (codec <see cref="StoredCodec.None"/>), so
/// <see cref="DeleteUnused"/> and <see cref="FindDeltaDependents"/> behave as on a backend that stores deltas.
/// Times come from the <see cref="TimeProvider"/> given at construction.
/// </para>
/// Thread-safe; every operation is atomic. Reads return the stored array itself (callers must not mutate it).
/// </summary>
public sealed class InMemoryObjectStore(TimeProvider? clock = null) : IObjectStore
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Lock _lock = new();
    private readonly Dictionary<ObjectId, Entry> _objects = [];
    private readonly Dictionary<ObjectId, HashSet<ObjectId>> _dependents = [];

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _objects.Count;
            }
        }
    }

    public bool Contains(ObjectId id)
    {
        lock (_lock)
        {
            return _objects.ContainsKey(id);
        }
    }

    public byte[]? TryGet(ObjectId id)
    {
        lock (_lock)
        {
            return _objects.TryGetValue(id, out var entry) ? entry.Bytes : null;
        }
    }

    public void PutMany(IReadOnlyList<EncodedObject> objects)
    {
        // Copy every payload before adding any, so a batch that fails midway stores none of it.
        var copies = new byte[objects.Count][];
        for (int i = 0; i < copies.Length; i++)
        {
            copies[i] = objects[i].Bytes.ToArray();
        }

        lock (_lock)
        {
            var now = _clock.GetUtcNow();
            for (int i = 0; i < copies.Length; i++)
            {
                var o = objects[i];
                if (_objects.TryGetValue(o.Id, out var existing))
                {
                    existing.StoredAt = now;
                    continue;
                }

                ObjectId? deltaBase = o.DeltaBase is { } hint && hint != o.Id && _objects.ContainsKey(hint) ? hint : null;
                _objects.Add(o.Id, new Entry(copies[i], deltaBase, now));
                if (deltaBase is { } b)
                {
                    AddDependent(b, o.Id);
                }
            }
        }
    }

    public IEnumerable<ObjectId> Enumerate()
    {
        lock (_lock)
        {
            return _objects.Keys.ToArray();
        }
    }

    public IEnumerable<StoredObjectInfo> EnumerateStored()
    {
        lock (_lock)
        {
            return _objects.Select(kv => Info(kv.Key, kv.Value)).ToArray();
        }
    }

    public IReadOnlyList<ObjectId> FindDeltaDependents(ObjectId baseId)
    {
        lock (_lock)
        {
            return _dependents.TryGetValue(baseId, out var set) ? set.ToArray() : [];
        }
    }

    public IReadOnlyList<ObjectId> FindByPrefix(string hexPrefix, int limit)
    {
        lock (_lock)
        {
            return _objects.Keys.Where(id => id.StartsWith(hexPrefix)).Take(limit).ToArray();
        }
    }

    public void Delete(IReadOnlyCollection<ObjectId> ids)
    {
        lock (_lock)
        {
            foreach (var id in ids)
            {
                Remove(id);
            }

            // A dependent that stays has its bytes here anyway; it is self-contained from now on.
            foreach (var id in ids)
            {
                if (_dependents.Remove(id, out var orphans))
                {
                    foreach (var orphan in orphans)
                    {
                        _objects[orphan].DeltaBase = null;
                    }
                }
            }
        }
    }

    public IReadOnlyList<ObjectId> DeleteUnused(IReadOnlyCollection<ObjectId> ids, DateTimeOffset storedBefore)
    {
        lock (_lock)
        {
            var doomed = new HashSet<ObjectId>();
            foreach (var id in ids)
            {
                if (_objects.TryGetValue(id, out var entry) && entry.StoredAt < storedBefore)
                {
                    doomed.Add(id);
                }
            }

            DeltaRetention.SpareBasesOfSurvivors(doomed, FindDependentsLocked);
            foreach (var id in doomed)
            {
                Remove(id);
            }

            return doomed.ToArray();
        }
    }

    public void Dispose() { }

    private IEnumerable<ObjectId> FindDependentsLocked(ObjectId baseId) =>
        _dependents.TryGetValue(baseId, out var set) ? set : [];

    private void Remove(ObjectId id)
    {
        if (_objects.Remove(id, out var entry) && entry.DeltaBase is { } b && _dependents.TryGetValue(b, out var set))
        {
            set.Remove(id);
            if (set.Count == 0)
            {
                _dependents.Remove(b);
            }
        }
    }

    private void AddDependent(ObjectId baseId, ObjectId dependent)
    {
        if (!_dependents.TryGetValue(baseId, out var set))
        {
            _dependents[baseId] = set = [];
        }

        set.Add(dependent);
    }

    private static StoredObjectInfo Info(ObjectId id, Entry e) =>
        new(id, e.Bytes.Length, e.Bytes.Length, StoredCodec.None, e.DeltaBase, e.StoredAt);

    private sealed class Entry(byte[] bytes, ObjectId? deltaBase, DateTimeOffset storedAt)
    {
        public byte[] Bytes { get; } = bytes;

        public ObjectId? DeltaBase { get; set; } = deltaBase;

        public DateTimeOffset StoredAt { get; set; } = storedAt;
    }
}
