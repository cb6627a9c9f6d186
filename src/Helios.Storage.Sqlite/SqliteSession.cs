using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Helios.Core.Errors;
using static Helios.Storage.Sqlite.SqliteNative;

namespace Helios.Storage.Sqlite;

/// <summary>
/// One open SQLite connection and its prepared statements, each prepared once and reused. Not
/// thread-safe: a session is used by one thread at a time, under the write lock or rented from the reader
/// pool. Every SQLite failure surfaces as the <see cref="HeliosException"/> that
/// <see cref="SqliteErrors.Map"/> makes of its result code. A session that is never disposed closes its
/// connection when it is finalized.
/// </summary>
internal sealed unsafe class SqliteSession : IDisposable
{
    [ThreadStatic]
    private static long t_busySince;

    private readonly Dictionary<string, nint> _statements = new(StringComparer.Ordinal);
    private readonly TimeSpan _busyTimeout;
    private nint _db;

    private SqliteSession(string path, TimeSpan busyTimeout)
    {
        Path = path;
        _busyTimeout = busyTimeout;
    }

    ~SqliteSession() => Close();

    /// <summary>The database file's full path.</summary>
    public string Path { get; }

    /// <summary>True while an explicit transaction is open (SQLite rolls one back by itself after some I/O errors).</summary>
    public bool InTransaction => sqlite3_get_autocommit(_db) == 0;

    /// <summary>Rows changed by the most recent INSERT, UPDATE or DELETE on this connection.</summary>
    public int Changes => sqlite3_changes(_db);

    /// <summary>
    /// Opens <paramref name="path"/> read-write (creating the file) or read-only, with a busy handler
    /// (<see cref="WaitWhileBusy"/>) that waits up to <paramref name="busyTimeout"/> of wall time
    /// whenever another connection holds a lock. Nothing is read from the file yet.
    /// </summary>
    public static SqliteSession Open(string path, bool readOnly, TimeSpan busyTimeout)
    {
        // NOMUTEX: a session is only ever used by one thread at a time, so SQLite's per-call mutex is waste.
        int flags = (readOnly ? OpenReadOnly : OpenReadWrite | OpenCreate) | OpenNoMutex;
        var session = new SqliteSession(path, busyTimeout);
        try
        {
            int rc;
            fixed (byte* name = NullTerminated(path))
            {
                nint db;
                rc = sqlite3_open_v2(name, &db, flags, null);
                // Even a failed open returns a handle (to read the error from) unless memory ran out.
                session._db = db;
            }

            session.Check(rc);
            // Set before anything touches the file, so even the first read waits out a busy writer.
            session.Check(sqlite3_busy_handler(session._db, (nint)(delegate* unmanaged[Cdecl]<nint, int, int>)&WaitWhileBusy,
                (nint)Math.Min(int.MaxValue, (long)busyTimeout.TotalMilliseconds)));
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
        if (!_statements.TryGetValue(sql, out nint statement))
        {
            fixed (byte* text = NullTerminated(sql))
            {
                Check(sqlite3_prepare_v2(_db, text, -1, &statement, null));
            }

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
    public void ExecuteScript(string sql)
    {
        fixed (byte* text = NullTerminated(sql))
        {
            Check(sqlite3_exec(_db, text, 0, 0, null));
        }
    }

    /// <summary>Throws the Helios error for a failed SQLite result code.</summary>
    public void Check(int rc)
    {
        if (rc is not (Ok or Row or Done))
        {
            throw Failure(rc);
        }
    }

    /// <summary>The Helios error for a failed SQLite call on this connection.</summary>
    public HeliosException Failure(int rc)
    {
        // The connection's message and extended code describe its most recent failure, which is this one.
        string message = Utf8(_db == 0 ? sqlite3_errstr(rc) : sqlite3_errmsg(_db));
        int code = _db == 0 ? rc : sqlite3_extended_errcode(_db);
        return SqliteErrors.Map((code & 0xff) == (rc & 0xff) ? code : rc, message, Path, _busyTimeout);
    }

    public void Dispose()
    {
        Close();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// The busy handler: SQLite calls it on the waiting thread each time a lock it needs is held
    /// elsewhere (<paramref name="count"/> is 0 on the first call of a wait) and retries the lock when it
    /// returns 1; 0 gives up with SQLITE_BUSY. It retries every millisecond until
    /// <paramref name="timeoutMilliseconds"/> of wall time have passed since the wait began.
    /// <para>
    /// Why not <c>sqlite3_busy_timeout</c>: its handler backs off to sleeps of 100 ms, so a writer that
    /// has waited a while polls ten times a second while writers that have just started waiting poll
    /// every 1–5 ms and take the lock whenever it is free. With 15 agent processes writing at once the
    /// lock was rarely free, and writers were starved past the 5 s timeout while others committed
    /// dozens of times. Polling at one steady rate gives every waiter the same chance at each release.
    /// The cost is a failed lock attempt (a few system calls) per waiter per millisecond.
    /// </para>
    /// </summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int WaitWhileBusy(nint timeoutMilliseconds, int count)
    {
        long now = Stopwatch.GetTimestamp();
        if (count == 0)
        {
            t_busySince = now;
        }

        if ((now - t_busySince) * 1000 >= timeoutMilliseconds * Stopwatch.Frequency)
        {
            return 0;
        }

        Thread.Sleep(1);
        return 1;
    }

    private void Close()
    {
        // Both results only repeat earlier errors: finalize the statement's last one; close_v2 always
        // succeeds (it defers the close until nothing is left open).
        foreach (nint statement in _statements.Values)
        {
            _ = sqlite3_finalize(statement);
        }

        _statements.Clear();
        if (_db != 0)
        {
            _ = sqlite3_close_v2(_db);
            _db = 0;
        }
    }

    private static byte[] NullTerminated(string text)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
        Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }

    private static string Utf8(byte* text) => System.Runtime.InteropServices.Marshal.PtrToStringUTF8((nint)text) ?? "";
}

/// <summary>
/// A prepared statement borrowed from a <see cref="SqliteSession"/>: bind parameters (1-based), step,
/// read columns (0-based) of the current row, and dispose to reset it. A span a column returns stays
/// valid only until the next step or reset.
/// </summary>
internal readonly unsafe ref struct SqliteStatement
{
    private const int StackTextBytes = 256;
    private readonly SqliteSession _session;
    private readonly nint _handle;

    public SqliteStatement(SqliteSession session, nint handle)
    {
        _session = session;
        _handle = handle;
    }

    public void Bind(int index, ReadOnlySpan<byte> blob)
    {
        // An empty span has no address, and a blob bound from a null pointer is NULL, not x''.
        if (blob.IsEmpty)
        {
            _session.Check(sqlite3_bind_zeroblob(_handle, index, 0));
            return;
        }

        fixed (byte* bytes = blob)
        {
            _session.Check(sqlite3_bind_blob(_handle, index, bytes, blob.Length, Transient));
        }
    }

    public void Bind(int index, long value) => _session.Check(sqlite3_bind_int64(_handle, index, value));

    public void Bind(int index, string text)
    {
        int length = Encoding.UTF8.GetMaxByteCount(text.Length);
        Span<byte> buffer = length <= StackTextBytes ? stackalloc byte[StackTextBytes] : new byte[length];
        int written = Encoding.UTF8.GetBytes(text, buffer);
        // A non-null pointer even for "": a null one would bind NULL.
        fixed (byte* bytes = buffer)
        {
            _session.Check(sqlite3_bind_text(_handle, index, bytes, written, Transient));
        }
    }

    /// <summary>Advances to the next row: true when there is one, false when the statement is done.</summary>
    public bool Step()
    {
        int rc = sqlite3_step(_handle);
        return rc == Row || (rc == Done ? false : throw _session.Failure(rc));
    }

    public long Int64(int column) => sqlite3_column_int64(_handle, column);

    public bool IsNull(int column) => sqlite3_column_type(_handle, column) == Null;

    public ReadOnlySpan<byte> Blob(int column)
    {
        // Pointer first, then length: SQLite's documented order.
        byte* bytes = sqlite3_column_blob(_handle, column);
        return bytes is null ? [] : new ReadOnlySpan<byte>(bytes, sqlite3_column_bytes(_handle, column));
    }

    /// <summary>The column as text, or null when it is NULL.</summary>
    public string? Text(int column)
    {
        if (sqlite3_column_type(_handle, column) == Null)
        {
            return null;
        }

        byte* text = sqlite3_column_text(_handle, column);
        return text is null ? "" : Encoding.UTF8.GetString(text, sqlite3_column_bytes(_handle, column));
    }

    /// <summary>Makes the statement ready to run again and drops its bound values (and the copies of blobs they hold).</summary>
    public void Reset()
    {
        // The result repeats the last step's error, which was reported when it happened.
        _ = sqlite3_reset(_handle);
        _ = sqlite3_clear_bindings(_handle);
    }

    public void Dispose() => Reset();
}
