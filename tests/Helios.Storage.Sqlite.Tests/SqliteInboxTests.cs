using Helios.Core.Errors;
using Helios.Core.Objects;
using Helios.Core.Storage;
using Helios.Storage.Conformance;
using Microsoft.Data.Sqlite;

namespace Helios.Storage.Sqlite.Tests;

/// <summary>
/// The object inbox: small writes wait raw in one row each, are visible to every reader at once, and are folded into
/// the objects table in the same form a direct write gives them, without ever losing or hiding an object.
/// </summary>
public sealed class SqliteInboxTests : IDisposable
{
    private readonly TempDatabase _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>A store without background folding, so the tests see exactly what the writes left pending.</summary>
    private SqliteRepositoryStorage Open(string path, int inboxRows = SqliteStorageOptions.DefaultInboxRows, bool readOnly = false) =>
        _temp.Open(path, new SqliteStorageOptions { Durability = Durability.Fast, InboxRows = inboxRows, ReadOnly = readOnly, InboxIdleFoldDelay = null });

    private static long Scalar(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    private static void Execute(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    [Fact]
    public void A_small_write_waits_raw_in_the_inbox_and_every_reader_sees_it()
    {
        string path = _temp.NewPath();
        var writer = Open(path);
        var version = ObjectStoreContract.SimilarVersions(1)[0];
        var other = ObjectStoreContract.RandomObject(64);
        writer.Objects.PutMany([version, other]);

        Assert.Equal(1, Scalar(path, "SELECT count(*) FROM inbox"));
        Assert.Equal(0, Scalar(path, "SELECT count(*) FROM objects"));
        // The writer, another open of the same file (as another process would have) and a read-only one.
        foreach (var storage in new[] { writer, Open(path), Open(path, readOnly: true) })
        {
            var objects = (SqliteObjectStore)storage.Objects;
            Assert.Equal(version.Bytes.ToArray(), objects.TryGet(version.Id));
            Assert.True(objects.Contains(other.Id));
            Assert.False(objects.Contains(ObjectStoreContract.RandomId()));
            Assert.Null(objects.TryGet(ObjectStoreContract.RandomId()));
            Assert.Equal(new[] { version.Id, other.Id }.Order(), objects.Enumerate().Order());
            Assert.Equal(2, objects.Count());
            Assert.Equal([version.Id], objects.FindByPrefix(version.Id.ToString()[..8], 10));
            var info = objects.EnumerateStored().Single(i => i.Id == version.Id);
            Assert.Equal((StoredCodec.None, version.Bytes.Length, (long)version.Bytes.Length, (ObjectId?)null),
                (info.Codec, (int)info.Length, info.StoredLength, info.DeltaBase));
        }
    }

    [Fact]
    public void Folding_stores_each_object_as_a_direct_write_would()
    {
        var versions = ObjectStoreContract.SimilarVersions(8);
        var deferred = Open(_temp.NewPath());
        var direct = Open(_temp.NewPath(), inboxRows: 0);
        foreach (var v in versions)
        {
            deferred.Objects.PutMany([v]);
            direct.Objects.PutMany([v]);
        }

        Assert.Equal(8, Scalar(deferred.Path, "SELECT count(*) FROM inbox"));
        deferred.SqliteObjects.FoldInbox();

        Assert.Equal(0, Scalar(deferred.Path, "SELECT count(*) FROM inbox"));
        static object Form(StoredObjectInfo i) => (i.Id, i.Codec, i.DeltaBase, i.StoredLength);
        Assert.Equal(direct.Objects.EnumerateStored().Select(Form).ToHashSet(), deferred.Objects.EnumerateStored().Select(Form).ToHashSet());
        Assert.Contains(deferred.Objects.EnumerateStored(), i => i.Codec == StoredCodec.ZstdDelta);
        Assert.All(versions, v => Assert.Equal(v.Bytes.ToArray(), Open(deferred.Path).Objects.TryGet(v.Id)));
    }

    [Fact]
    public void The_write_that_would_overfill_the_inbox_folds_it_first()
    {
        string path = _temp.NewPath();
        var storage = Open(path, inboxRows: 3);
        var objects = Enumerable.Range(0, 4).Select(_ => ObjectStoreContract.RandomObject(200)).ToArray();
        foreach (var o in objects[..3])
        {
            storage.Objects.PutMany([o]);
        }

        Assert.Equal((3L, 0L), (Scalar(path, "SELECT count(*) FROM inbox"), Scalar(path, "SELECT count(*) FROM objects")));
        storage.Objects.PutMany([objects[3]]);

        Assert.Equal((1L, 3L), (Scalar(path, "SELECT count(*) FROM inbox"), Scalar(path, "SELECT count(*) FROM objects")));
        Assert.All(objects, o => Assert.Equal(o.Bytes.ToArray(), storage.Objects.TryGet(o.Id)));
    }

    [Fact]
    public void A_large_write_folds_what_is_pending_and_goes_straight_to_the_table()
    {
        string path = _temp.NewPath();
        var storage = Open(path);
        var small = ObjectStoreContract.RandomObject(100);
        storage.Objects.PutMany([small]);
        var large = ObjectStoreContract.RandomObject(SqliteStorageOptions.InboxMaxWriteBytes + 1);

        storage.Objects.PutMany([large]);

        Assert.Equal((0L, 2L), (Scalar(path, "SELECT count(*) FROM inbox"), Scalar(path, "SELECT count(*) FROM objects")));
        Assert.Equal(large.Bytes.ToArray(), storage.Objects.TryGet(large.Id));
    }

    [Fact]
    public void Seqs_are_never_reused_so_a_reader_that_indexed_folded_rows_still_finds_new_ones()
    {
        string path = _temp.NewPath();
        var writer = Open(path);
        var reader = Open(path);
        var first = ObjectStoreContract.RandomObject();
        writer.Objects.PutMany([first]);
        Assert.True(reader.Objects.Contains(first.Id)); // the reader's index now knows row 1

        writer.SqliteObjects.FoldInbox();
        var second = ObjectStoreContract.RandomObject();
        writer.Objects.PutMany([second]);

        Assert.Equal(2, Scalar(path, "SELECT seq FROM inbox"));
        Assert.Equal(second.Bytes.ToArray(), reader.Objects.TryGet(second.Id));
        Assert.Equal(first.Bytes.ToArray(), reader.Objects.TryGet(first.Id));
    }

    [Fact]
    public void Closing_a_read_write_store_folds_what_is_pending_whoever_wrote_it()
    {
        string path = _temp.NewPath();
        var version = ObjectStoreContract.SimilarVersions(1)[0];
        var writer = Open(path);
        writer.Objects.PutMany([version]);
        var readOnly = Open(path, readOnly: true);
        Assert.True(readOnly.Objects.Contains(version.Id));

        readOnly.Dispose();
        Assert.Equal(1, Scalar(path, "SELECT count(*) FROM inbox"));
        Open(path).Dispose(); // another open that wrote nothing itself

        Assert.Equal(0, Scalar(path, "SELECT count(*) FROM inbox"));
        Assert.Equal((long)StoredCodec.Zstd, Scalar(path, "SELECT codec FROM objects"));
        Assert.Equal(version.Bytes.ToArray(), writer.Objects.TryGet(version.Id));
    }

    [Fact]
    public void Once_writes_pause_pending_rows_are_folded_in_the_background()
    {
        string path = _temp.NewPath();
        var storage = _temp.Open(path, new SqliteStorageOptions { Durability = Durability.Fast, InboxIdleFoldDelay = TimeSpan.FromMilliseconds(50) });
        var versions = ObjectStoreContract.SimilarVersions(40);
        foreach (var v in versions)
        {
            storage.Objects.PutMany([v]);
        }

        // 40 rows: three background transactions of at most 16 rows; nothing else writes.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (Scalar(path, "SELECT count(*) FROM inbox") > 0 && waited.Elapsed < TimeSpan.FromSeconds(20))
        {
            Thread.Sleep(10);
        }

        Assert.Equal((0L, 40L), (Scalar(path, "SELECT count(*) FROM inbox"), Scalar(path, "SELECT count(*) FROM objects")));
        Assert.Equal(39, Scalar(path, "SELECT count(*) FROM objects WHERE codec = 2"));
        Assert.All(versions, v => Assert.Equal(v.Bytes.ToArray(), storage.Objects.TryGet(v.Id)));
    }

    [Fact]
    public void A_fold_that_fails_rolls_back_with_the_write_that_started_it_and_loses_nothing()
    {
        string path = _temp.NewPath();
        var storage = Open(path, inboxRows: 2);
        var (a, bad, c) = (ObjectStoreContract.RandomObject(), ObjectStoreContract.RandomObject(), ObjectStoreContract.RandomObject());
        storage.Objects.PutMany([a]);
        storage.Objects.PutMany([bad]);
        Execute(path, $"CREATE TRIGGER fail_one BEFORE INSERT ON objects WHEN NEW.id = x'{bad.Id}' BEGIN SELECT RAISE(ABORT, 'injected failure'); END");

        var error = Assert.ThrowsAny<HeliosException>(() => storage.Objects.PutMany([c]));

        Assert.Equal(HeliosErrorCode.Storage, error.Code);
        Assert.False(storage.Objects.Contains(c.Id));
        Assert.Equal((2L, 0L), (Scalar(path, "SELECT count(*) FROM inbox"), Scalar(path, "SELECT count(*) FROM objects")));
        Assert.Equal(bad.Bytes.ToArray(), storage.Objects.TryGet(bad.Id));

        Execute(path, "DROP TRIGGER fail_one");
        storage.Objects.PutMany([c]);
        Assert.All(new[] { a, bad, c }, o => Assert.Equal(o.Bytes.ToArray(), Open(path).Objects.TryGet(o.Id)));
    }

    [Fact]
    public void A_damaged_inbox_row_is_reported_as_corruption()
    {
        string path = _temp.NewPath();
        var storage = Open(path);
        var o = ObjectStoreContract.RandomObject();
        storage.Objects.PutMany([o]);
        Execute(path, "UPDATE inbox SET entries = substr(entries, 1, 40)");

        var read = Assert.ThrowsAny<HeliosException>(() => Open(path).Objects.TryGet(o.Id));
        var fold = Assert.ThrowsAny<HeliosException>(() => storage.SqliteObjects.FoldInbox());

        Assert.Equal(HeliosErrorCode.Corruption, read.Code);
        Assert.Contains("Inbox row 1", read.Message, StringComparison.Ordinal);
        Assert.Equal(HeliosErrorCode.Corruption, fold.Code);
    }

    [Fact]
    public async Task Readers_in_other_connections_never_miss_an_acknowledged_object_while_rows_are_written_and_folded()
    {
        string path = _temp.NewPath();
        var writer = Open(path, inboxRows: 4);
        var readers = new[] { Open(path), Open(path) };
        var written = new List<EncodedObject>();
        int acknowledged = 0;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();

        var readerTasks = readers.Select((reader, n) => Task.Run(() =>
        {
            var random = new Random(n);
            while (!stop.IsCancellationRequested)
            {
                int known = Volatile.Read(ref acknowledged);
                if (known == 0)
                {
                    continue;
                }

                EncodedObject o;
                lock (written)
                {
                    o = written[random.Next(known)];
                }

                if (reader.Objects.TryGet(o.Id) is not { } bytes || !bytes.AsSpan().SequenceEqual(o.Bytes.Span))
                {
                    failures.Enqueue($"object {o.Id} read back wrong or not at all");
                }
            }
        })).ToArray();

        for (int i = 0; i < 300; i++)
        {
            var o = ObjectStoreContract.RandomObject(500);
            writer.Objects.PutMany([o]);
            lock (written)
            {
                written.Add(o);
            }

            Volatile.Write(ref acknowledged, written.Count);
        }

        stop.Cancel();
        await Task.WhenAll(readerTasks);
        Assert.Empty(failures);
        Assert.True(Scalar(path, "SELECT count(*) FROM objects") >= 296, "the inbox was folded along the way");
    }
}
