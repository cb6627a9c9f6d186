using Helios.Core.Storage;

namespace Helios.Storage.Sqlite.Tests;

/// <summary>A temporary folder for test databases and every storage opened in it; disposing closes them and deletes the folder.</summary>
public sealed class TempDatabase : IDisposable
{
    private readonly List<SqliteRepositoryStorage> _open = [];
    private int _next;

    public TempDatabase() => Folder = Directory.CreateTempSubdirectory("helios-sqlite-tests-").FullName;

    public string Folder { get; }

    public string NewPath() => Path.Combine(Folder, $"store-{Interlocked.Increment(ref _next)}.db");

    public SqliteRepositoryStorage Open(string path, SqliteStorageOptions? options = null)
    {
        var storage = SqliteRepositoryStorage.Open(path, options ?? new SqliteStorageOptions { Durability = Durability.Fast });
        lock (_open)
        {
            _open.Add(storage);
        }

        return storage;
    }

    /// <summary>The storage that owns <paramref name="store"/> (either of its stores).</summary>
    public SqliteRepositoryStorage OwnerOf(object store)
    {
        lock (_open)
        {
            return _open.Last(s => ReferenceEquals(s.Objects, store) || ReferenceEquals(s.Refs, store));
        }
    }

    public void Dispose()
    {
        lock (_open)
        {
            foreach (var storage in _open)
            {
                storage.Dispose();
            }
        }

        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless; never fail a test over it.
        }
    }
}
