using Helios.Core.Storage;

namespace Helios.Storage.Sqlite;

/// <summary>
/// The embedded default backend: one SQLite database file (WAL mode) holding objects, refs and the
/// operation log. Many threads and many processes on one machine may open the same file at once:
/// every write is a <c>BEGIN IMMEDIATE</c> transaction that waits up to the busy timeout for others.
/// Disposing it closes the file; both stores stop working.
/// </summary>
public sealed class SqliteRepositoryStorage : IRepositoryStorage
{
    private readonly SqliteObjectStore _objects;
    private readonly SqliteRefStore _refs;

    private SqliteRepositoryStorage(SqliteDatabase db)
    {
        Path = db.Path;
        _objects = new SqliteObjectStore(db);
        _refs = new SqliteRefStore(db);
    }

    /// <summary>The database file's full path.</summary>
    public string Path { get; }

    public IObjectStore Objects => _objects;

    public IRefStore Refs => _refs;

    /// <summary>The object store with its SQLite-specific extras.</summary>
    public SqliteObjectStore SqliteObjects => _objects;

    /// <summary>
    /// Opens the store at <paramref name="path"/>, creating the file and schema when it does not exist or
    /// is empty. Throws <see cref="Core.Errors.StorageException"/> when the file cannot be opened,
    /// <see cref="Core.Errors.HeliosErrorCode.Corruption"/> when it is not a SQLite database or is damaged,
    /// <see cref="Core.Errors.HeliosErrorCode.RepositoryNotFound"/> when it is another application's
    /// database, and <see cref="Core.Errors.HeliosErrorCode.InvalidState"/> when its schema is newer than this build.
    /// </summary>
    public static SqliteRepositoryStorage Open(string path, SqliteStorageOptions? options = null) =>
        new(SqliteDatabase.Open(path, options ?? SqliteStorageOptions.Default));

    public void Dispose()
    {
        _objects.Dispose();
        _refs.Dispose();
    }
}
