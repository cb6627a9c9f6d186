using Helios.Core.Errors;
using Helios.Core.Objects;

namespace Helios.Core.Storage;

/// <summary>
/// Checks every object read from the store beneath against its id, so corruption on disk is
/// reported as <see cref="CorruptObjectException"/> naming the id instead of flowing onward.
/// Costs one BLAKE3 pass per read; sits directly over the persistent backend (L2).
/// </summary>
public sealed class VerifyingObjectStore(IObjectStore inner) : IObjectStore
{
    public bool Contains(ObjectId id) => inner.Contains(id);

    public byte[]? TryGet(ObjectId id)
    {
        var bytes = inner.TryGet(id);
        if (bytes is not null)
        {
            var actual = ObjectId.Of(bytes);
            if (actual != id)
            {
                throw new CorruptObjectException(id, "hash mismatch", actual);
            }
        }

        return bytes;
    }

    public void PutMany(IReadOnlyList<EncodedObject> objects) => inner.PutMany(objects);

    public IEnumerable<ObjectId> Enumerate() => inner.Enumerate();

    public IReadOnlyList<ObjectId> FindByPrefix(string hexPrefix, int limit) => inner.FindByPrefix(hexPrefix, limit);

    public void Delete(IReadOnlyCollection<ObjectId> ids) => inner.Delete(ids);

    public void Dispose() => inner.Dispose();
}
