using System.Collections.Concurrent;
using Helios.Core.Objects;

namespace Helios.Core.Storage.InMemory;

/// <summary>The reference object store: a concurrent dictionary. For tests and throwaway repositories.</summary>
public sealed class InMemoryObjectStore : IObjectStore
{
    private readonly ConcurrentDictionary<ObjectId, byte[]> _objects = new();

    public int Count => _objects.Count;

    public bool Contains(ObjectId id) => _objects.ContainsKey(id);

    public byte[]? TryGet(ObjectId id) => _objects.TryGetValue(id, out var bytes) ? bytes : null;

    public void PutMany(IReadOnlyList<EncodedObject> objects)
    {
        foreach (var o in objects)
        {
            _objects.TryAdd(o.Id, o.Bytes.ToArray());
        }
    }

    public IEnumerable<ObjectId> Enumerate() => _objects.Keys.ToArray();

    public IReadOnlyList<ObjectId> FindByPrefix(string hexPrefix, int limit) =>
        _objects.Keys.Where(id => id.StartsWith(hexPrefix)).Take(limit).ToArray();

    public void Delete(IReadOnlyCollection<ObjectId> ids)
    {
        foreach (var id in ids)
        {
            _objects.TryRemove(id, out _);
        }
    }

    public void Dispose() { }
}
