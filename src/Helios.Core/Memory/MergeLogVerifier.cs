using Helios.Core.Errors;
using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Repositories;
using Helios.Core.Serialization;

namespace Helios.Core.Memory;

/// <summary>
/// Checks a merge log with only a public key: in a repository (walking from <c>refs/memory/log</c>
/// back to record 1) or in an exported file (<see cref="MergeLogFile"/>). Checked for every record:
/// its bytes hash to its id (in a file the next record's link or the trailer's head pins it), it
/// decodes strictly, its sequence number is its position, it links to the record before, it names
/// the verifying key, and its signature verifies; for a file also the header and the signed trailer.
/// The result names the first bad record by sequence number. Tampered input never throws and never
/// makes the verifier allocate more than its size (counts are bounded by the bytes present; a walk
/// remembers one id per stored record it visits). An empty log verifies. Thread-safe.
/// Cost: one BLAKE3 and one ECDSA verification per record.
/// </summary>
public static class MergeLogVerifier
{
    /// <summary>Verifies an exported log held in memory.</summary>
    public static MergeLogVerification VerifyFile(ReadOnlyMemory<byte> file, MergeLogPublicKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var span = file.Span;
        if (span.Length < MergeLogFile.HeaderLength || !span[..MergeLogFile.Magic.Length].SequenceEqual(MergeLogFile.Magic)
            || span[MergeLogFile.Magic.Length] != MergeLogFile.Version)
        {
            return MergeLogVerification.Failed(null, MergeLogDefect.BadHeader, 0, "The file does not start with the merge-log export header (HELIOS-MERGE-LOG, version 1).");
        }

        int position = MergeLogFile.HeaderLength;
        ObjectId previous = default;
        long count = 0;
        while (true)
        {
            long expected = count + 1;
            if (position == span.Length)
            {
                return MergeLogVerification.Failed(expected, MergeLogDefect.Truncated, count,
                    $"The file ends after record {count} without the signed trailer: later records or the trailer were cut off.");
            }

            var rest = file[position..];
            if (rest.Span[0] == (byte)ObjectType.MergeLogRecord)
            {
                var (length, frameProblem) = FrameLength(rest.Span);
                if (frameProblem is { } defect)
                {
                    return MergeLogVerification.Failed(expected, defect, count, defect == MergeLogDefect.Truncated
                        ? $"Record {expected} is cut off: its length runs past the end of the file (offset {position})."
                        : $"Record {expected} has a malformed length (offset {position}).");
                }

                var bytes = rest[..length];
                var id = ObjectId.Of(bytes.Span);
                if (CheckRecord(id, bytes, expected, previous, key) is { } bad)
                {
                    return MergeLogVerification.Failed(expected, bad.Defect, count, bad.Problem);
                }

                previous = id;
                count++;
                position += length;
                continue;
            }

            return ReadTrailer(rest.Span, out long trailerCount, out var head, out var signer, out var signature) switch
            {
                TrailerShape.Complete => CheckTrailer(rest.Span[..^MergeLogPublicKey.SignatureLength], trailerCount, head, signer, signature, count, previous, key),
                TrailerShape.CutOff => MergeLogVerification.Failed(expected, MergeLogDefect.Truncated, count,
                    $"The file ends inside the trailer after record {count}: the end of the file was cut off."),
                _ => MergeLogVerification.Failed(expected, MergeLogDefect.Undecodable, count,
                    $"The bytes at offset {position} are neither record {expected} nor a valid trailer."),
            };
        }
    }

    /// <summary>
    /// Verifies the log stored in <paramref name="repository"/>, reading objects from the backend beneath
    /// every cache. The walk goes on past a bad record when its link can still be read, so the result
    /// names the lowest bad sequence number it can reach. Storage failures throw (they are not tampering).
    /// </summary>
    public static MergeLogVerification VerifyRepository(Repository repository, MergeLogPublicKey key)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(key);
        RefTarget? target;
        try
        {
            target = repository.Refs.Read(MergeLog.HeadRef);
        }
        catch (HeliosException e) when (e.Code == HeliosErrorCode.Corruption)
        {
            return MergeLogVerification.Failed(null, MergeLogDefect.Missing, 0, $"{MergeLog.HeadRef} cannot be read: {e.Message}");
        }

        if (target is null)
        {
            return MergeLogVerification.Succeeded(0);
        }

        if (target.Value.Id is not { } head)
        {
            return MergeLogVerification.Failed(null, MergeLogDefect.BrokenChain, 0, $"{MergeLog.HeadRef} is a symbolic ref; it must name the newest record.");
        }

        var store = repository.Storage.Objects;
        var visited = new HashSet<ObjectId>();
        (long? Sequence, MergeLogDefect Defect, string Problem)? first = null;
        long good = 0;

        void Note(long? sequence, MergeLogDefect defect, string problem)
        {
            // Walking backwards, a later note has a lower sequence number; an unknown one (the head's) only stands alone.
            if (first is null || sequence is not null)
            {
                first = (sequence, defect, problem);
            }
        }

        long? expected = null;
        for (var id = head; ;)
        {
            string name = expected is { } e ? $"Record {e} ({id})" : $"The head record {id}";
            if (!visited.Add(id))
            {
                Note(expected, MergeLogDefect.BrokenChain, $"{name} links back into records already walked.");
                break;
            }

            if (store.TryGet(id) is not { } stored)
            {
                Note(expected, MergeLogDefect.Missing, $"{name} is not stored.");
                break;
            }

            var actual = ObjectId.Of(stored);
            var record = TryDecode(id, stored, out string? decodeProblem);
            long? sequence = expected ?? record?.Sequence;
            if (record is null)
            {
                Note(sequence, actual != id ? MergeLogDefect.HashMismatch : MergeLogDefect.Undecodable,
                    actual != id ? $"{name} is damaged: its bytes hash to {actual}." : $"{name} does not decode: {decodeProblem}");
                break;
            }

            long seq = sequence!.Value;
            name = $"Record {seq} ({id})";
            bool sound = true;
            if (actual != id)
            {
                Note(seq, MergeLogDefect.HashMismatch, $"{name} is damaged: its bytes hash to {actual}.");
                sound = false;
            }
            else if (record.Sequence != seq)
            {
                Note(seq, MergeLogDefect.WrongSequence, $"{name} claims sequence {record.Sequence}: records were removed or rearranged.");
                sound = false;
            }
            else if (CheckSignature(stored, record, key) is { } bad)
            {
                Note(seq, bad.Defect, $"{name}: {bad.Problem}");
                sound = false;
            }

            if (sound)
            {
                good++;
            }

            if (record.Previous == default)
            {
                break; // The decoder allows this only for a record claiming sequence 1; any other was noted above.
            }

            if (seq == 1)
            {
                Note(1, MergeLogDefect.BrokenChain, $"{name} should be the first record but links to {record.Previous}.");
                break;
            }

            id = record.Previous;
            expected = seq - 1;
        }

        return first is { } f
            ? MergeLogVerification.Failed(f.Sequence, f.Defect, good, f.Problem)
            : MergeLogVerification.Succeeded(good);
    }

    /// <summary>Decoding, sequence, link and signature checks of one record of a file.</summary>
    private static (MergeLogDefect Defect, string Problem)? CheckRecord(ObjectId id, ReadOnlyMemory<byte> bytes, long expected, ObjectId previous, MergeLogPublicKey key)
    {
        var record = TryDecode(id, bytes, out string? problem);
        if (record is null)
        {
            return (MergeLogDefect.Undecodable, $"Record {expected} does not decode: {problem}");
        }

        if (record.Sequence != expected)
        {
            return (MergeLogDefect.WrongSequence, $"Record {record.Sequence} stands where record {expected} belongs: records were removed or rearranged.");
        }

        if (record.Previous != previous)
        {
            return (MergeLogDefect.BrokenChain, $"Record {expected} does not link to the record before it in the file.");
        }

        return CheckSignature(bytes.Span, record, key) is { } bad ? (bad.Defect, $"Record {expected}: {bad.Problem}") : null;
    }

    private static (MergeLogDefect Defect, string Problem)? CheckSignature(ReadOnlySpan<byte> encoding, MergeLogRecord record, MergeLogPublicKey key)
    {
        if (record.SignerKeyId != key.KeyId)
        {
            return (MergeLogDefect.WrongSigner, $"it is signed by key {record.SignerKeyId.ToShortString()}, not by {key.KeyId.ToShortString()}.");
        }

        Span<byte> hash = stackalloc byte[Hashing.Blake3.OutputLength];
        MergeLogRecord.SignedHash(encoding, hash);
        return key.VerifyHash(hash, record.Signature) ? null : (MergeLogDefect.BadSignature, "its signature does not verify: the record was altered.");
    }

    private static MergeLogVerification CheckTrailer(ReadOnlySpan<byte> unsigned, long trailerCount, ObjectId head, ObjectId signer, ReadOnlySpan<byte> signature,
        long count, ObjectId last, MergeLogPublicKey key)
    {
        if (signer != key.KeyId)
        {
            return MergeLogVerification.Failed(null, MergeLogDefect.WrongSigner, count, $"The trailer is signed by key {signer.ToShortString()}, not by {key.KeyId.ToShortString()}.");
        }

        Span<byte> hash = stackalloc byte[Hashing.Blake3.OutputLength];
        MergeLogFile.TrailerHash(unsigned, hash);
        if (!key.VerifyHash(hash, signature))
        {
            return MergeLogVerification.Failed(null, MergeLogDefect.BadTrailer, count, "The trailer's signature does not verify: the trailer was altered.");
        }

        // From here the trailer is authentic, so a disagreement means records were cut or added.
        if (trailerCount > count)
        {
            return MergeLogVerification.Failed(count + 1, MergeLogDefect.Missing, count,
                $"The signed trailer counts {trailerCount} records but the file holds {count}: record {count + 1} and any after it were removed.");
        }

        if (trailerCount < count)
        {
            return MergeLogVerification.Failed(trailerCount + 1, MergeLogDefect.BadTrailer, trailerCount,
                $"The signed trailer counts {trailerCount} records but the file holds {count}: record {trailerCount + 1} was added after the export.");
        }

        if (head != last)
        {
            return count == 0
                ? MergeLogVerification.Failed(null, MergeLogDefect.BadTrailer, 0, "The signed trailer names a head, but the file holds no records.")
                : MergeLogVerification.Failed(count, MergeLogDefect.BrokenChain, count - 1, $"Record {count} is not the head the signed trailer names ({head}).");
        }

        return MergeLogVerification.Succeeded(count);
    }

    /// <summary>The length of the record frame at the start of <paramref name="span"/> (type, varint length, payload).</summary>
    private static (int Length, MergeLogDefect? Problem) FrameLength(ReadOnlySpan<byte> span)
    {
        var r = new CanonicalReader(span);
        r.ReadByte();
        ulong payload;
        try
        {
            payload = r.ReadVarUInt();
        }
        catch (FormatException)
        {
            return (0, r.Remaining == 0 ? MergeLogDefect.Truncated : MergeLogDefect.Undecodable);
        }

        return payload > (ulong)r.Remaining
            ? (0, MergeLogDefect.Truncated)
            : (span.Length - r.Remaining + (int)payload, null);
    }

    private enum TrailerShape
    {
        Complete,
        CutOff,
        Malformed,
    }

    private static TrailerShape ReadTrailer(ReadOnlySpan<byte> span, out long count, out ObjectId head, out ObjectId signer, out ReadOnlySpan<byte> signature)
    {
        count = 0;
        head = signer = default;
        signature = default;
        const int Fixed = 2 * ObjectId.Size + MergeLogPublicKey.SignatureLength;
        var r = new CanonicalReader(span);
        if (r.ReadByte() != MergeLogFile.TrailerMarker)
        {
            return TrailerShape.Malformed;
        }

        ulong n;
        try
        {
            n = r.ReadVarUInt();
        }
        catch (FormatException)
        {
            // Varints are read a byte at a time: none left means the count itself was cut short.
            return r.Remaining == 0 ? TrailerShape.CutOff : TrailerShape.Malformed;
        }

        if (r.Remaining != Fixed || n > long.MaxValue)
        {
            return r.Remaining < Fixed ? TrailerShape.CutOff : TrailerShape.Malformed;
        }

        count = (long)n;
        head = r.ReadId();
        signer = r.ReadId();
        signature = r.ReadRaw(MergeLogPublicKey.SignatureLength);
        return TrailerShape.Complete;
    }

    private static MergeLogRecord? TryDecode(ObjectId id, ReadOnlyMemory<byte> bytes, out string? problem)
    {
        try
        {
            if (ObjectCodec.Decode(id, bytes) is MergeLogRecord record)
            {
                problem = null;
                return record;
            }

            problem = "it is not a merge-log record.";
        }
        catch (CorruptObjectException e)
        {
            problem = e.Message;
        }

        return null;
    }
}
