namespace Helios.Core.Storage;

/// <summary>
/// A backend as a repository sees it: one object store and one ref store over the same place.
/// Only composition roots choose the implementation. Disposing it disposes both stores.
/// </summary>
public interface IRepositoryStorage : IDisposable
{
    IObjectStore Objects { get; }

    IRefStore Refs { get; }
}
