using Helios.Core.Errors;
using Helios.Core.Objects;

namespace Helios.Core.Storage;

/// <summary>
/// Checks every object read from the store beneath against its id, so corruption on disk is
/// reported as <see cref="CorruptObjectException"/> naming the id instead of flowing onward.
/// Costs one BLAKE3 pass per read; sits directly over the persistent backend (L2).
/// </summary>
public sealed class VerifyingObjectStore(IObjectStore inner) : ObjectStoreDecorator(inner)
{
    public override byte[]? TryGet(ObjectId id)
    {
        var bytes = Inner.TryGet(id);
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
}
