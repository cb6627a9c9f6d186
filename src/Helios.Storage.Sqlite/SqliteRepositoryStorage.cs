using Helios.Core.Storage;

namespace Helios.Storage.Sqlite;

/// <summary>
/// The embedded default backend: one SQLite database file (WAL mode) holding objects, refs and the
/// operation log. Many threads and many processes on one machine may open the same file at once:
/// every write is a <c>BEGIN IMMEDIATE</c> transaction that waits up to the busy timeout for others.
/// Disposing it closes the file; both stores stop working.
/// </summary>
public sealed class SqliteRepositoryStorage : IRepositoryStorage, IStorageMaintenance
{
    private readonly SqliteDatabase _db;
    private readonly SqliteObjectStore _objects;
    private readonly SqliteRefStore _refs;

    private SqliteRepositoryStorage(SqliteDatabase db)
    {
        _db = db;
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

    /// <summary>Folds the object inbox when rows are pending (a read-only probe first, so a settled store takes no write lock).</summary>
    public void Settle()
    {
        if (!_db.Options.ReadOnly && _db.Read(ObjectInbox.HasPending))
        {
            _objects.FoldInbox();
        }
    }

    /// <summary>The database file plus its write-ahead log; free pages from <c>PRAGMA freelist_count</c>.</summary>
    public StorageSpace MeasureSpace() => _db.Read(s => Measure(s));

    /// <summary>
    /// Releases free pages, then checkpoints the write-ahead log into the database and truncates it
    /// (<c>wal_checkpoint(TRUNCATE)</c>; when a reader still uses the log, SQLite checkpoints what it can and the
    /// log shrinks on a later run). Without <paramref name="full"/>: <see cref="SqliteObjectStore.ReclaimFreePages"/>
    /// (incremental vacuum: stores created with schema 2 or later; older ones keep free pages for reuse). With it:
    /// <c>VACUUM</c>, which rewrites the whole file compactly (O(store size) time and up to the store's size again
    /// in temporary disk; writers wait meanwhile) and works on any store.
    /// </summary>
    public StorageSpace ReclaimSpace(bool full)
    {
        if (!full)
        {
            _objects.ReclaimFreePages();
        }

        return _db.Maintain(s =>
        {
            if (full)
            {
                s.ExecuteScript("VACUUM");
            }

            s.ExecuteScript("PRAGMA wal_checkpoint(TRUNCATE)");
            return Measure(s);
        });
    }

    private StorageSpace Measure(SqliteSession s)
    {
        long pageSize, free;
        using (var statement = s.Statement("SELECT page_size, freelist_count FROM pragma_page_size, pragma_freelist_count"))
        {
            statement.Step();
            pageSize = statement.Int64(0);
            free = statement.Int64(1);
        }

        return new StorageSpace(FileLength(Path) + FileLength(Path + "-wal"), free * pageSize);
    }

    private static long FileLength(string path)
    {
        var file = new FileInfo(path);
        return file.Exists ? file.Length : 0;
    }

    public void Dispose()
    {
        _objects.Dispose();
        _refs.Dispose();
    }
}
