using Helios.Core.Errors;
using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Repositories;
using Helios.Core.Storage;

namespace Helios.Core.Memory;

/// <summary>What the merge log's refs held when read: the newest record (null when empty), its sequence number, and the stored public key's blob.</summary>
public readonly record struct MergeLogHead(ObjectId? Id, long Sequence, ObjectId? PublicKeyBlob);

/// <summary>
/// The next record, ready for the caller's transaction: add <see cref="Objects"/> to
/// <see cref="RefTransaction.Objects"/> and <see cref="Updates"/> to its updates. The updates are
/// compare-and-swaps from the <see cref="MergeLogHead"/> the record was built on, so a transaction
/// that lost a race to another merge changes nothing; the caller reads the head again and retries.
/// </summary>
public sealed record MergeLogAppend(ObjectId Id, MergeLogRecord Record, IReadOnlyList<EncodedObject> Objects, IReadOnlyList<RefUpdate> Updates);

/// <summary>
/// The memory merge log of one repository: every memory merge appends a signed record chained by
/// BLAKE3 to the one before. The newest record's id is the ref <c>refs/memory/log</c>; the signer's
/// public key (SubjectPublicKeyInfo DER) is a blob under <c>refs/memory/key</c>, written with the
/// first record, so verification needs no private key. A record becomes part of the log exactly when
/// the transaction that moves the merged branch commits (<see cref="Prepare(MergeLogHead, MergeLogEntry)"/>).
/// Thread-safe: every method reads the refs afresh; appends race only through compare-and-swap.
/// </summary>
public sealed class MergeLog
{
    /// <summary>The namespace of the log's refs; <c>undo</c> leaves them alone, so an undone merge keeps its record.</summary>
    public const string RefPrefix = "refs/memory/";

    /// <summary>The ref naming the newest record.</summary>
    public static readonly RefName HeadRef = RefName.Parse(RefPrefix + "log");

    /// <summary>The ref naming the blob that holds the log's public key.</summary>
    public static readonly RefName KeyRef = RefName.Parse(RefPrefix + "key");

    private const int AppendAttempts = 16;

    private readonly Repository _repository;
    private readonly Lazy<IMergeLogSigner>? _signer;

    /// <summary>The log of <paramref name="repository"/>, signing with <paramref name="signer"/> or else <see cref="RepositoryOptions.MergeLogSigner"/>.</summary>
    public MergeLog(Repository repository, IMergeLogSigner? signer = null)
    {
        ArgumentNullException.ThrowIfNull(repository);
        _repository = repository;
        _signer = signer is not null ? new Lazy<IMergeLogSigner>(signer) : repository.Options.MergeLogSigner;
    }

    private IMergeLogSigner Signer => _signer?.Value
        ?? throw new HeliosException(HeliosErrorCode.InvalidState, "This repository handle has no merge-log signing key; open the repository with RepositoryOptions.MergeLogSigner set.");

    /// <summary>Reads both refs and the newest record's sequence number. Cost: two ref reads and one object read.</summary>
    public MergeLogHead ReadHead()
    {
        var key = ReadDirect(KeyRef);
        if (ReadDirect(HeadRef) is not { } head)
        {
            return new MergeLogHead(null, 0, key);
        }

        return new MergeLogHead(head, ReadRecord(head).Sequence, key);
    }

    /// <summary>
    /// Builds and signs the record after <paramref name="head"/> and returns it with what the caller's
    /// transaction must carry: the record object, the head's compare-and-swap, and, when the repository
    /// stores no public key yet, the key blob and its ref. Writes nothing. Refuses (invalid state) when
    /// the stored public key is not this handle's: one log, one key. Cost: one ECDSA signature.
    /// </summary>
    public MergeLogAppend Prepare(MergeLogHead head, MergeLogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var signer = Signer;
        var keyBlob = ObjectCodec.EncodeBlob(signer.PublicKey.SubjectPublicKeyInfo);
        var keyBlobId = ObjectId.Of(keyBlob);
        if (head.PublicKeyBlob is { } stored && stored != keyBlobId)
        {
            throw new HeliosException(HeliosErrorCode.InvalidState,
                $"The merge log is signed by the key in blob {stored.ToShortString()} ({KeyRef}), not by this handle's key {signer.PublicKey.KeyId.ToShortString()}; use the repository's key.");
        }

        var record = MergeLogRecord.Create(head.Sequence + 1, head.Id ?? default, _repository.Now(), entry, signer);
        var (id, bytes) = ObjectCodec.EncodeWithId(record);
        var objects = new List<EncodedObject> { new(id, bytes) };
        var updates = new List<RefUpdate> { new(HeadRef, head.Id is { } h ? RefTarget.To(h) : null, RefTarget.To(id)) };
        if (head.PublicKeyBlob is null)
        {
            objects.Add(new EncodedObject(keyBlobId, keyBlob));
            updates.Add(new RefUpdate(KeyRef, null, RefTarget.To(keyBlobId)));
        }

        return new MergeLogAppend(id, record, objects, updates);
    }

    /// <summary>Reads the head and prepares the record after it (see <see cref="Prepare(MergeLogHead, MergeLogEntry)"/>).</summary>
    public MergeLogAppend Prepare(MergeLogEntry entry) => Prepare(ReadHead(), entry);

    /// <summary>
    /// Appends a record in a transaction of its own, for merges recorded after the fact and for tools;
    /// a merge should use <see cref="Prepare(MergeLogEntry)"/> inside its own transaction instead. Retries
    /// a lost race (another append) a few times, then reports a conflict.
    /// </summary>
    public MergeLogAppend Append(MergeLogEntry entry)
    {
        for (int attempt = 0; attempt < AppendAttempts; attempt++)
        {
            var append = Prepare(entry);
            var description = $"merge log record {append.Record.Sequence}: {entry.ChildBranch} into {entry.ParentBranch}";
            var result = _repository.Refs.Commit(new RefTransaction(append.Updates, _repository.Info("memory-log", description, entry.Agent))
            {
                Objects = append.Objects,
            });
            if (result is RefTransactionResult.Committed)
            {
                return append;
            }
        }

        throw new HeliosException(HeliosErrorCode.Conflict, $"{HeadRef} kept moving while appending to the merge log; retry.");
    }

    /// <summary>
    /// Records newest first, each read through the verifying store (a damaged one throws corruption;
    /// <see cref="Verify"/> reports instead). Lazy: reads as many as are consumed.
    /// </summary>
    public IEnumerable<(ObjectId Id, MergeLogRecord Record)> Records()
    {
        for (var next = ReadDirect(HeadRef); next is { } id && id != default;)
        {
            var record = ReadRecord(id);
            yield return (id, record);
            next = record.Previous;
        }
    }

    /// <summary>The public key stored under <c>refs/memory/key</c>, or null before the first record.</summary>
    public MergeLogPublicKey? ReadStoredPublicKey()
    {
        if (ReadDirect(KeyRef) is not { } blobId)
        {
            return null;
        }

        var blob = _repository.Objects.Read<Blob>(blobId);
        try
        {
            return MergeLogPublicKey.FromSubjectPublicKeyInfo(blob.Content.Span);
        }
        catch (HeliosException e) when (e.Code == HeliosErrorCode.InvalidArgument)
        {
            throw new HeliosException(HeliosErrorCode.Corruption, $"{KeyRef} names blob {blobId}, which is not a P-256 public key.", e);
        }
    }

    /// <summary>The signing key's public half as PEM, for verifying exports elsewhere. Needs the signer.</summary>
    public string ExportPublicKeyPem() => Signer.PublicKey.ExportPem();

    /// <summary>
    /// Writes the whole log, oldest record first, as a standalone file with a trailer signed by this
    /// handle's key (<see cref="MergeLogFile"/>). Records are read through the verifying store; a damaged
    /// one throws corruption. Memory: 32 bytes per record besides the stream. Needs the signer.
    /// </summary>
    public void Export(Stream destination)
    {
        var signer = Signer;
        var ids = Records().Select(r => r.Id).ToList();
        ids.Reverse();
        var store = _repository.Objects.Store;
        MergeLogFile.Write(destination,
            ids.Select(id => (ReadOnlyMemory<byte>)(store.TryGet(id) ?? throw new NotFoundException(id.ToString(), $"Merge-log record {id} is not stored."))),
            ids.Count > 0 ? ids[^1] : default,
            signer);
    }

    /// <summary>
    /// Verifies the log in the repository (<see cref="MergeLogVerifier.VerifyRepository"/>) against
    /// <paramref name="trustedKey"/>, or, when null, the key the repository stores (which proves the
    /// records untouched since signing, but not who signed them: pass a key obtained elsewhere for that).
    /// </summary>
    public MergeLogVerification Verify(MergeLogPublicKey? trustedKey = null)
    {
        if (trustedKey is not null)
        {
            return MergeLogVerifier.VerifyRepository(_repository, trustedKey);
        }

        MergeLogPublicKey? stored;
        try
        {
            stored = ReadStoredPublicKey();
        }
        catch (HeliosException e) when (e.Code is HeliosErrorCode.Corruption or HeliosErrorCode.NotFound or HeliosErrorCode.InvalidArgument)
        {
            return MergeLogVerification.Failed(null, MergeLogDefect.MissingKey, 0, $"The stored public key cannot be read: {e.Message}");
        }

        if (stored is null)
        {
            return ReadDirect(HeadRef) is null
                ? MergeLogVerification.Succeeded(0)
                : MergeLogVerification.Failed(null, MergeLogDefect.MissingKey, 0, $"The log has records but {KeyRef} names no public key; verify with the key exported from the repository's key file.");
        }

        using (stored)
        {
            return MergeLogVerifier.VerifyRepository(_repository, stored);
        }
    }

    private MergeLogRecord ReadRecord(ObjectId id) =>
        _repository.Objects.TryRead(id) switch
        {
            MergeLogRecord record => record,
            null => throw new NotFoundException(id.ToString(), $"Merge-log record {id} is not in the repository."),
            var other => throw new CorruptObjectException(id, $"it is a {other.Type.ToString().ToLowerInvariant()}, where the merge log needs a record."),
        };

    private ObjectId? ReadDirect(RefName name) => _repository.Refs.Read(name) switch
    {
        null => null,
        { Id: { } id } => id,
        _ => throw new HeliosException(HeliosErrorCode.Corruption, $"{name} is a symbolic ref; it must name an object."),
    };
}
