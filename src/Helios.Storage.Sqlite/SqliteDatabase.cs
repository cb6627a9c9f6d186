using System.Collections.Concurrent;
using System.Globalization;
using Helios.Core.Errors;
using Helios.Core.Storage;
using Microsoft.Data.Sqlite;

namespace Helios.Storage.Sqlite;

/// <summary>
/// The shared state behind one opened database file: a write session guarded by a lock (every write is
/// one <c>BEGIN IMMEDIATE</c> transaction, which also serialises writers across processes), and a pool
/// of read sessions so reads run beside writes (WAL gives each read a committed snapshot).
/// </summary>
internal sealed class SqliteDatabase
{
    public const int SchemaVersion = 1;
    private const string FormatName = "helios-store";
    private const int ApplicationId = 0x48454c53; // "HELS"
    private const int MaxIdleReaders = 8;

    private readonly Lock _writeLock = new();
    private readonly SqliteSession _writer;
    private readonly ConcurrentBag<SqliteSession> _readers = [];
    private readonly string _connectionString;
    private int _references = 2; // the object store and the ref store
    private volatile bool _disposed;

    private SqliteDatabase(string path, SqliteStorageOptions options, string connectionString, SqliteSession writer)
    {
        Path = path;
        Options = options;
        _connectionString = connectionString;
        _writer = writer;
    }

    public string Path { get; }

    public SqliteStorageOptions Options { get; }

    public static SqliteDatabase Open(string path, SqliteStorageOptions options)
    {
        if (options.BusyTimeout < TimeSpan.Zero)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"The busy timeout must not be negative (got {options.BusyTimeout}).");
        }

        path = System.IO.Path.GetFullPath(path);
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = options.ReadOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
            // We keep our own sessions; the driver's pool would hold the file open after Dispose.
            Pooling = false,
            // The driver retries SQLITE_BUSY itself until this many seconds pass (0 = forever), on top of
            // SQLite's own busy handler set below; keep the two aligned.
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(options.BusyTimeout.TotalSeconds)),
        };
        string connectionString = builder.ToString();
        SqliteSession? writer = null;
        try
        {
            writer = OpenSession(connectionString, options, path);
            var db = new SqliteDatabase(path, options, connectionString, writer);
            db.InitializeSchema();
            db.Configure(writer, reader: false);
            return db;
        }
        catch (SqliteException e)
        {
            writer?.Dispose();
            throw SqliteErrors.Map(e, path, options.BusyTimeout);
        }
        catch
        {
            writer?.Dispose();
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
            ObjectDisposedException.ThrowIf(_disposed, this);
            try
            {
                _writer.Execute("BEGIN IMMEDIATE");
            }
            catch (SqliteException e)
            {
                throw SqliteErrors.Map(e, Path, Options.BusyTimeout);
            }

            try
            {
                var (result, commit) = body(_writer);
                _writer.Execute(commit ? "COMMIT" : "ROLLBACK");
                return result;
            }
            catch (SqliteException e)
            {
                RollBackQuietly();
                throw SqliteErrors.Map(e, Path, Options.BusyTimeout);
            }
            catch
            {
                RollBackQuietly();
                throw;
            }
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
        catch (SqliteException e)
        {
            throw SqliteErrors.Map(e, Path, Options.BusyTimeout);
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

        lock (_writeLock)
        {
            _disposed = true;
            _writer.Dispose();
        }

        while (_readers.TryTake(out var reader))
        {
            reader.Dispose();
        }
    }

    private static SqliteSession OpenSession(string connectionString, SqliteStorageOptions options, string path)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        var session = new SqliteSession(connection);
        // Set before anything else touches the file, so even the first read waits out a busy writer.
        Pragma(session, $"busy_timeout = {(long)options.BusyTimeout.TotalMilliseconds}");
        return session;
    }

    private static void Pragma(SqliteSession session, string pragma)
    {
        using var command = session.Connection.CreateCommand();
#pragma warning disable CA2100 // Pragmas are built from numbers and constants only.
        command.CommandText = "PRAGMA " + pragma;
#pragma warning restore CA2100
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteSession session, string sql)
    {
        using var command = session.Connection.CreateCommand();
#pragma warning disable CA2100 // Constants only.
        command.CommandText = sql;
#pragma warning restore CA2100
        return command.ExecuteScalar();
    }

    private void Configure(SqliteSession session, bool reader)
    {
        Pragma(session, "synchronous = " + (Options.Durability == Durability.Durable ? "FULL" : "NORMAL"));
        Pragma(session, "mmap_size = " + Options.MmapSize.ToString(CultureInfo.InvariantCulture));
        Pragma(session, "temp_store = MEMORY");
        if (reader)
        {
            Pragma(session, "query_only = 1");
        }
        else if (!Options.ReadOnly)
        {
            Pragma(session, "wal_autocheckpoint = " + Options.WalAutoCheckpointPages.ToString(CultureInfo.InvariantCulture));
        }
    }

    private void InitializeSchema()
    {
        // Reading the catalogue is the first access to the file: a file that is not a database fails here.
        if (Convert.ToInt64(Scalar(_writer, "SELECT count(*) FROM sqlite_master"), CultureInfo.InvariantCulture) == 0)
        {
            if (Options.ReadOnly)
            {
                throw new HeliosException(HeliosErrorCode.RepositoryNotFound,
                    $"The database '{Path}' is empty, so it is not a Helios store; open it read-write once to create the store.");
            }

            CreateSchema();
        }

        CheckSchema();
        if (!Options.ReadOnly)
        {
            // WAL lets readers run beside the single writer and makes commits one sequential append.
            Pragma(_writer, "journal_mode = WAL");
        }
    }

    private void CreateSchema()
    {
        // journal_mode cannot change inside a transaction; set it first (a no-op if another process did).
        Pragma(_writer, "journal_mode = WAL");
        Write(s =>
        {
            // Another process may have created the store between our check and our lock.
            if (Convert.ToInt64(Scalar(s, "SELECT count(*) FROM sqlite_master"), CultureInfo.InvariantCulture) != 0)
            {
                return (0, false);
            }

            using var command = s.Connection.CreateCommand();
            command.CommandText = $"""
                CREATE TABLE helios_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
                INSERT INTO helios_meta(key, value) VALUES ('format', '{FormatName}'), ('schema_version', '{SchemaVersion}');
                CREATE TABLE objects(id BLOB NOT NULL, data BLOB NOT NULL);
                CREATE UNIQUE INDEX objects_by_id ON objects(id);
                CREATE TABLE refs(name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
                CREATE TABLE oplog(seq INTEGER PRIMARY KEY, data BLOB NOT NULL);
                PRAGMA application_id = {ApplicationId};
                """;
            command.ExecuteNonQuery();
            return (0, true);
        });
    }

    private void CheckSchema()
    {
        bool hasMeta = Scalar(_writer, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'helios_meta'") is not null;
        string? format = hasMeta ? Scalar(_writer, "SELECT value FROM helios_meta WHERE key = 'format'") as string : null;
        if (format != FormatName)
        {
            throw new HeliosException(HeliosErrorCode.RepositoryNotFound,
                $"The database '{Path}' is a SQLite database but not a Helios store; point Helios at its own store file.");
        }

        string? text = Scalar(_writer, "SELECT value FROM helios_meta WHERE key = 'schema_version'") as string;
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
    }

    private void RollBackQuietly()
    {
        // After some I/O errors SQLite has already rolled back; ROLLBACK would then fail.
        if (SQLitePCL.raw.sqlite3_get_autocommit(_writer.Connection.Handle) != 0)
        {
            return;
        }

        try
        {
            _writer.Execute("ROLLBACK");
        }
        catch (SqliteException)
        {
            // The transaction is gone either way; the original error is the one to report.
        }
    }

    private SqliteSession RentReader()
    {
        if (_readers.TryTake(out var session))
        {
            return session;
        }

        try
        {
            session = OpenSession(_connectionString, Options, Path);
            Configure(session, reader: true);
            return session;
        }
        catch (SqliteException e)
        {
            session?.Dispose();
            throw SqliteErrors.Map(e, Path, Options.BusyTimeout);
        }
    }

    private void ReturnReader(SqliteSession session)
    {
        if (_disposed || _readers.Count >= MaxIdleReaders)
        {
            session.Dispose();
            return;
        }

        _readers.Add(session);
        if (_disposed && _readers.TryTake(out var late))
        {
            late.Dispose();
        }
    }
}
