using Helios.Core.Integrity;
using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Repositories;
using Helios.Core.Storage;
using Microsoft.Data.Sqlite;

namespace Helios.Storage.Sqlite.Tests;

/// <summary>Fsck against damage done to the database file itself, beneath every Helios layer.</summary>
public sealed class SqliteFsckTests : IDisposable
{
    private readonly TempDatabase _temp = new();
    private readonly SqliteRepositoryStorage _storage;
    private readonly Repository _repo;
    private readonly ObjectId _large;

    public SqliteFsckTests()
    {
        _storage = _temp.Open(_temp.NewPath());
        _repo = Repository.Init(_storage);                                   // operation 1
        var ws = _repo.OpenHead();
        ws.Write("keep.txt", "safe");
        var first = _repo.Commit(ws, "first").EnsureCommitted();             // 2
        ws.Write("large.txt", new string('v', 5000));
        _repo.Commit(ws, "large").EnsureCommitted();                         // 3
        _repo.CreateBranch(BranchName.Parse("side"), first);                 // 4
        ws.Write("keep.txt", "changed");
        _repo.Commit(ws, "third").EnsureCommitted();                         // 5
        _large = ObjectId.Of(ObjectCodec.EncodeBlob(System.Text.Encoding.UTF8.GetBytes(new string('v', 5000))));
        // The damage below is done to rows of the objects table, where pending inbox objects go when folded.
        _storage.SqliteObjects.FoldInbox();
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_repository_on_disk_is_clean_and_counted()
    {
        var report = Fsck.Check(_repo);
        Assert.True(report.IsClean);
        Assert.Equal(_storage.SqliteObjects.Count(), report.ObjectsChecked);
        Assert.Equal(3, report.Commits);
        Assert.Equal(3, report.Refs);
        Assert.Equal(5, report.Operations);
    }

    [Fact]
    public void A_flipped_byte_in_a_blob_on_disk_is_reported_with_its_id_even_after_it_was_cached()
    {
        // Read it first: the caches now hold the sound bytes, which fsck must not trust.
        Assert.Equal(5000, _repo.OpenHead().Read("large.txt").Length);
        Execute("UPDATE objects SET data = substr(data, 1, 100) || X'00' || substr(data, 102) WHERE id = $id", _large.ToByteArray());

        var problem = Assert.Single(Fsck.Check(_repo).Problems);
        // The blob is stored zstd-compressed, so the flip breaks its frame before any hash is taken.
        Assert.Equal(FsckProblemKind.UnreadableObject, problem.Kind);
        Assert.Equal(_large, problem.Id);
        Assert.Contains(_large.ToString(), problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_flipped_byte_in_a_raw_stored_blob_is_a_hash_mismatch()
    {
        using var temp = new TempDatabase();
        using var storage = temp.Open(temp.NewPath(), new SqliteStorageOptions { Durability = Durability.Fast, Compression = StorageCompression.None });
        var repo = Repository.Init(storage);
        var ws = repo.OpenHead();
        ws.Write("large.txt", new string('v', 5000));
        repo.Commit(ws, "large").EnsureCommitted();
        storage.SqliteObjects.FoldInbox();
        using (var connection = new SqliteConnection($"Data Source={storage.Path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE objects SET data = substr(data, 1, 100) || X'00' || substr(data, 102) WHERE id = $id";
            command.Parameters.AddWithValue("$id", _large.ToByteArray());
            Assert.Equal(1, command.ExecuteNonQuery());
        }

        var problem = Assert.Single(Fsck.Check(repo).Problems);
        Assert.Equal(FsckProblemKind.HashMismatch, problem.Kind);
        Assert.Equal(_large, problem.Id);
    }

    [Fact]
    public void A_flipped_byte_in_a_pending_inbox_object_is_a_hash_mismatch()
    {
        using var temp = new TempDatabase();
        using var storage = temp.Open(temp.NewPath(), new SqliteStorageOptions { Durability = Durability.Fast, InboxIdleFoldDelay = null });
        var repo = Repository.Init(storage);
        var blob = ObjectCodec.EncodeBlob(System.Text.Encoding.UTF8.GetBytes(new string('p', 3000)));
        var id = ObjectId.Of(blob);
        storage.Objects.PutMany([new EncodedObject(id, blob)]);
        using (var connection = new SqliteConnection($"Data Source={storage.Path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE inbox SET data = substr(data, 1, 100) || X'00' || substr(data, 102)";
            Assert.Equal(1, command.ExecuteNonQuery());
        }

        var problem = Assert.Single(Fsck.Check(repo).Problems);
        Assert.Equal(FsckProblemKind.HashMismatch, problem.Kind);
        Assert.Equal(id, problem.Id);
    }

    [Fact]
    public void A_blob_deleted_through_the_store_is_reported_missing_with_its_id()
    {
        _storage.Objects.Delete([_large]);

        var problem = Assert.Single(Fsck.Check(_repo).Problems);
        Assert.Equal(FsckProblemKind.MissingObject, problem.Kind);
        Assert.Equal(_large, problem.Id);
    }

    [Fact]
    public void A_rewritten_operation_record_breaks_the_chain_at_the_next_sequence_number()
    {
        Forge(2);

        var problem = Assert.Single(Fsck.Check(_repo).Problems);
        Assert.Equal(FsckProblemKind.BrokenOperationChain, problem.Kind);
        Assert.Equal(3, problem.Operation);
    }

    [Fact]
    public void A_garbled_operation_record_is_reported_with_its_sequence_number_and_the_log_around_it_is_still_checked()
    {
        Execute("UPDATE oplog SET data = X'01' WHERE seq = 2");
        Forge(4);

        var report = Fsck.Check(_repo);
        Assert.Equal(
            [(FsckProblemKind.CorruptOperation, 2L), (FsckProblemKind.BrokenOperationChain, 5L)],
            report.Problems.Select(p => (p.Kind, p.Operation!.Value)));
        Assert.Equal(5, report.Operations);
    }

    /// <summary>Replaces a record with one that still decodes but says something else, as a history rewrite would.</summary>
    private void Forge(long sequence)
    {
        var record = _storage.Refs.ReadOperations(before: sequence + 1, limit: 1).Single();
        var forged = OperationRecord.Create(sequence, record.Previous, record.Info with { Description = "forged" }, record.Changes);
        Execute($"UPDATE oplog SET data = $value WHERE seq = {sequence}", forged.Encoded);
    }

    private void Execute(string sql, byte[]? value = null)
    {
        using var connection = new SqliteConnection($"Data Source={_storage.Path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (value is not null)
        {
            command.Parameters.AddWithValue(sql.Contains("$id", StringComparison.Ordinal) ? "$id" : "$value", value);
        }

        Assert.Equal(1, command.ExecuteNonQuery());
    }
}
