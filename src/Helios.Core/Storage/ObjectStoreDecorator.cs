using Helios.Core.Objects;

namespace Helios.Core.Storage;

/// <summary>
/// Base of the one-concern decorators over an object store: forwards every call to the store
/// beneath, so a decorator overrides only what its concern changes. Disposing disposes the inner store.
/// </summary>
public abstract class ObjectStoreDecorator(IObjectStore inner) : IObjectStore
{
    /// <summary>The store beneath.</summary>
    protected IObjectStore Inner { get; } = inner;

    public virtual bool Contains(ObjectId id) => Inner.Contains(id);

    public virtual byte[]? TryGet(ObjectId id) => Inner.TryGet(id);

    public virtual void PutMany(IReadOnlyList<EncodedObject> objects) => Inner.PutMany(objects);

    public virtual IEnumerable<ObjectId> Enumerate() => Inner.Enumerate();

    public virtual IReadOnlyList<ObjectId> FindByPrefix(string hexPrefix, int limit) => Inner.FindByPrefix(hexPrefix, limit);

    public virtual IEnumerable<StoredObjectInfo> EnumerateStored() => Inner.EnumerateStored();

    public virtual IReadOnlyList<ObjectId> FindDeltaDependents(ObjectId baseId) => Inner.FindDeltaDependents(baseId);

    public virtual void Delete(IReadOnlyCollection<ObjectId> ids) => Inner.Delete(ids);

    public virtual IReadOnlyList<ObjectId> DeleteUnused(IReadOnlyCollection<ObjectId> ids, DateTimeOffset storedBefore) =>
        Inner.DeleteUnused(ids, storedBefore);

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            Inner.Dispose();
        }
    }
}
