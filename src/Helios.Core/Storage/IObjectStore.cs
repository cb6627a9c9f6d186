using Helios.Core.Objects;

namespace Helios.Core.Storage;

/// <summary>An object's id with its canonical encoding, as handed to and returned by a store.</summary>
/// <param name="Id">The object's id.</param>
/// <param name="Bytes">The object's canonical encoding.</param>
/// <param name="DeltaBase">
/// A hint for stores that keep near-duplicates as deltas: an object likely to be similar (say, the previous
/// version of the same path). A store may ignore it; it never changes the object's id or bytes.
/// </param>
public readonly record struct EncodedObject(ObjectId Id, ReadOnlyMemory<byte> Bytes, ObjectId? DeltaBase = null);

/// <summary>
/// Content-addressed object storage. Objects are immutable: putting an id that exists is a no-op.
/// Implementations are thread-safe. A store does not verify ids on read; the layer above does
/// (see <see cref="VerifyingObjectStore"/>), so a store may stay a dumb map.
/// </summary>
public interface IObjectStore : IDisposable
{
    /// <summary>True when the object is stored. O(1) or O(log n).</summary>
    bool Contains(ObjectId id);

    /// <summary>The canonical encoding stored under <paramref name="id"/>, or null when absent.</summary>
    byte[]? TryGet(ObjectId id);

    /// <summary>
    /// Stores every object or none (one transaction). Idempotent. Durable when it returns if the
    /// backend runs in <see cref="Durability.Durable"/> mode; survives a process crash in
    /// <see cref="Durability.Fast"/> mode.
    /// </summary>
    void PutMany(IReadOnlyList<EncodedObject> objects);

    /// <summary>Every stored id, in no particular order. Safe to call while others write.</summary>
    IEnumerable<ObjectId> Enumerate();

    /// <summary>Up to <paramref name="limit"/> stored ids whose hex starts with <paramref name="hexPrefix"/>.</summary>
    IReadOnlyList<ObjectId> FindByPrefix(string hexPrefix, int limit);

    /// <summary>Deletes the given objects (garbage collection only). Missing ids are ignored.</summary>
    void Delete(IReadOnlyCollection<ObjectId> ids);
}

/// <summary>How much a backend promises about acknowledged writes.</summary>
public enum Durability
{
    /// <summary>Every acknowledged write survives power loss (fsync on each transaction).</summary>
    Durable,

    /// <summary>Acknowledged writes survive a process crash; a power loss may drop the last ones but never corrupts.</summary>
    Fast,
}
