using Helios.Core.Errors;
using Helios.Core.Memory;
using Helios.Core.Repositories;

namespace Helios.Storage.Sqlite;

/// <summary>
/// Repositories on disk with the embedded default backend: the store is <c>ROOT/.helios/store.db</c>,
/// the memory merge log's signing key <c>ROOT/.helios/keys/merge-log.pem</c> (created by
/// <see cref="Init"/>, or on first need in a repository made before the key existed).
/// A composition root's one-liner for <see cref="Repository.Init"/> and <see cref="Repository.Open"/>.
/// </summary>
public static class SqliteRepository
{
    /// <summary>The folder at a working directory's root that holds the store and settings.</summary>
    public const string MetadataDirectory = ".helios";

    /// <summary>The database file inside <see cref="MetadataDirectory"/>.</summary>
    public const string DatabaseFile = "store.db";

    /// <summary>The merge-log key path of the repository rooted at <paramref name="root"/>.</summary>
    public static string MergeLogKeyPath(string root) => Path.Combine(Path.GetFullPath(root), MetadataDirectory, "keys", "merge-log.pem");

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

        // The key comes before the store, so a failure here leaves nothing that blocks a second init.
        options = WithMergeLogKey(root, options);
        _ = options.MergeLogSigner!.Value;
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
            return Repository.Open(backend, WithMergeLogKey(root, options));
        }
        catch
        {
            backend.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Gives <paramref name="options"/> the repository's key file as its merge-log signer, unless the
    /// caller chose one. The file is read (or created) on first use only, so commands that never append
    /// to the merge log never touch it; a failed read is retried on the next use.
    /// </summary>
    private static RepositoryOptions WithMergeLogKey(string root, RepositoryOptions? options)
    {
        options ??= new RepositoryOptions();
        if (options.MergeLogSigner is not null)
        {
            return options;
        }

        var keyPath = MergeLogKeyPath(root);
        return options with
        {
            MergeLogSigner = new Lazy<IMergeLogSigner>(() => MergeLogKeyFile.LoadOrCreate(keyPath), LazyThreadSafetyMode.PublicationOnly),
        };
    }
}
