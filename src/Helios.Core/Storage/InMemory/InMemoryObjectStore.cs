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
        // Copy every payload before adding any, so a batch that fails midway stores none of it.
        var copies = new byte[objects.Count][];
        for (int i = 0; i < copies.Length; i++)
        {
            copies[i] = objects[i].Bytes.ToArray();
        }

        for (int i = 0; i < copies.Length; i++)
        {
            _objects.TryAdd(objects[i].Id, copies[i]);
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
