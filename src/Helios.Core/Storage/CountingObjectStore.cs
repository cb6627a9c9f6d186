using Helios.Core.Objects;

namespace Helios.Core.Storage;

/// <summary>
/// Counts the reads that reach the store beneath (the L2 tier): a hit when the object was there,
/// a miss when it was absent. One interlocked increment per read; nothing else changes.
/// </summary>
public sealed class CountingObjectStore(IObjectStore inner) : IObjectStore
{
    public TierStatistics Statistics { get; } = new();

    public bool Contains(ObjectId id) => inner.Contains(id);

    public byte[]? TryGet(ObjectId id)
    {
        var bytes = inner.TryGet(id);
        if (bytes is null) Statistics.RecordMiss();
        else Statistics.RecordHit();
        return bytes;
    }

    public void PutMany(IReadOnlyList<EncodedObject> objects) => inner.PutMany(objects);

    public IEnumerable<ObjectId> Enumerate() => inner.Enumerate();

    public IReadOnlyList<ObjectId> FindByPrefix(string hexPrefix, int limit) => inner.FindByPrefix(hexPrefix, limit);

    public void Delete(IReadOnlyCollection<ObjectId> ids) => inner.Delete(ids);

    public void Dispose() => inner.Dispose();
}
