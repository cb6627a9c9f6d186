using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

// Every import below takes and returns only pointers and numbers, so no marshalling stub is generated
// at run time and ReadyToRun precompiles the calls.
[assembly: DisableRuntimeMarshalling]

namespace Helios.Storage.Sqlite;

/// <summary>
/// The few functions of SQLite's C API the backend uses, imported from the bundled <c>e_sqlite3</c>
/// library (the SourceGear.sqlite3 package, the build SQLitePCLRaw and Microsoft.Data.Sqlite use).
/// Handles are raw pointers owned by <see cref="SqliteSession"/>. Binding these directly instead of going
/// through SQLitePCLRaw saves a process about 12 ms of start-up: its provider takes ~8 ms to set up and each
/// distinct call signature needs a marshalling stub compiled at run time (see the project README).
/// </summary>
internal static unsafe partial class SqliteNative
{
    private const string Library = "e_sqlite3";

    public const int Ok = 0;
    public const int Row = 100;
    public const int Done = 101;
    public const int Null = 5;

    public const int OpenReadOnly = 0x1;
    public const int OpenReadWrite = 0x2;
    public const int OpenCreate = 0x4;
    public const int OpenNoMutex = 0x8000;

    /// <summary><c>SQLITE_TRANSIENT</c>: SQLite copies a bound value before the call returns.</summary>
    public static readonly nint Transient = -1;

    [LibraryImport(Library)]
    public static partial int sqlite3_open_v2(byte* filename, nint* db, int flags, byte* vfs);

    [LibraryImport(Library)]
    public static partial int sqlite3_close_v2(nint db);

    /// <summary>Installs <paramref name="handler"/> (<c>int handler(void* argument, int count)</c>, cdecl) as the connection's busy handler.</summary>
    [LibraryImport(Library)]
    public static partial int sqlite3_busy_handler(nint db, nint handler, nint argument);

    [LibraryImport(Library)]
    public static partial byte* sqlite3_errmsg(nint db);

    [LibraryImport(Library)]
    public static partial byte* sqlite3_errstr(int resultCode);

    [LibraryImport(Library)]
    public static partial int sqlite3_extended_errcode(nint db);

    [LibraryImport(Library)]
    public static partial int sqlite3_get_autocommit(nint db);

    [LibraryImport(Library)]
    public static partial int sqlite3_changes(nint db);

    [LibraryImport(Library)]
    public static partial int sqlite3_exec(nint db, byte* sql, nint callback, nint argument, byte** errorMessage);

    [LibraryImport(Library)]
    public static partial int sqlite3_prepare_v2(nint db, byte* sql, int byteCount, nint* statement, byte** tail);

    [LibraryImport(Library)]
    public static partial int sqlite3_step(nint statement);

    [LibraryImport(Library)]
    public static partial int sqlite3_reset(nint statement);

    [LibraryImport(Library)]
    public static partial int sqlite3_clear_bindings(nint statement);

    [LibraryImport(Library)]
    public static partial int sqlite3_finalize(nint statement);

    [LibraryImport(Library)]
    public static partial int sqlite3_bind_blob(nint statement, int index, byte* value, int byteCount, nint destructor);

    [LibraryImport(Library)]
    public static partial int sqlite3_bind_zeroblob(nint statement, int index, int byteCount);

    [LibraryImport(Library)]
    public static partial int sqlite3_bind_int64(nint statement, int index, long value);

    [LibraryImport(Library)]
    public static partial int sqlite3_bind_text(nint statement, int index, byte* value, int byteCount, nint destructor);

    [LibraryImport(Library)]
    public static partial int sqlite3_column_type(nint statement, int column);

    [LibraryImport(Library)]
    public static partial long sqlite3_column_int64(nint statement, int column);

    [LibraryImport(Library)]
    public static partial byte* sqlite3_column_blob(nint statement, int column);

    [LibraryImport(Library)]
    public static partial byte* sqlite3_column_text(nint statement, int column);

    [LibraryImport(Library)]
    public static partial int sqlite3_column_bytes(nint statement, int column);
}
