using Helios.Core.Errors;

namespace Helios.Storage.Sqlite;

/// <summary>Folds SQLite result codes into Helios errors: one sentence naming the database and the fix.</summary>
internal static class SqliteErrors
{
    private const int Permission = 3;
    private const int Busy = 5;
    private const int Locked = 6;
    private const int ReadOnly = 8;
    private const int IoError = 10;
    private const int Corrupt = 11;
    private const int Full = 13;
    private const int CantOpen = 14;
    private const int NotADatabase = 26;

    /// <summary>
    /// The error for result code <paramref name="resultCode"/> (primary or extended) with SQLite's own
    /// <paramref name="sqliteMessage"/>: busy/locked, read-only, full disk, I/O and open failures are
    /// <see cref="StorageException"/>; a damaged file or one that is not a database is
    /// <see cref="HeliosErrorCode.Corruption"/>; anything else is a <see cref="StorageException"/> quoting SQLite.
    /// </summary>
    public static HeliosException Map(int resultCode, string sqliteMessage, string path, TimeSpan busyTimeout)
    {
        string detail = $"SQLite error {resultCode}: {sqliteMessage}";
        return (resultCode & 0xff) switch
        {
            Busy or Locked => new StorageException(
                $"The database '{path}' stayed locked by another connection or process for longer than the busy timeout ({busyTimeout.TotalSeconds:0.###} s); retry, or raise the busy timeout if writers hold it this long."),
            ReadOnly => new StorageException(
                $"The database '{path}' is read-only; make the file and its folder writable (and open it read-write) to change it."),
            Full => new StorageException(
                $"The disk holding the database '{path}' is full; free some space and retry (nothing committed was lost)."),
            IoError => new StorageException(
                $"An I/O error occurred on the database '{path}' ({detail}); check the disk and retry."),
            CantOpen or Permission => new StorageException(
                $"The database '{path}' cannot be opened; check that its folder exists and that the file and folder are readable and writable."),
            Corrupt or NotADatabase => new HeliosException(HeliosErrorCode.Corruption,
                $"The file '{path}' is corrupt or is not a SQLite database; restore it from a backup or point Helios at the right file."),
            _ => new StorageException($"The database '{path}' reported an error ({detail}); check the file and retry."),
        };
    }
}
