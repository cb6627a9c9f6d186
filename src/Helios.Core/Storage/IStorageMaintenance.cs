namespace Helios.Core.Storage;

/// <summary>
/// An optional ability of a persistent backend (an <see cref="IRepositoryStorage"/> may implement it):
/// measuring its files and giving space freed by deletions back to the file system. Garbage collection
/// calls it after sweeping. Thread-safe; <see cref="ReclaimSpace"/> holds the backend's write lock while it
/// runs, so writers wait for it (seconds for a full rewrite of a large store).
/// </summary>
public interface IStorageMaintenance
{
    /// <summary>
    /// Brings writes the backend deferred into their at-rest form (SQLite: folds its object inbox, encoding the
    /// pending objects), so what is enumerated next shows how objects are really kept. Garbage collection and
    /// statistics call it first. Cheap when nothing is pending; a no-op on a read-only store.
    /// </summary>
    void Settle();

    /// <summary>The backend's files as they are now. Cheap (file sizes and a page count).</summary>
    StorageSpace MeasureSpace();

    /// <summary>
    /// Returns free space to the file system. Without <paramref name="full"/>, only what is cheap (SQLite:
    /// truncate the write-ahead log, release free pages when the store allows incremental vacuum); with it,
    /// rewrite the store compactly (SQLite: VACUUM, O(store size)). Returns the space afterwards.
    /// </summary>
    StorageSpace ReclaimSpace(bool full);
}

/// <summary>
/// A backend's disk use: <paramref name="FileBytes"/> in all its files (database and write-ahead log),
/// of which <paramref name="FreeBytes"/> are free pages the backend will reuse before growing.
/// </summary>
public readonly record struct StorageSpace(long FileBytes, long FreeBytes);
