using Helios.Core.Errors;
using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Storage;
using Helios.Storage.Conformance;
using Microsoft.Data.Sqlite;

namespace Helios.Storage.Sqlite.Tests;

public sealed class SqliteSchemaMigrationTests : IDisposable
{
    private readonly TempDatabase _temp = new();

    /// <summary>A store laid out exactly as schema version 1 wrote it, holding <paramref name="objects"/> and a ref to the first.</summary>
    private static void CreateVersion1Store(string path, EncodedObject[] objects)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                PRAGMA journal_mode = WAL;
                CREATE TABLE helios_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
                INSERT INTO helios_meta(key, value) VALUES ('format', 'helios-store'), ('schema_version', '1');
                CREATE TABLE objects(id BLOB NOT NULL, data BLOB NOT NULL);
                CREATE UNIQUE INDEX objects_by_id ON objects(id);
                CREATE TABLE refs(name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
                CREATE TABLE oplog(seq INTEGER PRIMARY KEY, data BLOB NOT NULL);
                PRAGMA application_id = 1212501075;
                """;
            command.ExecuteNonQuery();
        }

        foreach (var o in objects)
        {
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO objects(id, data) VALUES ($id, $data)";
            insert.Parameters.AddWithValue("$id", o.Id.ToByteArray());
            insert.Parameters.AddWithValue("$data", o.Bytes.ToArray());
            insert.ExecuteNonQuery();
        }

        using var reference = connection.CreateCommand();
        reference.CommandText = "INSERT INTO refs(name, value) VALUES ('refs/heads/main', $value)";
        reference.Parameters.AddWithValue("$value", RefTarget.To(objects[0].Id).ToString());
        reference.ExecuteNonQuery();
    }

    private static string SchemaVersion(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False;Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM helios_meta WHERE key = 'schema_version'";
        return (string)command.ExecuteScalar()!;
    }

    [Fact]
    public void Opening_a_version_1_store_read_write_upgrades_it_in_place_and_keeps_every_object_and_ref()
    {
        string path = _temp.NewPath();
        var objects = new[] { ObjectStoreContract.RandomObject(0), ObjectStoreContract.RandomObject(40), ObjectStoreContract.RandomObject(90_000) };
        CreateVersion1Store(path, objects);
        var clock = new ManualClock();

        var storage = _temp.Open(path, new SqliteStorageOptions { Durability = Durability.Fast, Clock = clock });

        Assert.Equal("3", SchemaVersion(path));
        Assert.All(objects, o => Assert.Equal(o.Bytes.ToArray(), storage.Objects.TryGet(o.Id)));
        Assert.Equal(RefTarget.To(objects[0].Id), storage.Refs.Read(RefName.Parse("refs/heads/main")));
        var infos = storage.Objects.EnumerateStored().ToDictionary(i => i.Id);
        Assert.All(objects, o =>
        {
            var info = infos[o.Id];
            Assert.Equal(StoredCodec.None, info.Codec);
            Assert.Equal(o.Bytes.Length, info.Length);
            Assert.Equal(o.Bytes.Length, info.StoredLength);
            Assert.Null(info.DeltaBase);
            Assert.Equal(clock.Now, info.StoredAt);
        });
    }

    [Fact]
    public void An_upgraded_store_takes_new_objects_freshens_old_ones_and_deletes_unused_ones()
    {
        string path = _temp.NewPath();
        var old = ObjectStoreContract.RandomObject(500);
        CreateVersion1Store(path, [old]);
        var clock = new ManualClock();
        _temp.Open(path, new SqliteStorageOptions { Durability = Durability.Fast, Clock = clock }).Dispose();

        clock.Advance(TimeSpan.FromHours(2));
        var storage = _temp.Open(path, new SqliteStorageOptions { Durability = Durability.Fast, Clock = clock });
        var added = ObjectStoreContract.RandomObject(700);
        storage.Objects.PutMany([added]);
        Assert.Equal([old.Id], storage.Objects.DeleteUnused([old.Id, added.Id], clock.Now - TimeSpan.FromHours(1)));
        storage.Objects.PutMany([old]);
        clock.Advance(TimeSpan.FromHours(2));
        storage.Objects.PutMany([added]);

        var infos = storage.Objects.EnumerateStored().ToDictionary(i => i.Id);
        Assert.Equal(clock.Now - TimeSpan.FromHours(2), infos[old.Id].StoredAt);
        Assert.Equal(clock.Now, infos[added.Id].StoredAt);
        Assert.Equal(added.Bytes.ToArray(), storage.Objects.TryGet(added.Id));
    }

    [Fact]
    public void Rewriting_an_upgraded_row_records_its_length_so_it_reads_back_whole()
    {
        // A schema-1 row has no raw_length (its payload was the object); once re-encoded as zstd it needs one.
        string path = _temp.NewPath();
        var versions = ObjectStoreContract.SimilarVersions(2);
        CreateVersion1Store(path, versions.Select(v => v with { DeltaBase = null }).ToArray());
        var storage = _temp.Open(path, new SqliteStorageOptions { Durability = Durability.Fast });

        var (before, after) = ((IObjectRewriter)storage.Objects).Rewrite(versions);

        Assert.True(after < before, $"rewrite kept {after} of {before} stored bytes");
        Assert.All(versions, v => Assert.Equal(v.Bytes.ToArray(), storage.Objects.TryGet(v.Id)));
    }

    [Fact]
    public void Opening_a_version_1_store_read_only_asks_for_a_read_write_open_and_changes_nothing()
    {
        string path = _temp.NewPath();
        CreateVersion1Store(path, [ObjectStoreContract.RandomObject()]);

        var error = Assert.ThrowsAny<HeliosException>(() => SqliteRepositoryStorage.Open(path, new SqliteStorageOptions { ReadOnly = true }));

        Assert.Equal(HeliosErrorCode.InvalidState, error.Code);
        Assert.Contains("read-write once to upgrade", error.Message, StringComparison.Ordinal);
        Assert.Equal("1", SchemaVersion(path));
    }

    [Fact]
    public void A_new_store_is_created_at_version_3()
    {
        string path = _temp.NewPath();
        _temp.Open(path).Dispose();
        Assert.Equal("3", SchemaVersion(path));
    }

    [Fact]
    public void Opening_a_version_2_store_read_write_adds_the_inbox_and_keeps_every_object()
    {
        // A version-2 store is a version-3 one without the inbox table.
        string path = _temp.NewPath();
        var objects = new[] { ObjectStoreContract.RandomObject(10), ObjectStoreContract.RandomObject(5000) };
        using (var v3 = _temp.Open(path, new SqliteStorageOptions { Durability = Durability.Fast, InboxRows = 0 }))
        {
            v3.Objects.PutMany(objects);
        }

        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var downgrade = connection.CreateCommand();
            downgrade.CommandText = "DROP TABLE inbox; UPDATE helios_meta SET value = '2' WHERE key = 'schema_version'";
            downgrade.ExecuteNonQuery();
        }

        var readOnly = Assert.ThrowsAny<HeliosException>(() => SqliteRepositoryStorage.Open(path, new SqliteStorageOptions { ReadOnly = true }));
        Assert.Equal(HeliosErrorCode.InvalidState, readOnly.Code);
        Assert.Equal("2", SchemaVersion(path));

        var storage = _temp.Open(path, new SqliteStorageOptions { Durability = Durability.Fast });
        Assert.Equal("3", SchemaVersion(path));
        Assert.All(objects, o => Assert.Equal(o.Bytes.ToArray(), storage.Objects.TryGet(o.Id)));
        var added = ObjectStoreContract.RandomObject(300);
        storage.Objects.PutMany([added]);
        Assert.Equal(added.Bytes.ToArray(), storage.Objects.TryGet(added.Id));
        Assert.Equal(objects.Select(o => o.Id).Append(added.Id).ToHashSet(), storage.Objects.Enumerate().ToHashSet());
    }

    public void Dispose() => _temp.Dispose();
}
