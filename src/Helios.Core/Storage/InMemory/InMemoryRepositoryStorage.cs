namespace Helios.Core.Storage.InMemory;

/// <summary>An in-memory backend: nothing survives the process. For tests and scratch repositories.</summary>
public sealed class InMemoryRepositoryStorage : IRepositoryStorage
{
    public IObjectStore Objects { get; } = new InMemoryObjectStore();

    public IRefStore Refs { get; } = new InMemoryRefStore();

    public void Dispose() { }
}
