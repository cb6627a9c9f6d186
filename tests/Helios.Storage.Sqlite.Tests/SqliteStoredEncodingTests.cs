using System.Security.Cryptography;
using Helios.Core.Compression;
using Helios.Core.Errors;
using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Storage;
using Helios.Storage.Conformance;
using Microsoft.Data.Sqlite;

namespace Helios.Storage.Sqlite.Tests;

/// <summary>
/// How the SQLite store encodes objects at rest, and how it reports rows it cannot decode. Every store here has the
/// object inbox off, so each put is encoded at once; folding the inbox uses the same encoder (SqliteInboxTests).
/// </summary>
public sealed class SqliteStoredEncodingTests : IDisposable
{
    private readonly TempDatabase _temp = new();

    public void Dispose() => _temp.Dispose();

    private SqliteRepositoryStorage Open(string? path = null, SqliteStorageOptions? options = null) =>
        _temp.Open(path ?? _temp.NewPath(), options ?? new SqliteStorageOptions { Durability = Durability.Fast, InboxRows = 0 });

    private static void Execute(SqliteRepositoryStorage storage, string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = new SqliteConnection($"Data Source={storage.Path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        Assert.True(command.ExecuteNonQuery() >= 1, $"'{sql}' changed no row");
    }

    private static EncodedObject Text(int size, int seed)
    {
        var random = new Random(seed);
        var bytes = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, size / 10 + 1).Select(_ => $"word{random.Next(50)} and more ")))[..size];
        return new EncodedObject(ObjectStoreContract.RandomId(), bytes);
    }

    private static StoredObjectInfo Info(SqliteRepositoryStorage storage, ObjectId id) =>
        storage.Objects.EnumerateStored().Single(i => i.Id == id);

    private static CorruptObjectException ReadFails(SqliteRepositoryStorage storage, ObjectId id)
    {
        var error = Assert.Throws<CorruptObjectException>(() => storage.Objects.TryGet(id));
        Assert.Equal(HeliosErrorCode.Corruption, error.Code);
        Assert.Equal(id, error.Expected);
        Assert.Contains(id.ToString(), error.Message, StringComparison.Ordinal);
        return error;
    }

    [Fact]
    public void Compressible_objects_are_stored_with_zstd_and_incompressible_or_tiny_ones_raw()
    {
        var storage = Open();
        var text = Text(10_000, 1);
        var noise = new EncodedObject(ObjectStoreContract.RandomId(), RandomNumberGenerator.GetBytes(10_000));
        var tiny = Text(20, 2);
        storage.Objects.PutMany([text, noise, tiny]);

        var info = Info(storage, text.Id);
        Assert.Equal(StoredCodec.Zstd, info.Codec);
        Assert.True(info.StoredLength < text.Bytes.Length / 2, $"stored {info.StoredLength} of {text.Bytes.Length}");
        Assert.Equal(StoredCodec.None, Info(storage, noise.Id).Codec);
        Assert.Equal(10_000, Info(storage, noise.Id).StoredLength);
        Assert.Equal(StoredCodec.None, Info(storage, tiny.Id).Codec);
        Assert.All(new[] { text, noise, tiny }, o => Assert.Equal(o.Bytes.ToArray(), storage.Objects.TryGet(o.Id)));
    }

    [Fact]
    public void Changing_the_compression_setting_keeps_older_objects_readable_in_their_own_codec()
    {
        string path = _temp.NewPath();
        var first = Text(5000, 3);
        var second = Text(5000, 4);
        using (var raw = SqliteRepositoryStorage.Open(path, new SqliteStorageOptions { Durability = Durability.Fast, InboxRows = 0, Compression = StorageCompression.None }))
        {
            raw.Objects.PutMany([first]);
        }

        var zstd = Open(path);
        zstd.Objects.PutMany([second]);

        Assert.Equal(StoredCodec.None, Info(zstd, first.Id).Codec);
        Assert.Equal(StoredCodec.Zstd, Info(zstd, second.Id).Codec);
        Assert.Equal(first.Bytes.ToArray(), zstd.Objects.TryGet(first.Id));
        Assert.Equal(second.Bytes.ToArray(), zstd.Objects.TryGet(second.Id));
    }

    [Fact]
    public void Delta_chains_never_grow_past_the_configured_depth()
    {
        var storage = Open(options: new SqliteStorageOptions { Durability = Durability.Fast, InboxRows = 0, MaxDeltaDepth = 3 });
        var versions = ObjectStoreContract.SimilarVersions(20);
        foreach (var v in versions)
        {
            storage.Objects.PutMany([v]);
        }

        var infos = storage.Objects.EnumerateStored().ToDictionary(i => i.Id);
        int Depth(ObjectId id) => infos[id].DeltaBase is { } b ? 1 + Depth(b) : 0;
        Assert.Equal(3, versions.Max(v => Depth(v.Id)));
        Assert.Contains(versions, v => infos[v.Id].Codec == StoredCodec.ZstdDelta);
        long stored = infos.Values.Sum(i => i.StoredLength);
        long plain = versions.Sum(v => (long)Zstd.Compress(v.Bytes.Span).Length);
        Assert.True(stored * 2 < plain, $"deltas took {stored} bytes, plain zstd {plain}");
        Assert.All(versions, v => Assert.Equal(v.Bytes.ToArray(), storage.Objects.TryGet(v.Id)));
    }

    [Fact]
    public void A_hint_at_the_depth_bound_falls_back_to_the_root_of_its_chain()
    {
        // Variants of one original, each hinting the variant before: at depth 1 every variant becomes a delta
        // against the original, the root of its predecessor's chain, instead of a new self-contained object.
        var storage = Open(options: new SqliteStorageOptions { Durability = Durability.Fast, InboxRows = 0, MaxDeltaDepth = 1 });
        var original = ObjectStoreContract.SimilarVersions(1)[0];
        storage.Objects.PutMany([original]);
        var previous = original.Id;
        var variants = new List<EncodedObject>();
        for (int i = 0; i < 5; i++)
        {
            byte[] bytes = original.Bytes.ToArray();
            bytes[100 + 500 * i] ^= 0x20;
            var variant = new EncodedObject(ObjectStoreContract.RandomId(), bytes, previous);
            storage.Objects.PutMany([variant]);
            variants.Add(variant);
            previous = variant.Id;
        }

        Assert.All(variants, v =>
        {
            var info = Info(storage, v.Id);
            Assert.Equal(StoredCodec.ZstdDelta, info.Codec);
            Assert.Equal(original.Id, info.DeltaBase);
            Assert.Equal(v.Bytes.ToArray(), storage.Objects.TryGet(v.Id));
        });
    }

    [Fact]
    public void Deltas_are_read_back_from_a_reopened_store_with_a_cold_base_cache()
    {
        string path = _temp.NewPath();
        var versions = ObjectStoreContract.SimilarVersions(10);
        using (var storage = SqliteRepositoryStorage.Open(path, new SqliteStorageOptions { Durability = Durability.Fast, InboxRows = 0 }))
        {
            foreach (var v in versions)
            {
                storage.Objects.PutMany([v]);
            }
        }

        var cold = Open(path, new SqliteStorageOptions { Durability = Durability.Fast, InboxRows = 0, DeltaBaseCacheBytes = 0 });
        Assert.All(versions.Reverse(), v => Assert.Equal(v.Bytes.ToArray(), cold.Objects.TryGet(v.Id)));
    }

    [Fact]
    public void Reading_history_in_order_decodes_each_link_once()
    {
        string path = _temp.NewPath();
        var versions = ObjectStoreContract.SimilarVersions(4);
        using (var writer = SqliteRepositoryStorage.Open(path, new SqliteStorageOptions { Durability = Durability.Fast, InboxRows = 0 }))
        {
            foreach (var v in versions)
            {
                writer.Objects.PutMany([v]);
            }
        }

        var reader = Open(path);
        Assert.Equal(versions[1].Bytes.ToArray(), reader.Objects.TryGet(versions[1].Id));
        Assert.Equal(versions[1].Id, Info(reader, versions[2].Id).DeltaBase);
        // With version 1 decoded once, version 2 needs neither version 1's row nor version 0's: remove both.
        Execute(reader, "DELETE FROM objects WHERE id IN ($a, $b)", ("$a", versions[0].Id.ToByteArray()), ("$b", versions[1].Id.ToByteArray()));

        Assert.Equal(versions[2].Bytes.ToArray(), reader.Objects.TryGet(versions[2].Id));
        Assert.Equal(versions[3].Bytes.ToArray(), reader.Objects.TryGet(versions[3].Id));
    }

    [Fact]
    public void Objects_written_with_a_ref_transaction_are_delta_encoded_too()
    {
        var storage = Open();
        var versions = ObjectStoreContract.SimilarVersions(2);
        storage.Objects.PutMany([versions[0]]);
        var main = RefName.Parse("refs/heads/main");
        var tx = new RefTransaction([new RefUpdate(main, null, RefTarget.To(versions[1].Id))], new OperationInfo("test", "delta in a ref transaction", DateTimeOffset.UtcNow))
        {
            Objects = [versions[1]],
        };
        Assert.IsType<RefTransactionResult.Committed>(storage.Refs.Commit(tx));

        var info = Info(storage, versions[1].Id);
        Assert.Equal(StoredCodec.ZstdDelta, info.Codec);
        Assert.Equal(versions[0].Id, info.DeltaBase);
        Assert.Equal(versions[1].Bytes.ToArray(), storage.Objects.TryGet(versions[1].Id));
    }

    [Fact]
    public void A_deleted_base_is_not_served_from_the_base_cache()
    {
        var storage = Open();
        var versions = ObjectStoreContract.SimilarVersions(2);
        storage.Objects.PutMany([versions[0]]);
        storage.Objects.PutMany([versions[1]]);
        storage.Objects.Delete([versions[0].Id]);
        Assert.Null(storage.Objects.TryGet(versions[0].Id));
        Assert.False(storage.Objects.Contains(versions[0].Id));
        Assert.Equal(versions[1].Bytes.ToArray(), storage.Objects.TryGet(versions[1].Id));
        Assert.Null(Info(storage, versions[1].Id).DeltaBase);
    }

    [Fact]
    public async Task Reading_a_delta_while_another_connection_deletes_and_restores_its_chain_gives_its_bytes_or_null_never_corruption()
    {
        string path = _temp.NewPath();
        var writer = Open(path);
        var versions = ObjectStoreContract.SimilarVersions(5);
        var reader = Open(path, new SqliteStorageOptions { Durability = Durability.Fast, InboxRows = 0, DeltaBaseCacheBytes = 0 });
        var ids = versions.Select(v => v.Id).ToArray();
        using var stop = new CancellationTokenSource();
        var churn = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                foreach (var v in versions)
                {
                    writer.Objects.PutMany([v]);
                }

                writer.Objects.DeleteUnused(ids, DateTimeOffset.UtcNow.AddDays(1));
            }
        });

        int found = 0;
        var deadline = DateTime.UtcNow.AddSeconds(2);
        while (DateTime.UtcNow < deadline || found == 0)
        {
            if (reader.Objects.TryGet(versions[^1].Id) is { } bytes)
            {
                Assert.Equal(versions[^1].Bytes.ToArray(), bytes);
                found++;
            }
        }

        await stop.CancelAsync();
        await churn;
        Assert.True(found > 0);
    }

    [Fact]
    public void Reclaiming_free_pages_after_deleting_objects_shrinks_the_database()
    {
        var storage = Open();
        var objects = Enumerable.Range(0, 200).Select(_ => ObjectStoreContract.RandomObject(20_000)).ToArray();
        storage.Objects.PutMany(objects);
        long PageCount()
        {
            using var connection = new SqliteConnection($"Data Source={storage.Path};Pooling=False;Mode=ReadOnly");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA page_count";
            return (long)command.ExecuteScalar()!;
        }

        long full = PageCount();
        storage.Objects.Delete(objects.Skip(10).Select(o => o.Id).ToArray());

        long released = storage.SqliteObjects.ReclaimFreePages();

        Assert.True(released > full / 2, $"released {released} of {full} pages");
        Assert.True(PageCount() < full / 2, $"{PageCount()} pages left of {full}");
        Assert.All(objects.Take(10), o => Assert.Equal(o.Bytes.ToArray(), storage.Objects.TryGet(o.Id)));
        Assert.Equal(0, storage.SqliteObjects.ReclaimFreePages());
    }

    [Fact]
    public void A_raw_row_whose_declared_length_disagrees_with_its_bytes_is_corruption_naming_the_object()
    {
        var storage = Open(options: new SqliteStorageOptions { Durability = Durability.Fast, InboxRows = 0, Compression = StorageCompression.None });
        var o = Text(1000, 5);
        storage.Objects.PutMany([o]);
        Execute(storage, "UPDATE objects SET raw_length = 999 WHERE id = $id", ("$id", o.Id.ToByteArray()));
        Assert.Contains("999", ReadFails(storage, o.Id).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(4999)]
    [InlineData(5001)]
    [InlineData(1L << 40)]
    [InlineData(-1)]
    public void A_compressed_row_whose_declared_length_disagrees_with_its_content_is_corruption(long declared)
    {
        var storage = Open();
        var o = Text(5000, 6);
        storage.Objects.PutMany([o]);
        Assert.Equal(StoredCodec.Zstd, Info(storage, o.Id).Codec);
        Execute(storage, "UPDATE objects SET raw_length = $n WHERE id = $id", ("$n", declared), ("$id", o.Id.ToByteArray()));
        ReadFails(storage, o.Id);
    }

    [Fact]
    public void An_unknown_codec_is_corruption_naming_the_object_and_the_codec()
    {
        var storage = Open();
        var o = Text(5000, 7);
        storage.Objects.PutMany([o]);
        Execute(storage, "UPDATE objects SET codec = 77 WHERE id = $id", ("$id", o.Id.ToByteArray()));
        Assert.Contains("codec 77", ReadFails(storage, o.Id).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_decompression_bomb_in_a_row_is_refused_without_allocating_past_the_declared_length()
    {
        var storage = Open();
        var o = Text(5000, 8);
        storage.Objects.PutMany([o]);
        byte[] bomb = Zstd.Compress(new byte[256 << 20], 1);
        Execute(storage, "UPDATE objects SET data = $data WHERE id = $id", ("$data", bomb), ("$id", o.Id.ToByteArray()));
        storage.Objects.TryGet(ObjectStoreContract.RandomId()); // warm the read path, so only the bomb's read is counted

        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = ReadFails(storage, o.Id);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("5000", error.Message, StringComparison.Ordinal);
        Assert.True(allocated < 1 << 20, $"reading the bomb allocated {allocated} bytes");
    }

    [Fact]
    public void A_missing_delta_base_is_corruption_naming_the_object_and_the_base()
    {
        var storage = Open();
        var versions = ObjectStoreContract.SimilarVersions(2);
        storage.Objects.PutMany([versions[0]]);
        storage.Objects.PutMany([versions[1]]);
        Execute(storage, "DELETE FROM objects WHERE id = $id", ("$id", versions[0].Id.ToByteArray()));
        var cold = Open(storage.Path);

        var error = ReadFails(cold, versions[1].Id);
        Assert.Contains(versions[0].Id.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains("missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_corrupt_delta_base_is_reported_on_each_dependent_and_its_dependents_can_be_listed()
    {
        var storage = Open();
        var versions = ObjectStoreContract.SimilarVersions(2);
        storage.Objects.PutMany([versions[0]]);
        storage.Objects.PutMany([versions[1]]);
        Execute(storage, "UPDATE objects SET data = substr(data, 1, 20) || X'5A' || substr(data, 22) WHERE id = $id", ("$id", versions[0].Id.ToByteArray()));
        var cold = Open(storage.Path);

        ReadFails(cold, versions[0].Id);
        var error = ReadFails(cold, versions[1].Id);
        Assert.Contains(versions[0].Id.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Equal([versions[1].Id], cold.Objects.FindDeltaDependents(versions[0].Id));
    }

    [Fact]
    public void A_delta_base_whose_bytes_changed_under_the_delta_fails_the_delta_checksum()
    {
        var storage = Open(options: new SqliteStorageOptions { Durability = Durability.Fast, InboxRows = 0, Compression = StorageCompression.None });
        var versions = ObjectStoreContract.SimilarVersions(2);
        storage.Objects.PutMany([versions[0]]);
        var zstd = Open(storage.Path);
        zstd.Objects.PutMany([versions[1]]);
        Assert.Equal(StoredCodec.ZstdDelta, Info(zstd, versions[1].Id).Codec);
        // The base is raw, so its bytes can be altered without breaking its own row.
        Execute(zstd, "UPDATE objects SET data = substr(data, 1, 200) || X'5A' || substr(data, 202) WHERE id = $id", ("$id", versions[0].Id.ToByteArray()));
        var cold = Open(storage.Path);

        var error = ReadFails(cold, versions[1].Id);
        Assert.Contains(versions[0].Id.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_delta_cycle_in_a_damaged_file_is_corruption_not_a_stack_overflow()
    {
        var storage = Open();
        var versions = ObjectStoreContract.SimilarVersions(2);
        storage.Objects.PutMany([versions[0]]);
        storage.Objects.PutMany([versions[1]]);
        Execute(storage, "UPDATE objects SET codec = 2, delta_base = $b WHERE id = $id", ("$b", versions[1].Id.ToByteArray()), ("$id", versions[0].Id.ToByteArray()));
        var cold = Open(storage.Path, new SqliteStorageOptions { Durability = Durability.Fast, InboxRows = 0, DeltaBaseCacheBytes = 0 });

        ReadFails(cold, versions[1].Id);
        ReadFails(cold, versions[0].Id);
    }

    [Fact]
    public void A_delta_row_without_a_base_is_corruption()
    {
        var storage = Open();
        var versions = ObjectStoreContract.SimilarVersions(2);
        storage.Objects.PutMany([versions[0]]);
        storage.Objects.PutMany([versions[1]]);
        Execute(storage, "UPDATE objects SET delta_base = NULL WHERE id = $id", ("$id", versions[1].Id.ToByteArray()));
        Assert.Contains("no delta base", ReadFails(Open(storage.Path), versions[1].Id).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(17)]
    public void An_out_of_range_delta_depth_is_rejected_when_opening(int depth)
    {
        var error = Assert.ThrowsAny<HeliosException>(() => SqliteRepositoryStorage.Open(_temp.NewPath(), new SqliteStorageOptions { MaxDeltaDepth = depth }));
        Assert.Equal(HeliosErrorCode.InvalidArgument, error.Code);
    }

    [Fact]
    public void An_invalid_zstd_level_is_rejected_when_opening()
    {
        var error = Assert.ThrowsAny<HeliosException>(() => SqliteRepositoryStorage.Open(_temp.NewPath(), new SqliteStorageOptions { ZstdLevel = 99 }));
        Assert.Equal(HeliosErrorCode.InvalidArgument, error.Code);
    }

    [Fact]
    public void Rewriting_with_hints_turns_plain_versions_into_deltas_and_never_deltas_a_base()
    {
        var storage = Open();
        var versions = ObjectStoreContract.SimilarVersions(6);
        // Stored without hints (as an import would): every version is plain zstd.
        storage.Objects.PutMany(versions.Select(v => v with { DeltaBase = null }).ToList());
        Assert.All(versions, v => Assert.Equal(StoredCodec.Zstd, Info(storage, v.Id).Codec));
        var storedAt = versions.ToDictionary(v => v.Id, v => Info(storage, v.Id).StoredAt);

        // Version 1 first becomes a delta against 0; then 0 is handed over hinting 1: as a base it stays whole.
        var rewriter = (IObjectRewriter)storage.Objects;
        var (before, after) = rewriter.Rewrite(versions.Skip(1).Append(versions[0] with { DeltaBase = versions[1].Id }).ToList());

        Assert.True(after < before / 3, $"rewrite kept {after} of {before} stored bytes");
        Assert.Equal(StoredCodec.Zstd, Info(storage, versions[0].Id).Codec);
        for (int i = 1; i < versions.Length; i++)
        {
            var info = Info(storage, versions[i].Id);
            Assert.Equal(StoredCodec.ZstdDelta, info.Codec);
            Assert.Equal(versions[i - 1].Id, info.DeltaBase);
            Assert.Equal(storedAt[versions[i].Id], info.StoredAt);
        }

        using var reopened = Open(storage.Path);
        Assert.All(versions, v => Assert.Equal(v.Bytes.ToArray(), reopened.Objects.TryGet(v.Id)));
    }
}
