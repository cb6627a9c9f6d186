using Helios.Core.Errors;
using Helios.Core.Integrity;
using Helios.Core.Memory;
using Helios.Core.Merging;
using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Repositories;
using Helios.Core.Storage;
using Helios.Core.Storage.InMemory;
using static Helios.Core.Tests.Memory.MergeLogTestData;

namespace Helios.Core.Tests.Memory;

/// <summary>The log inside a repository: appended in the merge's own ref transaction, read, exported and verified.</summary>
public sealed class MergeLogTests : IDisposable
{
    private static readonly BranchName Main = Repository.DefaultBranch;

    private readonly MemorySigningKey _key = MemorySigningKey.Generate();
    private readonly MemorySigningKey _otherKey = MemorySigningKey.Generate();
    private readonly InMemoryRepositoryStorage _storage = new();
    private readonly Repository _repo;
    private readonly MergeLog _log;

    public MergeLogTests()
    {
        _repo = Repository.Init(_storage, new RepositoryOptions { MergeLogSigner = new Lazy<IMergeLogSigner>(_key) });
        var ws = _repo.OpenWorkspace(Main);
        ws.Write("README", "base");
        _repo.Commit(ws, "base").EnsureCommitted();
        _log = new MergeLog(_repo);
    }

    public void Dispose()
    {
        _repo.Dispose();
        _key.Dispose();
        _otherKey.Dispose();
    }

    /// <summary>An agent's branch with one commit, and the entry for fast-forwarding main to it.</summary>
    private (RefUpdate MoveMain, MergeLogEntry Entry) AgentWork(int i)
    {
        var child = BranchName.Parse($"agent-{i}");
        var mainHead = _repo.TryGetBranch(Main)!.Value;
        _repo.CreateBranch(child, mainHead);
        var ws = _repo.OpenWorkspace(child);
        ws.Write($"memory-{i}", $"pattern {i}");
        var childHead = _repo.Commit(ws, $"learn {i}").EnsureCommitted();
        var entry = new MergeLogEntry($"agent-{i}", ["patterns"], Main, child, mainHead, childHead, childHead, childHead,
            MergeStrategy.ChildWins, [new("patterns", $"k{i}", MergeLogResolution.Child)], IdOf($"report {i}"));
        return (new RefUpdate(Main.Ref, RefTarget.To(mainHead), RefTarget.To(childHead)), entry);
    }

    /// <summary>One merge as an integrator commits it: the branch move and the log record in one transaction.</summary>
    private RefTransactionResult CommitMerge(RefUpdate moveMain, MergeLogAppend append) =>
        _repo.Refs.Commit(new RefTransaction([moveMain, .. append.Updates], new OperationInfo("merge", "memory merge", DateTimeOffset.UnixEpoch))
        {
            Objects = append.Objects,
        });

    private List<ObjectId> Merges(int count)
    {
        var ids = new List<ObjectId>();
        for (int i = 0; i < count; i++)
        {
            var (moveMain, entry) = AgentWork(i);
            var append = _log.Prepare(entry);
            Assert.IsType<RefTransactionResult.Committed>(CommitMerge(moveMain, append));
            ids.Add(append.Id);
        }

        return ids;
    }

    [Fact]
    public void Merges_committed_with_their_records_verify_and_read_back_newest_first()
    {
        var ids = Merges(4);

        var result = _log.Verify(_key.PublicKey);
        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(4, result.RecordCount);
        Assert.True(_log.Verify().IsValid);
        var records = _log.Records().ToList();
        Assert.Equal([4L, 3, 2, 1], records.Select(r => r.Record.Sequence));
        Assert.Equal(Enumerable.Reverse(ids), records.Select(r => r.Id));
        Assert.Equal(records[0].Record.Entry.ParentAfter, _repo.TryGetBranch(Main));
        Assert.Equal("agent-3", records[0].Record.Entry.Agent);
        Assert.Equal(_key.PublicKey.KeyId, _log.ReadStoredPublicKey()!.KeyId);
        Assert.Equal(new MergeLogHead(ids[^1], 4, _repo.Refs.Read(MergeLog.KeyRef)!.Value.Id), _log.ReadHead());
    }

    [Fact]
    public void A_repository_holding_a_merge_log_passes_fsck()
    {
        Merges(3);

        var report = Fsck.Check(_repo);
        Assert.Empty(report.Problems);
    }

    [Fact]
    public void Fsck_walks_the_chain_of_records_and_reports_one_that_is_missing()
    {
        var ids = Merges(3);
        _storage.Objects.Delete([ids[0]]);

        var problem = Assert.Single(Fsck.Check(_repo).Problems);
        Assert.Equal(FsckProblemKind.MissingObject, problem.Kind);
        Assert.Equal(ids[0], problem.Id);
    }

    [Fact]
    public void A_merge_that_lost_the_race_for_the_log_head_changes_nothing_and_succeeds_when_retried()
    {
        var (firstMove, firstEntry) = AgentWork(1);
        var (secondMove, secondEntry) = AgentWork(2);
        var head = _log.ReadHead();
        var first = _log.Prepare(head, firstEntry);
        var stale = _log.Prepare(head, secondEntry);
        Assert.IsType<RefTransactionResult.Committed>(CommitMerge(firstMove, first));
        var mainAfterFirst = _repo.TryGetBranch(Main);

        // The second merge moves main from the value it read before the first merge, so both refs lost; retry from fresh reads.
        var conflict = Assert.IsType<RefTransactionResult.Conflict>(CommitMerge(secondMove, stale));
        Assert.Equal(Main.Ref, conflict.Name);
        Assert.Equal(mainAfterFirst, _repo.TryGetBranch(Main));
        Assert.False(_storage.Objects.Contains(stale.Id));

        var retried = _log.Prepare(secondEntry);
        var onlyLogConflict = Assert.IsType<RefTransactionResult.Conflict>(CommitMerge(new RefUpdate(Main.Ref, RefTarget.To(mainAfterFirst!.Value), RefTarget.To(mainAfterFirst.Value)), stale));
        Assert.Equal(MergeLog.HeadRef, onlyLogConflict.Name);
        Assert.IsType<RefTransactionResult.Committed>(CommitMerge(new RefUpdate(Main.Ref, RefTarget.To(mainAfterFirst.Value), secondMove.New), retried));

        Assert.Equal(2, retried.Record.Sequence);
        Assert.Equal(first.Id, retried.Record.Previous);
        Assert.True(_log.Verify(_key.PublicKey).IsValid);
    }

    [Fact]
    public void Append_in_a_transaction_of_its_own_chains_to_the_newest_record()
    {
        Merges(1);
        var appended = _log.Append(AgentWork(5).Entry);

        Assert.Equal(2, appended.Record.Sequence);
        Assert.Equal(appended.Id, _repo.Refs.Read(MergeLog.HeadRef)!.Value.Id);
        Assert.Equal(2, _log.Verify().RecordCount);
        Assert.Equal("memory-log", _repo.Operations(1)[0].Info.Kind);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(4)]
    public void A_stored_record_whose_bytes_were_altered_is_named_by_its_sequence_number(int damaged)
    {
        var ids = Merges(5);
        var bytes = _storage.Objects.TryGet(ids[damaged])!;
        bytes[bytes.Length / 2] ^= 0x20;
        _storage.Objects.Delete([ids[damaged]]);
        _storage.Objects.PutMany([new EncodedObject(ids[damaged], bytes)]);

        var result = _log.Verify(_key.PublicKey);
        Assert.False(result.IsValid);
        Assert.Equal(damaged + 1, result.FirstBadSequence);
        Assert.Equal(MergeLogDefect.HashMismatch, result.Defect);
        Assert.Equal(4, result.RecordCount);
    }

    [Fact]
    public void A_stored_record_replaced_by_another_validly_signed_record_is_named()
    {
        var ids = Merges(3);
        var impostor = ObjectCodec.Encode(MergeLogRecord.Create(2, ids[0], Start, Entry(42), _key));
        _storage.Objects.Delete([ids[1]]);
        _storage.Objects.PutMany([new EncodedObject(ids[1], impostor)]);

        var result = _log.Verify(_key.PublicKey);
        Assert.Equal((false, 2L, MergeLogDefect.HashMismatch), (result.IsValid, result.FirstBadSequence!.Value, result.Defect!.Value));
    }

    [Fact]
    public void A_head_ref_naming_a_commit_instead_of_a_record_fails_verification_without_throwing()
    {
        Merges(1);
        var commit = _repo.TryGetBranch(Main)!.Value;
        _repo.Refs.Commit(new RefTransaction([new RefUpdate(MergeLog.HeadRef, _repo.Refs.Read(MergeLog.HeadRef), RefTarget.To(commit))],
            new OperationInfo("tamper", "point the log at a commit", DateTimeOffset.UnixEpoch)));

        var result = _log.Verify(_key.PublicKey);
        Assert.Equal((false, (long?)null, MergeLogDefect.Undecodable), (result.IsValid, result.FirstBadSequence, result.Defect!.Value));
    }

    [Fact]
    public void A_record_missing_from_storage_is_named_by_its_sequence_number()
    {
        var ids = Merges(3);
        _storage.Objects.Delete([ids[1]]);

        var result = _log.Verify(_key.PublicKey);
        Assert.Equal((false, 2L, MergeLogDefect.Missing), (result.IsValid, result.FirstBadSequence!.Value, result.Defect!.Value));
    }

    [Fact]
    public void A_log_signed_by_another_key_fails_against_the_trusted_key_from_its_first_record()
    {
        var log = new MergeLog(_repo, _otherKey);
        for (int i = 0; i < 3; i++)
        {
            log.Append(AgentWork(i).Entry);
        }

        var result = _log.Verify(_key.PublicKey);
        Assert.Equal((false, 1L, MergeLogDefect.WrongSigner), (result.IsValid, result.FirstBadSequence!.Value, result.Defect!.Value));
        Assert.True(log.Verify().IsValid); // Self-consistent under its own stored key, which is why a trusted key matters.
    }

    [Fact]
    public void A_handle_with_another_key_cannot_append_to_a_log_started_with_the_repository_key()
    {
        Merges(1);
        var e = Assert.Throws<HeliosException>(() => new MergeLog(_repo, _otherKey).Prepare(AgentWork(9).Entry));
        Assert.Equal(HeliosErrorCode.InvalidState, e.Code);
    }

    [Fact]
    public void Without_a_signing_key_the_log_reads_and_verifies_but_cannot_be_appended_to()
    {
        using var repo = Repository.CreateInMemory();
        var log = new MergeLog(repo);

        Assert.True(log.Verify().IsValid);
        Assert.Empty(log.Records());
        Assert.Null(log.ReadStoredPublicKey());
        var e = Assert.Throws<HeliosException>(() => log.Prepare(Entry(0)));
        Assert.Equal(HeliosErrorCode.InvalidState, e.Code);
    }

    [Fact]
    public void The_export_verifies_offline_with_only_the_exported_public_key_and_names_a_damaged_record()
    {
        Merges(4);
        using var stream = new MemoryStream();
        _log.Export(stream);
        using var publicKey = MergeLogPublicKey.FromPem(_log.ExportPublicKeyPem());
        var file = stream.ToArray();

        var result = MergeLogVerifier.VerifyFile(file, publicKey);
        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(4, result.RecordCount);

        file[MergeLogFile.HeaderLength + 10] ^= 1;
        Assert.Equal(1, MergeLogVerifier.VerifyFile(file, publicKey).FirstBadSequence);
    }

    [Fact]
    public void An_empty_log_exports_a_file_that_verifies_with_no_records()
    {
        using var stream = new MemoryStream();
        _log.Export(stream);

        var result = MergeLogVerifier.VerifyFile(stream.ToArray(), _key.PublicKey);
        Assert.Equal((true, 0L), (result.IsValid, result.RecordCount));
        Assert.True(_log.Verify(_key.PublicKey).IsValid);
    }
}
