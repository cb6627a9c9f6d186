using Helios.Core.Repositories;
using Helios.Core.Storage;
using Helios.Core.Storage.InMemory;
using Helios.Storage.Sqlite;

namespace Helios.Benchmarks.Support;

/// <summary>The storage a benchmark repository lives in.</summary>
public enum Backend
{
    /// <summary>The in-memory reference backend.</summary>
    InMemory,

    /// <summary>SQLite, <c>synchronous=NORMAL</c>: survives a process crash.</summary>
    SqliteFast,

    /// <summary>SQLite, <c>synchronous=FULL</c>: every commit is fsynced.</summary>
    SqliteDurable,
}

/// <summary>A freshly initialised repository on a backend; SQLite ones live in a temp directory deleted on dispose.</summary>
internal sealed class BenchRepository : IDisposable
{
    private readonly string? _directory;

    private BenchRepository(IRepositoryStorage storage, string? directory)
    {
        Storage = storage;
        Repository = Repository.Init(storage);
        _directory = directory;
    }

    /// <summary>The backend itself, beneath the repository's caches.</summary>
    public IRepositoryStorage Storage { get; }

    public Repository Repository { get; }

    /// <summary>
    /// Creates a repository; <paramref name="compression"/> overrides the SQLite store's default codec choice, and
    /// <paramref name="inbox"/> false turns its object inbox off (every commit encodes its objects at once).
    /// </summary>
    public static BenchRepository Create(Backend backend, StorageCompression? compression = null, bool inbox = true)
    {
        if (backend == Backend.InMemory)
        {
            return new BenchRepository(new InMemoryRepositoryStorage(), null);
        }

        var directory = Directory.CreateTempSubdirectory("helios-bench-").FullName;
        var durability = backend == Backend.SqliteDurable ? Durability.Durable : Durability.Fast;
        var storage = SqliteRepositoryStorage.Open(Path.Combine(directory, "helios.db"), new SqliteStorageOptions
        {
            Durability = durability,
            Compression = compression ?? SqliteStorageOptions.Default.Compression,
            InboxRows = inbox ? SqliteStorageOptions.DefaultInboxRows : 0,
        });
        return new BenchRepository(storage, directory);
    }

    /// <summary>Creates a repository and commits <paramref name="layout"/> on <c>main</c>; returns it with the workspace, fully loaded.</summary>
    public static (BenchRepository Repository, Workspace Workspace) CreateWithTree(
        Backend backend, TreeLayout layout, StorageCompression? compression = null, bool inbox = true)
    {
        var bench = Create(backend, compression, inbox);
        var workspace = bench.Repository.OpenWorkspace(Repository.DefaultBranch);
        layout.WriteInto(workspace);
        bench.Repository.Commit(workspace, "import the tree").EnsureCommitted();
        return (bench, workspace);
    }

    public void Dispose()
    {
        Repository.Dispose();
        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
