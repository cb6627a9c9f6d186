using Helios.Core.Errors;
using Helios.Core.Hashing;
using Helios.Core.Merging;
using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Serialization;

namespace Helios.Core.Memory;

/// <summary>
/// One entry of the memory merge log, stored as an object of type 9: a sequence number (1-based),
/// the id of the record before it (all zeros for the first), the time, the merge's
/// <see cref="MergeLogEntry"/>, the signer's key id, and an ECDSA P-256 signature over the BLAKE3
/// of every byte of the canonical encoding before the signature. Its id, like every object's, is
/// the BLAKE3 of the whole encoding, so the <see cref="Previous"/> links make a hash chain.
/// The encoding is in docs/object-format.md. Immutable.
/// </summary>
public sealed class MergeLogRecord : HeliosObject
{
    private readonly byte[] _signature;

    internal MergeLogRecord(long sequence, ObjectId previous, DateTimeOffset time, MergeLogEntry entry, ObjectId signerKeyId, byte[] signature)
    {
        if (Validate(sequence, previous) is { } problem)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, problem + ".");
        }

        if (signature.Length != MergeLogPublicKey.SignatureLength)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, $"A merge-log signature is {MergeLogPublicKey.SignatureLength} bytes, not {signature.Length}.");
        }

        Sequence = sequence;
        Previous = previous;
        // Kept to the microsecond, as encoded, so a record equals its decoded form.
        Time = DateTimeOffset.UnixEpoch.AddTicks(ObjectCodec.ToUnixMicroseconds(time) * 10);
        Entry = entry;
        SignerKeyId = signerKeyId;
        _signature = signature;
    }

    /// <summary>
    /// Builds and signs record <paramref name="sequence"/> after <paramref name="previous"/> (all zeros
    /// when <paramref name="sequence"/> is 1). Cost: two encodings, one BLAKE3 and one ECDSA signature.
    /// </summary>
    public static MergeLogRecord Create(long sequence, ObjectId previous, DateTimeOffset time, MergeLogEntry entry, IMergeLogSigner signer)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(signer);
        var unsigned = new MergeLogRecord(sequence, previous, time, entry, signer.PublicKey.KeyId, new byte[MergeLogPublicKey.SignatureLength]);
        Span<byte> hash = stackalloc byte[Blake3.OutputLength];
        SignedHash(ObjectCodec.Encode(unsigned), hash);
        var signature = signer.SignHash(hash);
        return new MergeLogRecord(sequence, previous, unsigned.Time, entry, signer.PublicKey.KeyId, signature);
    }

    public override ObjectType Type => ObjectType.MergeLogRecord;

    /// <summary>Position in the log, from 1.</summary>
    public long Sequence { get; }

    /// <summary>The id of record <see cref="Sequence"/> − 1; all zeros for the first record.</summary>
    public ObjectId Previous { get; }

    /// <summary>When the record was made, in UTC, to the microsecond.</summary>
    public DateTimeOffset Time { get; }

    /// <summary>What was merged, how, and how each conflict was settled.</summary>
    public MergeLogEntry Entry { get; }

    /// <summary>BLAKE3 of the signer's SubjectPublicKeyInfo DER (<see cref="MergeLogPublicKey.KeyId"/>).</summary>
    public ObjectId SignerKeyId { get; }

    /// <summary>The ECDSA P-256 signature, IEEE P1363 (r ‖ s, 64 bytes, low s).</summary>
    public ReadOnlySpan<byte> Signature => _signature;

    internal override int ApproximateSize =>
        320 + 2 * Entry.Agent.Length + Entry.Collections.Sum(c => 24 + 2 * c.Length) + Entry.Conflicts.Sum(c => 96 + 2 * (c.Key.Length + c.Collection.Length));

    /// <summary>
    /// Writes the hash a record's signature signs: BLAKE3 of <paramref name="encoding"/> (a record's
    /// whole canonical encoding, frame included) without its last 64 bytes, the signature.
    /// </summary>
    public static void SignedHash(ReadOnlySpan<byte> encoding, Span<byte> hash)
    {
        if (encoding.Length < MergeLogPublicKey.SignatureLength)
        {
            throw new ArgumentException("The encoding is shorter than a signature.", nameof(encoding));
        }

        Blake3.Hash(encoding[..^MergeLogPublicKey.SignatureLength], hash);
    }

    private static string? Validate(long sequence, ObjectId previous) =>
        sequence < 1 ? $"Merge-log sequence numbers start at 1, not {sequence}"
            : sequence == 1 && previous != default ? "The first merge-log record has no previous record, so its link must be all zeros"
            : sequence > 1 && previous == default ? $"Merge-log record {sequence} must link to record {sequence - 1}, not to all zeros"
            : null;

    internal static void Write(CanonicalWriter w, MergeLogRecord record)
    {
        var e = record.Entry;
        w.WriteVarUInt((ulong)record.Sequence);
        w.WriteId(record.Previous);
        w.WriteInt64BigEndian(ObjectCodec.ToUnixMicroseconds(record.Time));
        w.WriteString(e.Agent);
        w.WriteVarUInt((ulong)e.Collections.Count);
        foreach (var c in e.Collections)
        {
            w.WriteString(c);
        }

        w.WriteString(e.ParentBranch.Value);
        w.WriteString(e.ChildBranch.Value);
        WriteOptionalId(w, e.ParentBefore);
        WriteOptionalId(w, e.ParentAfter);
        WriteOptionalId(w, e.ChildBefore);
        WriteOptionalId(w, e.ChildAfter);
        w.WriteString(e.Strategy.Name());
        w.WriteVarUInt((ulong)e.Conflicts.Count);
        int collection = 0;
        foreach (var c in e.Conflicts)
        {
            // Conflicts are sorted by collection, so the index only moves forward.
            while (e.Collections[collection] != c.Collection)
            {
                collection++;
            }

            w.WriteVarUInt((ulong)collection);
            w.WriteString(c.Key);
            w.WriteByte((byte)c.Resolution);
            if (c.ManualValueHash is { } hash)
            {
                w.WriteId(hash);
            }
        }

        w.WriteId(e.ReportHash);
        w.WriteId(record.SignerKeyId);
        w.WriteRaw(record.Signature);
    }

    /// <summary>Decodes a payload strictly; every defect is a <see cref="FormatException"/> (the codec names the object).</summary>
    internal static MergeLogRecord Read(ref CanonicalReader r)
    {
        ulong sequence = r.ReadVarUInt();
        var previous = r.ReadId();
        if (sequence > long.MaxValue)
        {
            throw new FormatException($"sequence {sequence} is out of range");
        }

        if (Validate((long)sequence, previous) is { } problem)
        {
            throw new FormatException(problem);
        }

        long micros = r.ReadInt64BigEndian();
        var time = DateTimeOffset.UnixEpoch.AddTicks(checked(micros * 10));
        string agent = ReadText(ref r, "agent", allowEmpty: true);

        ulong collectionCount = r.ReadVarUInt();
        // Each name takes at least two bytes, which bounds the count before allocating.
        if (collectionCount > (ulong)r.Remaining / 2)
        {
            throw new FormatException($"collection count {collectionCount} does not fit the payload");
        }

        var collections = new string[collectionCount];
        for (int i = 0; i < collections.Length; i++)
        {
            collections[i] = ReadText(ref r, "collection name", allowEmpty: false);
            if (i > 0 && Utf8NameComparer.Instance.Compare(collections[i - 1], collections[i]) >= 0)
            {
                throw new FormatException($"collection '{EntryName.Escape(collections[i])}' is out of order or repeated");
            }
        }

        var parentBranch = ReadBranch(ref r);
        var childBranch = ReadBranch(ref r);
        var parentBefore = ReadOptionalId(ref r);
        var parentAfter = ReadOptionalId(ref r);
        var childBefore = ReadOptionalId(ref r);
        var childAfter = ReadOptionalId(ref r);
        string strategyName = r.ReadString();
        if (!TryParseStrategy(strategyName, out var strategy))
        {
            throw new FormatException($"'{EntryName.Escape(strategyName)}' is not a canonical merge strategy name");
        }

        ulong conflictCount = r.ReadVarUInt();
        // Each conflict takes at least four bytes (index, key length, one key byte, resolution).
        if (conflictCount > (ulong)r.Remaining / 4)
        {
            throw new FormatException($"conflict count {conflictCount} does not fit the payload");
        }

        var conflicts = new MergeLogConflict[conflictCount];
        for (int i = 0; i < conflicts.Length; i++)
        {
            ulong index = r.ReadVarUInt();
            if (index >= collectionCount)
            {
                throw new FormatException($"conflict {i} names collection {index} of {collectionCount}");
            }

            string key = ReadText(ref r, "key", allowEmpty: false);
            var resolution = (MergeLogResolution)r.ReadByte();
            if (!Enum.IsDefined(resolution))
            {
                throw new FormatException($"conflict {i} has unknown resolution {(byte)resolution}");
            }

            ObjectId? valueHash = resolution == MergeLogResolution.Manual ? r.ReadId() : null;
            conflicts[i] = new MergeLogConflict(collections[index], key, resolution, valueHash);
            if (i > 0 && MergeLogConflict.Compare(conflicts[i - 1], conflicts[i]) >= 0)
            {
                throw new FormatException($"conflict on key '{EntryName.Escape(key)}' is out of order or repeated");
            }
        }

        var report = r.ReadId();
        var signer = r.ReadId();
        var signature = r.ReadRaw(MergeLogPublicKey.SignatureLength).ToArray();
        r.ExpectEnd();
        var entry = new MergeLogEntry(agent, collections, parentBranch, childBranch, parentBefore, parentAfter, childBefore, childAfter, strategy, conflicts, report);
        return new MergeLogRecord((long)sequence, previous, time, entry, signer, signature);
    }

    private static bool TryParseStrategy(string name, out MergeStrategy strategy)
    {
        foreach (var candidate in Enum.GetValues<MergeStrategy>())
        {
            if (candidate.Name() == name)
            {
                strategy = candidate;
                return true;
            }
        }

        strategy = default;
        return false;
    }

    private static string ReadText(ref CanonicalReader r, string what, bool allowEmpty)
    {
        string value = r.ReadString();
        return MergeLogText.Validate(value, allowEmpty) is { } problem
            ? throw new FormatException($"the {what} '{EntryName.Escape(value)}' is not valid: {problem}")
            : value;
    }

    private static BranchName ReadBranch(ref CanonicalReader r)
    {
        string name = r.ReadString();
        return BranchName.TryParse(name) ?? throw new FormatException($"'{EntryName.Escape(name)}' is not a valid branch name");
    }

    private static void WriteOptionalId(CanonicalWriter w, ObjectId? id)
    {
        if (id is { } value)
        {
            w.WriteByte(1);
            w.WriteId(value);
        }
        else
        {
            w.WriteByte(0);
        }
    }

    private static ObjectId? ReadOptionalId(ref CanonicalReader r) => r.ReadByte() switch
    {
        0 => null,
        1 => r.ReadId(),
        var flag => throw new FormatException($"presence flag {flag} is neither 0 nor 1"),
    };
}
