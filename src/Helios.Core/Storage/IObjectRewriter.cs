namespace Helios.Core.Storage;

/// <summary>
/// An optional ability of an object store (<c>gc --aggressive</c> uses it when the store implements it):
/// re-encoding objects already stored with the store's current settings (codec, level) and, where an
/// <see cref="EncodedObject.DeltaBase"/> hint is given and helps, as a delta against it. An object's id and
/// canonical bytes never change, only how it is kept; its stored-at time stays as it was (a rewrite is not
/// a re-put). Atomic per call; the store's delta-chain bound and its rule that a kept object's delta base
/// stays apply as on any put. Thread-safe. Cost: one read and one encode per object.
/// </summary>
public interface IObjectRewriter
{
    /// <summary>
    /// Rewrites each of <paramref name="objects"/> that is stored (others are ignored); returns the stored
    /// bytes of those objects before and after.
    /// </summary>
    (long StoredBefore, long StoredAfter) Rewrite(IReadOnlyList<EncodedObject> objects);
}
