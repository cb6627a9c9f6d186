namespace Helios.Core.Storage.InMemory;

/// <summary>An in-memory backend: nothing survives the process. For tests and scratch repositories.</summary>
public sealed class InMemoryRepositoryStorage : IRepositoryStorage
{
    private readonly InMemoryObjectStore _objects = new();

    public InMemoryRepositoryStorage() => Refs = new InMemoryRefStore(_objects);

    public IObjectStore Objects => _objects;

    public IRefStore Refs { get; }

    public void Dispose() { }
}
