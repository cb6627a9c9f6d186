namespace Helios.Core.Storage.InMemory;

/// <summary>An in-memory backend: nothing survives the process. For tests and scratch repositories.</summary>
public sealed class InMemoryRepositoryStorage : IRepositoryStorage
{
    private readonly InMemoryObjectStore _objects;

    /// <param name="clock">Stamps <see cref="StoredObjectInfo.StoredAt"/>; the system clock when null.</param>
    public InMemoryRepositoryStorage(TimeProvider? clock = null)
    {
        _objects = new InMemoryObjectStore(clock);
        Refs = new InMemoryRefStore(_objects);
    }

    public IObjectStore Objects => _objects;

    public IRefStore Refs { get; }

    public void Dispose() { }
}
