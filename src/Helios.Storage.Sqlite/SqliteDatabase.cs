using System.Globalization;
using Helios.Core.Compression;
using Helios.Core.Errors;
using Helios.Core.Objects;
using Helios.Core.Storage;

namespace Helios.Storage.Sqlite;

/// <summary>
/// The shared state behind one opened database file: a write session guarded by a lock (every write is
/// one <c>BEGIN IMMEDIATE</c> transaction, which also serialises writers across processes), and a pool
/// of read sessions, opened on first need, so reads run beside writes (WAL gives each read a committed snapshot).
/// </summary>
internal sealed class SqliteDatabase
{
    public const int SchemaVersion = 3;
    private const string FormatName = "helios-store";
    private const int ApplicationId = 0x48454c53; // "HELS"
    private const int MaxIdleReaders = 8;

    private readonly Lock _writeLock = new();
    private readonly SqliteSession _writer;
    // A plain stack under a lock, not a ConcurrentBag: the bag's per-thread set-up costs a CLI process ~4 ms.
    private readonly Lock _readersLock = new();
    private readonly Stack<SqliteSession> _readers = new();
    private int _references = 2; // the object store and the ref store
    private volatile bool _disposed;

    private SqliteDatabase(string path, SqliteStorageOptions options, SqliteSession writer)
    {
        Path = path;
        Options = options;
        _writer = writer;
        DeltaBases = new LruCache<ObjectId, byte[]>(Math.Max(1, options.DeltaBaseCacheBytes), b => b.Length + 64);
        Inbox = new ObjectInbox(this);
    }

    public string Path { get; }

    public SqliteStorageOptions Options { get; }

    /// <summary>
    /// Decoded canonical bytes of objects likely to serve as delta bases (recently written or read as bases).
    /// Content-addressed, so an entry is never stale, even when another process deletes the object: rows are
    /// always checked first and the cache only supplies bytes.
    /// </summary>
    public LruCache<ObjectId, byte[]> DeltaBases { get; }

    /// <summary>Small writes' objects, pending until folded into the objects table (see <see cref="ObjectInbox"/>).</summary>
    public ObjectInbox Inbox { get; }

    public static SqliteDatabase Open(string path, SqliteStorageOptions options)
    {
        if (options.BusyTimeout < TimeSpan.Zero)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"The busy timeout must not be negative (got {options.BusyTimeout}).");
        }

        if (options.MaxDeltaDepth < 0 || options.MaxDeltaDepth > SqliteStorageOptions.MaxDeltaDepthLimit)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument,
                $"The delta depth must be between 0 and {SqliteStorageOptions.MaxDeltaDepthLimit} (got {options.MaxDeltaDepth}).");
        }

        if (options.Compression == StorageCompression.Zstd)
        {
            Zstd.ValidateLevel(options.ZstdLevel);
        }

        path = System.IO.Path.GetFullPath(path);
        var writer = SqliteSession.Open(path, options.ReadOnly, options.BusyTimeout);
        try
        {
            var db = new SqliteDatabase(path, options, writer);
            db.InitializeSchema();
            db.Configure(writer, reader: false);
            return db;
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/> in one <c>BEGIN IMMEDIATE</c> transaction on the write session. The body
    /// returns its result and whether to commit; on false or on any exception the transaction rolls back,
    /// so a failed write leaves what was committed before untouched.
    /// </summary>
    public T Write<T>(Func<SqliteSession, (T Result, bool Commit)> body)
    {
        lock (_writeLock)
        {
            return WriteLocked(body);
        }
    }

    /// <summary>
    /// <see cref="Write"/> for background work that must never hold up this process's own writers: runs
    /// <paramref name="body"/> in one committed transaction, only when no thread of this process is writing. False when it
    /// did not run (busy or disposed).
    /// </summary>
    public bool TryWrite(Action<SqliteSession> body)
    {
        if (!_writeLock.TryEnter())
        {
            return false;
        }

        try
        {
            if (_disposed)
            {
                return false;
            }

            WriteLocked(s =>
            {
                body(s);
                return (0, true);
            });
            return true;
        }
        finally
        {
            _writeLock.Exit();
        }
    }

    private T WriteLocked<T>(Func<SqliteSession, (T Result, bool Commit)> body)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _writer.Execute("BEGIN IMMEDIATE");
        try
        {
            var (result, commit) = body(_writer);
            _writer.Execute(commit ? "COMMIT" : "ROLLBACK");
            return result;
        }
        catch
        {
            RollBackQuietly();
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/> on the write session under the write lock but outside any transaction,
    /// for statements SQLite refuses inside one (VACUUM, wal_checkpoint). Other processes' writers wait on
    /// SQLite's own locks meanwhile.
    /// </summary>
    public T Maintain<T>(Func<SqliteSession, T> body)
    {
        lock (_writeLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return body(_writer);
        }
    }

    /// <summary>Runs <paramref name="body"/> on a pooled read session (outside any explicit transaction).</summary>
    public T Read<T>(Func<SqliteSession, T> body)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var session = RentReader();
        try
        {
            return body(session);
        }
        finally
        {
            ReturnReader(session);
        }
    }

    /// <summary>Drops one store's hold on the database; the last one closes every connection.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _references) != 0)
        {
            return;
        }

        Inbox.Dispose();
        lock (_writeLock)
        {
            FoldInboxQuietly();
            _disposed = true;
            _writer.Dispose();
        }

        while (TryTakeReader() is { } reader)
        {
            reader.Dispose();
        }
    }

    private void Configure(SqliteSession session, bool reader)
    {
        // One call for every pragma: each is a separate statement, but they need not be cached.
        string pragmas =
            "PRAGMA synchronous = " + (Options.Durability == Durability.Durable ? "FULL" : "NORMAL") + ";" +
            "PRAGMA mmap_size = " + Options.MmapSize.ToString(CultureInfo.InvariantCulture) + ";" +
            "PRAGMA temp_store = MEMORY;";
        if (reader)
        {
            pragmas += "PRAGMA query_only = 1;";
        }
        else if (!Options.ReadOnly)
        {
            pragmas += "PRAGMA wal_autocheckpoint = " + Options.WalAutoCheckpointPages.ToString(CultureInfo.InvariantCulture) + ";";
            // A transaction whose dirty pages outgrow the page cache spills them to the WAL early and
            // writes some twice; SQLite's 2 MB default made a 16 MB import batch cost 1.5x the syscalls.
            pragmas += "PRAGMA cache_size = -" + (Options.WriterCacheBytes / 1024).ToString(CultureInfo.InvariantCulture) + ";";
        }

        session.ExecuteScript(pragmas);
    }

    private void InitializeSchema()
    {
        // Reading the catalogue is the first access to the file: a file that is not a database fails here.
        if (ReadCatalogue(_writer, out bool hasMeta) == 0)
        {
            if (Options.ReadOnly)
            {
                throw new HeliosException(HeliosErrorCode.RepositoryNotFound,
                    $"The database '{Path}' is empty, so it is not a Helios store; open it read-write once to create the store.");
            }

            CreateSchema();
            ReadCatalogue(_writer, out hasMeta);
        }

        CheckSchema(hasMeta);
        if (!Options.ReadOnly)
        {
            // WAL lets readers run beside the single writer and makes commits one sequential append.
            _writer.ExecuteScript("PRAGMA journal_mode = WAL");
        }
    }

    /// <summary>How many schema objects the file has, and whether one of them is the table <c>helios_meta</c>.</summary>
    private static long ReadCatalogue(SqliteSession session, out bool hasMeta)
    {
        using var statement = session.Statement(
            "SELECT count(*), coalesce(sum(type = 'table' AND name = 'helios_meta'), 0) FROM sqlite_master");
        statement.Step();
        hasMeta = statement.Int64(1) != 0;
        return statement.Int64(0);
    }

    private void CreateSchema()
    {
        // auto_vacuum must be chosen before the first table exists: incremental lets gc hand freed pages back to
        // the file system (SqliteObjectStore.ReclaimFreePages) without a full VACUUM. journal_mode cannot change
        // inside a transaction; set both first (no-ops if another process got there before us).
        _writer.ExecuteScript("PRAGMA auto_vacuum = INCREMENTAL; PRAGMA journal_mode = WAL");
        Write(s =>
        {
            // Another process may have created the store between our check and our lock.
            if (ReadCatalogue(s, out _) != 0)
            {
                return (0, false);
            }

            s.ExecuteScript($"""
                CREATE TABLE helios_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
                INSERT INTO helios_meta(key, value) VALUES ('format', '{FormatName}'), ('schema_version', '{SchemaVersion}');
                CREATE TABLE objects(
                    id BLOB NOT NULL, codec INTEGER NOT NULL, raw_length INTEGER, delta_base BLOB,
                    stored_at INTEGER NOT NULL, data BLOB NOT NULL, delta_depth INTEGER NOT NULL DEFAULT 0);
                CREATE UNIQUE INDEX objects_by_id ON objects(id);
                CREATE INDEX objects_by_delta_base ON objects(delta_base) WHERE delta_base IS NOT NULL;
                CREATE TABLE refs(name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
                CREATE TABLE oplog(seq INTEGER PRIMARY KEY, data BLOB NOT NULL);
                {InboxTable}
                PRAGMA application_id = {ApplicationId};
                """);
            return (0, true);
        });
    }

    private const string InboxTable =
        "CREATE TABLE inbox(seq INTEGER PRIMARY KEY, stored_at INTEGER NOT NULL, entries BLOB NOT NULL, data BLOB NOT NULL);";

    private void CheckSchema(bool hasMeta)
    {
        string? format = null, text = null;
        if (hasMeta)
        {
            using var statement = _writer.Statement(
                "SELECT (SELECT value FROM helios_meta WHERE key = 'format'), (SELECT value FROM helios_meta WHERE key = 'schema_version')");
            statement.Step();
            format = statement.Text(0);
            text = statement.Text(1);
        }

        if (format != FormatName)
        {
            throw new HeliosException(HeliosErrorCode.RepositoryNotFound,
                $"The database '{Path}' is a SQLite database but not a Helios store; point Helios at its own store file.");
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int version) || version < 1)
        {
            throw new HeliosException(HeliosErrorCode.Corruption,
                $"The Helios store '{Path}' has an unreadable schema version '{text}'; restore it from a backup.");
        }

        if (version > SchemaVersion)
        {
            throw new HeliosException(HeliosErrorCode.InvalidState,
                $"The Helios store '{Path}' has schema version {version}, newer than this build understands ({SchemaVersion}); upgrade Helios to open it.");
        }

        if (version < SchemaVersion)
        {
            if (Options.ReadOnly)
            {
                throw new HeliosException(HeliosErrorCode.InvalidState,
                    $"The Helios store '{Path}' has schema version {version}, older than this build's ({SchemaVersion}); open it read-write once to upgrade it in place.");
            }

            Upgrade();
        }
    }

    /// <summary>
    /// Upgrades an older store in place, in one transaction (another process may race us; the loser finds it done).
    /// v1 → v2 adds the per-object columns without rewriting a row: old rows read codec 0 (raw), a NULL
    /// raw_length (meaning "the payload's own length"), no delta base, and the upgrade time as stored_at, so
    /// gc's grace period starts at the upgrade. Costs one pass over the table to build the (empty) delta-base index.
    /// v2 → v3 adds the (empty) inbox table. Older builds refuse a v3 store, so none can miss pending objects.
    /// </summary>
    private void Upgrade()
    {
        long now = Options.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        Write(s =>
        {
            string? version;
            using (var statement = s.Statement("SELECT value FROM helios_meta WHERE key = 'schema_version'"))
            {
                statement.Step();
                version = statement.Text(0);
            }

            if (version == "1")
            {
                s.ExecuteScript($"""
                    ALTER TABLE objects ADD COLUMN codec INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE objects ADD COLUMN raw_length INTEGER;
                    ALTER TABLE objects ADD COLUMN delta_base BLOB;
                    ALTER TABLE objects ADD COLUMN stored_at INTEGER NOT NULL DEFAULT {now.ToString(CultureInfo.InvariantCulture)};
                    ALTER TABLE objects ADD COLUMN delta_depth INTEGER NOT NULL DEFAULT 0;
                    CREATE INDEX objects_by_delta_base ON objects(delta_base) WHERE delta_base IS NOT NULL;
                    """);
                version = "2";
            }

            if (version != "2")
            {
                return (0, false);
            }

            s.ExecuteScript($"""
                {InboxTable}
                UPDATE helios_meta SET value = '{SchemaVersion}' WHERE key = 'schema_version';
                """);
            return (0, true);
        });
    }

    /// <summary>
    /// Leaves the store in its compact form when this open of it closes (both its stores disposed). Best effort by design: a fold that
    /// fails (a full disk, another process holding the lock past the timeout) rolls back and leaves the rows pending,
    /// readable and folded by the next writer, so nothing is lost and closing must not fail over it.
    /// </summary>
    private void FoldInboxQuietly()
    {
        if (Options.ReadOnly || _disposed)
        {
            return;
        }

        try
        {
            // The probe needs no lock, so a process that left nothing pending never waits for other writers here.
            if (!ObjectInbox.HasPending(_writer))
            {
                return;
            }

            WriteLocked(s =>
            {
                Inbox.Fold(s);
                return (0, true);
            });
        }
        catch (HeliosException)
        {
            RollBackQuietly();
        }
    }

    private void RollBackQuietly()
    {
        // After some I/O errors SQLite has already rolled back; ROLLBACK would then fail.
        if (!_writer.InTransaction)
        {
            return;
        }

        try
        {
            _writer.Execute("ROLLBACK");
        }
        catch (HeliosException)
        {
            // The transaction is gone either way; the original error is the one to report.
        }
    }

    private SqliteSession RentReader()
    {
        if (TryTakeReader() is { } idle)
        {
            return idle;
        }

        var session = SqliteSession.Open(Path, Options.ReadOnly, Options.BusyTimeout);
        try
        {
            Configure(session, reader: true);
            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private SqliteSession? TryTakeReader()
    {
        lock (_readersLock)
        {
            return _readers.TryPop(out var session) ? session : null;
        }
    }

    private void ReturnReader(SqliteSession session)
    {
        lock (_readersLock)
        {
            // Checked under the lock Release drains under, so no session is left behind in the pool.
            if (!_disposed && _readers.Count < MaxIdleReaders)
            {
                _readers.Push(session);
                return;
            }
        }

        session.Dispose();
    }
}
