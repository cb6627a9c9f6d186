using Helios.Core.Errors;
using SQLitePCL;

namespace Helios.Storage.Sqlite;

/// <summary>
/// One open SQLite connection (the bundled e_sqlite3 library through SQLitePCLRaw's <c>raw</c> API) and
/// its prepared statements, each prepared once and reused. Not thread-safe: a session is used by one
/// thread at a time, under the write lock or rented from the reader pool. Every SQLite failure surfaces as
/// the <see cref="HeliosException"/> that <see cref="SqliteErrors.Map"/> makes of its result code.
/// </summary>
internal sealed class SqliteSession : IDisposable
{
    private readonly Dictionary<string, sqlite3_stmt> _statements = new(StringComparer.Ordinal);
    private readonly sqlite3 _db;
    private readonly TimeSpan _busyTimeout;

    // Set once per process. A direct provider: Batteries_V2.Init finds the same one by a slower route.
    static SqliteSession() => raw.SetProvider(new SQLite3Provider_e_sqlite3());

    private SqliteSession(sqlite3 db, string path, TimeSpan busyTimeout)
    {
        _db = db;
        Path = path;
        _busyTimeout = busyTimeout;
    }

    /// <summary>The database file's full path.</summary>
    public string Path { get; }

    /// <summary>True while an explicit transaction is open (SQLite rolls one back by itself after some I/O errors).</summary>
    public bool InTransaction => raw.sqlite3_get_autocommit(_db) == 0;

    /// <summary>
    /// Opens <paramref name="path"/> read-write (creating the file) or read-only, with SQLite's busy
    /// handler waiting up to <paramref name="busyTimeout"/> (to the millisecond) whenever another
    /// connection holds a lock. Nothing is read from the file yet.
    /// </summary>
    public static SqliteSession Open(string path, bool readOnly, TimeSpan busyTimeout)
    {
        // NOMUTEX: a session is only ever used by one thread at a time, so SQLite's per-call mutex is waste.
        int flags = (readOnly ? raw.SQLITE_OPEN_READONLY : raw.SQLITE_OPEN_READWRITE | raw.SQLITE_OPEN_CREATE) | raw.SQLITE_OPEN_NOMUTEX;
        int rc = raw.sqlite3_open_v2(path, out var db, flags, null);
        var session = new SqliteSession(db, path, busyTimeout);
        try
        {
            session.Check(rc);
            // Set before anything touches the file, so even the first read waits out a busy writer.
            session.Check(raw.sqlite3_busy_timeout(db, (int)Math.Min(int.MaxValue, (long)busyTimeout.TotalMilliseconds)));
            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The prepared statement for <paramref name="sql"/> (a constant of the caller; values always go through
    /// bound parameters), prepared on first use. Dispose the returned value to reset it for the next use.
    /// </summary>
    public SqliteStatement Statement(string sql)
    {
        if (!_statements.TryGetValue(sql, out var statement))
        {
            Check(raw.sqlite3_prepare_v2(_db, sql, out statement));
            _statements.Add(sql, statement);
        }

        return new SqliteStatement(this, statement);
    }

    /// <summary>Runs a parameterless statement through the statement cache (transaction control).</summary>
    public void Execute(string sql)
    {
        using var statement = Statement(sql);
        while (statement.Step())
        {
        }
    }

    /// <summary>Runs one or more statements once, without caching them (pragmas, schema creation).</summary>
    public void ExecuteScript(string sql) => Check(raw.sqlite3_exec(_db, sql));

    /// <summary>Throws the Helios error for a failed SQLite result code; returns the code otherwise.</summary>
    public int Check(int rc) => rc is raw.SQLITE_OK or raw.SQLITE_ROW or raw.SQLITE_DONE ? rc : throw Failure(rc);

    /// <summary>The Helios error for a failed SQLite call on this connection.</summary>
    public HeliosException Failure(int rc)
    {
        // The connection's message describes its most recent failure, which is this one.
        string message = _db.IsInvalid ? raw.sqlite3_errstr(rc).utf8_to_string() : raw.sqlite3_errmsg(_db).utf8_to_string();
        return SqliteErrors.Map(rc, message, Path, _busyTimeout);
    }

    public void Dispose()
    {
        foreach (var statement in _statements.Values)
        {
            statement.Dispose();
        }

        _statements.Clear();
        _db.Dispose();
    }
}

/// <summary>
/// A prepared statement borrowed from a <see cref="SqliteSession"/>: bind parameters (1-based), step,
/// read columns (0-based) of the current row, and dispose to reset it. A span a column returns stays
/// valid only until the next step or reset.
/// </summary>
internal readonly ref struct SqliteStatement
{
    private readonly SqliteSession _session;
    private readonly sqlite3_stmt _handle;

    public SqliteStatement(SqliteSession session, sqlite3_stmt handle)
    {
        _session = session;
        _handle = handle;
    }

    public void Bind(int index, ReadOnlySpan<byte> blob) =>
        // An empty span has no address, and a blob bound from a null pointer is NULL, not x''.
        _session.Check(blob.IsEmpty ? raw.sqlite3_bind_zeroblob(_handle, index, 0) : raw.sqlite3_bind_blob(_handle, index, blob));

    public void Bind(int index, long value) => _session.Check(raw.sqlite3_bind_int64(_handle, index, value));

    public void Bind(int index, string text) => _session.Check(raw.sqlite3_bind_text(_handle, index, text));

    /// <summary>Advances to the next row: true when there is one, false when the statement is done.</summary>
    public bool Step()
    {
        int rc = raw.sqlite3_step(_handle);
        return rc == raw.SQLITE_ROW || (rc == raw.SQLITE_DONE ? false : throw _session.Failure(rc));
    }

    public long Int64(int column) => raw.sqlite3_column_int64(_handle, column);

    public ReadOnlySpan<byte> Blob(int column) => raw.sqlite3_column_blob(_handle, column);

    public bool IsNull(int column) => raw.sqlite3_column_type(_handle, column) == raw.SQLITE_NULL;

    /// <summary>The column as text, or null when it is NULL.</summary>
    public string? Text(int column) => IsNull(column) ? null : raw.sqlite3_column_text(_handle, column).utf8_to_string();

    /// <summary>Makes the statement ready to run again and drops its bound values (and the copies of blobs they hold).</summary>
    public void Reset()
    {
        // The result repeats the last step's error, which was reported when it happened.
        raw.sqlite3_reset(_handle);
        raw.sqlite3_clear_bindings(_handle);
    }

    public void Dispose() => Reset();
}
