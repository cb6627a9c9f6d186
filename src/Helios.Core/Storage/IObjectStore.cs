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

/// <summary>How a store keeps one object's payload on disk. Numbers are persisted: append only.</summary>
public enum StoredCodec : byte
{
    /// <summary>The canonical encoding as is.</summary>
    None = 0,

    /// <summary>A zstd frame of the canonical encoding.</summary>
    Zstd = 1,

    /// <summary>A zstd frame of the canonical encoding compressed with the delta base's canonical encoding as prefix dictionary.</summary>
    ZstdDelta = 2,
}

/// <summary>How one object is kept by a store.</summary>
/// <param name="Id">The object's id.</param>
/// <param name="Length">Bytes of the object's canonical encoding.</param>
/// <param name="StoredLength">Bytes its stored payload takes (after compression or delta encoding).</param>
/// <param name="Codec">How the payload is encoded.</param>
/// <param name="DeltaBase">
/// The object this one's stored form needs to be read (its delta base), or null when it is self-contained.
/// A store never deletes an object through <see cref="IObjectStore.DeleteUnused"/> while another stays that names it here.
/// </param>
/// <param name="StoredAt">When the object was stored or last re-put (freshened); gc's grace period counts from it.</param>
public readonly record struct StoredObjectInfo(
    ObjectId Id, long Length, long StoredLength, StoredCodec Codec, ObjectId? DeltaBase, DateTimeOffset StoredAt);

/// <summary>
/// Content-addressed object storage. Objects are immutable: putting an id that exists keeps its bytes
/// and only freshens its <see cref="StoredObjectInfo.StoredAt"/> to now.
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
    /// Stores every object or none (one transaction). Idempotent for content: an id already stored keeps its
    /// bytes, but its <see cref="StoredObjectInfo.StoredAt"/> becomes now ("freshening"), so an object a writer
    /// just re-created is young again and gc's grace period protects it. Durable when it returns if the
    /// backend runs in <see cref="Durability.Durable"/> mode; survives a process crash in
    /// <see cref="Durability.Fast"/> mode.
    /// </summary>
    void PutMany(IReadOnlyList<EncodedObject> objects);

    /// <summary>Every stored id, in no particular order. Safe to call while others write.</summary>
    IEnumerable<ObjectId> Enumerate();

    /// <summary>Up to <paramref name="limit"/> stored ids whose hex starts with <paramref name="hexPrefix"/>.</summary>
    IReadOnlyList<ObjectId> FindByPrefix(string hexPrefix, int limit);

    /// <summary>
    /// Every stored object with how it is kept, in no particular order. Same guarantees as <see cref="Enumerate"/>:
    /// safe while others write; every object stored before the call and not deleted during it is listed once.
    /// </summary>
    IEnumerable<StoredObjectInfo> EnumerateStored();

    /// <summary>
    /// Ids of the stored objects kept as deltas against <paramref name="baseId"/> (whose
    /// <see cref="StoredObjectInfo.DeltaBase"/> is it), in no particular order: what breaks if that base is
    /// lost or corrupt. O(dependents) with an index.
    /// </summary>
    IReadOnlyList<ObjectId> FindDeltaDependents(ObjectId baseId);

    /// <summary>Deletes the given objects (garbage collection only). Missing ids are ignored.</summary>
    void Delete(IReadOnlyCollection<ObjectId> ids);

    /// <summary>
    /// Deletes each of <paramref name="ids"/> whose <see cref="StoredObjectInfo.StoredAt"/> is before
    /// <paramref name="storedBefore"/> and that is not the delta base of an object that stays (dependents
    /// deleted in the same call go first, so a whole chain can go at once). Atomic: one transaction, so a
    /// concurrent re-put either lands before (and freshens, saving the object) or after (and stores it anew).
    /// Missing ids are ignored. Returns the ids actually deleted.
    /// </summary>
    IReadOnlyList<ObjectId> DeleteUnused(IReadOnlyCollection<ObjectId> ids, DateTimeOffset storedBefore);
}

/// <summary>How much a backend promises about acknowledged writes.</summary>
public enum Durability
{
    /// <summary>Every acknowledged write survives power loss (fsync on each transaction).</summary>
    Durable,

    /// <summary>Acknowledged writes survive a process crash; a power loss may drop the last ones but never corrupts.</summary>
    Fast,
}
