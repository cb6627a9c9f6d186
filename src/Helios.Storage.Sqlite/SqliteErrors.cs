using Helios.Core.Errors;
using Microsoft.Data.Sqlite;

namespace Helios.Storage.Sqlite;

/// <summary>Folds SQLite result codes into Helios errors: one sentence naming the database and the fix.</summary>
internal static class SqliteErrors
{
    private const int Busy = 5;
    private const int Locked = 6;
    private const int ReadOnly = 8;
    private const int IoError = 10;
    private const int Corrupt = 11;
    private const int Full = 13;
    private const int CantOpen = 14;
    private const int NotADatabase = 26;
    private const int Permission = 3;

    public static HeliosException Map(SqliteException e, string path, TimeSpan busyTimeout) => (e.SqliteErrorCode & 0xff) switch
    {
        Busy or Locked => new StorageException(
            $"The database '{path}' stayed locked by another connection or process for longer than the busy timeout ({busyTimeout.TotalSeconds:0.###} s); retry, or raise the busy timeout if writers hold it this long.", e),
        ReadOnly => new StorageException(
            $"The database '{path}' is read-only; make the file and its folder writable (and open it read-write) to change it.", e),
        Full => new StorageException(
            $"The disk holding the database '{path}' is full; free some space and retry (nothing committed was lost).", e),
        IoError => new StorageException(
            $"An I/O error occurred on the database '{path}' ({e.Message}); check the disk and retry.", e),
        CantOpen or Permission => new StorageException(
            $"The database '{path}' cannot be opened; check that its folder exists and that the file and folder are readable and writable.", e),
        Corrupt or NotADatabase => new HeliosException(HeliosErrorCode.Corruption,
            $"The file '{path}' is corrupt or is not a SQLite database; restore it from a backup or point Helios at the right file.", e),
        _ => new StorageException($"The database '{path}' reported an error ({e.Message}); check the file and retry.", e),
    };
}
