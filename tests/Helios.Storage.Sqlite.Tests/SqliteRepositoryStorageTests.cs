using System.Diagnostics;
using Helios.Core.Errors;
using Helios.Core.Refs;
using Helios.Core.Storage;
using Helios.Storage.Conformance;
using Microsoft.Data.Sqlite;

namespace Helios.Storage.Sqlite.Tests;

public sealed class SqliteRepositoryStorageTests : IDisposable
{
    private static readonly RefName Main = RefName.Parse("refs/heads/main");
    private readonly TempDatabase _temp = new();

    private static RefTransaction Tx(params RefUpdate[] updates) =>
        new(updates, new OperationInfo("test", "sqlite test", DateTimeOffset.UtcNow));

    private static SqliteConnection Raw(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    [Theory]
    [InlineData(Durability.Durable)]
    [InlineData(Durability.Fast)]
    public void Objects_refs_and_records_survive_reopening_in_both_durability_modes(Durability durability)
    {
        string path = _temp.NewPath();
        var options = new SqliteStorageOptions { Durability = durability };
        var o = ObjectStoreContract.RandomObject(20_000);
        var storage = _temp.Open(path, options);
        storage.Objects.PutMany([o]);
        Assert.IsType<RefTransactionResult.Committed>(storage.Refs.Commit(Tx(new RefUpdate(Main, null, o.Id))));
        storage.Dispose();

        using var reopened = SqliteRepositoryStorage.Open(path, options);
        Assert.Equal(o.Bytes.ToArray(), reopened.Objects.TryGet(o.Id));
        Assert.Equal(RefTarget.To(o.Id), reopened.Refs.Read(Main));
        RefStoreContract.AssertChain(reopened.Refs.ReadOperations());
    }

    [Fact]
    public void Read_only_database_rejects_writes_with_a_storage_error_and_keeps_its_data()
    {
        string path = _temp.NewPath();
        var kept = ObjectStoreContract.RandomObject();
        var writable = _temp.Open(path);
        writable.Objects.PutMany([kept]);
        writable.Refs.Commit(Tx(new RefUpdate(Main, null, kept.Id)));
        writable.Dispose();

        var readOnly = _temp.Open(path, new SqliteStorageOptions { ReadOnly = true });
        Assert.Equal(kept.Bytes.ToArray(), readOnly.Objects.TryGet(kept.Id));
        var put = Assert.Throws<StorageException>(() => readOnly.Objects.PutMany([ObjectStoreContract.RandomObject()]));
        var commit = Assert.Throws<StorageException>(() => readOnly.Refs.Commit(Tx(new RefUpdate(Main, kept.Id, null))));
        foreach (var error in new[] { put, commit })
        {
            Assert.Equal(HeliosErrorCode.Storage, error.Code);
            Assert.Contains(path, error.Message, StringComparison.Ordinal);
            Assert.Contains("read-only", error.Message, StringComparison.Ordinal);
        }

        readOnly.Dispose();
        using var again = SqliteRepositoryStorage.Open(path);
        Assert.Equal(RefTarget.To(kept.Id), again.Refs.Read(Main));
        Assert.Single(again.Refs.ReadOperations());
        Assert.Single(again.Objects.Enumerate());
    }

    [Fact]
    public void File_that_is_not_a_sqlite_database_is_reported_as_corruption()
    {
        string path = _temp.NewPath();
        File.WriteAllText(path, "These are notes, not a database. They are long enough to fill a header page or two. " + new string('x', 5000));
        var error = Assert.ThrowsAny<HeliosException>(() => SqliteRepositoryStorage.Open(path));
        Assert.Equal(HeliosErrorCode.Corruption, error.Code);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("These are notes", File.ReadAllText(path), StringComparison.Ordinal);
    }

    [Fact]
    public void Sqlite_database_of_another_application_is_rejected()
    {
        string path = _temp.NewPath();
        using (var raw = Raw(path))
        {
            Execute(raw, "CREATE TABLE invoices(id INTEGER PRIMARY KEY)");
        }

        var error = Assert.ThrowsAny<HeliosException>(() => SqliteRepositoryStorage.Open(path));
        Assert.Equal(HeliosErrorCode.RepositoryNotFound, error.Code);
        Assert.Contains("not a Helios store", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Store_with_a_newer_schema_is_rejected()
    {
        string path = _temp.NewPath();
        _temp.Open(path).Dispose();
        using (var raw = Raw(path))
        {
            Execute(raw, "UPDATE helios_meta SET value = '99' WHERE key = 'schema_version'");
        }

        var error = Assert.ThrowsAny<HeliosException>(() => SqliteRepositoryStorage.Open(path));
        Assert.Equal(HeliosErrorCode.InvalidState, error.Code);
        Assert.Contains("schema version 99", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_folder_gives_a_storage_error_naming_the_path()
    {
        string path = Path.Combine(_temp.Folder, "no", "such", "folder", "store.db");
        var error = Assert.Throws<StorageException>(() => SqliteRepositoryStorage.Open(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Locked_database_gives_a_storage_error_after_the_busy_timeout_and_works_once_released()
    {
        string path = _temp.NewPath();
        var storage = _temp.Open(path, new SqliteStorageOptions { Durability = Durability.Fast, BusyTimeout = TimeSpan.FromMilliseconds(200) });
        var o = ObjectStoreContract.RandomObject();
        using var raw = Raw(path);
        Execute(raw, "BEGIN EXCLUSIVE");

        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<StorageException>(() => storage.Objects.PutMany([o]));
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(150), TimeSpan.FromSeconds(10));
        Assert.Equal(HeliosErrorCode.Storage, error.Code);
        Assert.Contains("locked", error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Throws<StorageException>(() => storage.Refs.Commit(Tx(new RefUpdate(Main, null, o.Id))));

        Execute(raw, "ROLLBACK");
        storage.Objects.PutMany([o]);
        Assert.IsType<RefTransactionResult.Committed>(storage.Refs.Commit(Tx(new RefUpdate(Main, null, o.Id))));
        Assert.True(storage.Objects.Contains(o.Id));
    }

    [Fact]
    public void Sqlite_failure_midway_through_a_batch_rolls_back_the_whole_batch()
    {
        // Objects encoded at once, one row each (the inbox's failing fold is in SqliteInboxTests).
        string path = _temp.NewPath();
        var storage = _temp.Open(path, new SqliteStorageOptions { InboxRows = 0 });
        var committed = ObjectStoreContract.RandomObject();
        storage.Objects.PutMany([committed]);
        var (a, bad, c) = (ObjectStoreContract.RandomObject(), ObjectStoreContract.RandomObject(), ObjectStoreContract.RandomObject());
        using (var raw = Raw(path))
        {
            Execute(raw, $"CREATE TRIGGER fail_one BEFORE INSERT ON objects WHEN NEW.id = x'{bad.Id}' BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
        }

        var error = Assert.ThrowsAny<HeliosException>(() => storage.Objects.PutMany([a, bad, c]));

        Assert.Equal(HeliosErrorCode.Storage, error.Code);
        Assert.False(storage.Objects.Contains(a.Id));
        Assert.False(storage.Objects.Contains(c.Id));
        Assert.Equal([committed.Id], storage.Objects.Enumerate());
    }

    [Fact]
    public void Sqlite_failure_while_appending_the_record_leaves_refs_and_log_unchanged()
    {
        string path = _temp.NewPath();
        var storage = _temp.Open(path);
        var (first, second) = (ObjectStoreContract.RandomId(), ObjectStoreContract.RandomId());
        storage.Refs.Commit(Tx(new RefUpdate(Main, null, first)));
        using (var raw = Raw(path))
        {
            Execute(raw, "CREATE TRIGGER fail_log BEFORE INSERT ON oplog WHEN NEW.seq = 2 BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
        }

        Assert.ThrowsAny<HeliosException>(() => storage.Refs.Commit(Tx(
            new RefUpdate(Main, first, second),
            new RefUpdate(RefName.Parse("refs/heads/new"), null, second))));

        Assert.Equal(RefTarget.To(first), storage.Refs.Read(Main));
        Assert.Null(storage.Refs.Read(RefName.Parse("refs/heads/new")));
        Assert.Single(storage.Refs.ReadOperations());
    }

    [Fact]
    public void Two_storages_on_one_file_see_each_others_commits_and_conflicts()
    {
        string path = _temp.NewPath();
        var one = _temp.Open(path);
        var two = _temp.Open(path);
        var (a, b) = (ObjectStoreContract.RandomObject(), ObjectStoreContract.RandomId());
        one.Objects.PutMany([a]);
        Assert.Equal(a.Bytes.ToArray(), two.Objects.TryGet(a.Id));
        one.Refs.Commit(Tx(new RefUpdate(Main, null, a.Id)));

        var lost = two.Refs.Commit(Tx(new RefUpdate(Main, null, b)));

        Assert.Equal(new RefTransactionResult.Conflict(Main, null, RefTarget.To(a.Id)), lost);
        var won = Assert.IsType<RefTransactionResult.Committed>(two.Refs.Commit(Tx(new RefUpdate(Main, a.Id, b))));
        Assert.Equal(2, won.Record.Sequence);
        RefStoreContract.AssertChain(one.Refs.ReadOperations());
    }

    [Fact]
    public void Writers_that_keep_taking_the_lock_do_not_starve_one_that_has_waited_long()
    {
        // Each writer is its own connection, as another process's would be, and always wants the
        // lock again soon after releasing it, so the lock is nearly never free. SQLite's stock busy
        // handler backs off to 100 ms sleeps: a writer that has waited a while polls rarely and keeps
        // losing to writers that have just started waiting, until its busy timeout runs out.
        string path = _temp.NewPath();
        _temp.Open(path).Objects.PutMany([ObjectStoreContract.RandomObject()]);
        const int writers = 8;
        var options = new SqliteStorageOptions { Durability = Durability.Fast, BusyTimeout = TimeSpan.FromSeconds(1) };
        var storages = Enumerable.Range(0, writers).Select(_ => _temp.Open(path, options)).ToArray();
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var done = new int[writers];
        var until = Stopwatch.GetTimestamp() + 3 * Stopwatch.Frequency;
        var threads = storages.Select((storage, w) => new Thread(() =>
        {
            while (Stopwatch.GetTimestamp() < until)
            {
                // Making the next batch is the work a writer does between transactions.
                var batch = Enumerable.Range(0, 24).Select(_ => ObjectStoreContract.RandomObject(32 * 1024)).ToArray();
                try
                {
                    storage.Objects.PutMany(batch);
                    done[w]++;
                }
                catch (StorageException e)
                {
                    failures.Enqueue(e);
                    return;
                }
            }
        })).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();

        Assert.Empty(failures);
        Assert.All(done, n => Assert.True(n > 0));
    }

    public void Dispose() => _temp.Dispose();
}
