using Helios.Core.Errors;
using Helios.Core.Repositories;

namespace Helios.Storage.Sqlite;

/// <summary>
/// Repositories on disk with the embedded default backend: the store is <c>ROOT/.helios/store.db</c>.
/// A composition root's one-liner for <see cref="Repository.Init"/> and <see cref="Repository.Open"/>.
/// </summary>
public static class SqliteRepository
{
    /// <summary>The folder at a working directory's root that holds the store and settings.</summary>
    public const string MetadataDirectory = ".helios";

    /// <summary>The database file inside <see cref="MetadataDirectory"/>.</summary>
    public const string DatabaseFile = "store.db";

    /// <summary>The database path of the repository rooted at <paramref name="root"/>.</summary>
    public static string DatabasePath(string root) => Path.Combine(Path.GetFullPath(root), MetadataDirectory, DatabaseFile);

    /// <summary>Creates <c>.helios/store.db</c> under <paramref name="root"/> and a repository on branch main in it.</summary>
    public static Repository Init(string root, SqliteStorageOptions? storage = null, RepositoryOptions? options = null)
    {
        var path = DatabasePath(root);
        if (File.Exists(path))
        {
            throw new HeliosException(HeliosErrorCode.AlreadyExists, $"A Helios repository already exists at {Path.GetDirectoryName(Path.GetDirectoryName(path))}.");
        }

        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"Cannot create {Path.GetDirectoryName(path)}: {e.Message}", e);
        }

        var backend = SqliteRepositoryStorage.Open(path, storage);
        try
        {
            return Repository.Init(backend, options);
        }
        catch
        {
            backend.Dispose();
            throw;
        }
    }

    /// <summary>Opens the repository rooted at <paramref name="root"/>.</summary>
    public static Repository Open(string root, SqliteStorageOptions? storage = null, RepositoryOptions? options = null)
    {
        var path = DatabasePath(root);
        if (!File.Exists(path))
        {
            throw new HeliosException(HeliosErrorCode.RepositoryNotFound, $"No Helios repository at {Path.GetFullPath(root)} (no {MetadataDirectory}/{DatabaseFile}); run 'helios init' there first.");
        }

        var backend = SqliteRepositoryStorage.Open(path, storage);
        try
        {
            return Repository.Open(backend, options);
        }
        catch
        {
            backend.Dispose();
            throw;
        }
    }
}
